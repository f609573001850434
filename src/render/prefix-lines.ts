/**
 * Puts a prefix at the start of every line of a command's output, as bytes. The plain renderer
 * does this for every byte a step prints, so it is the bulk of `--plain`'s work on a chatty step:
 * a JavaScript byte loop took ~0.6 s per 10M lines (80 MB), the WebAssembly loop below ~0.2 s.
 *
 * The module is ten lines of hand-assembled WebAssembly (no toolchain needed to build or
 * review it); prefix-lines.test.ts checks it byte for byte against the plain JavaScript loop.
 */

// Opcodes used below (WebAssembly 2.0 core, bulk memory).
const GET = 0x20;
const SET = 0x21;
const TEE = 0x22;
const CONST = 0x41;
const ADD = 0x6a;
const EQ = 0x46;
const GE_U = 0x4f;
const LOAD8_U = [0x2d, 0, 0];
const STORE8 = [0x3a, 0, 0];
const MEMORY_COPY = [0xfc, 0x0a, 0, 0];
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const IF = [0x04, 0x40];
const BR_IF = 0x0d;
const BR = 0x0c;
const END = 0x0b;
const I32 = 0x7f;

// after(src, len, prefix, plen, out) -> end: copies len bytes from src to out, writing the plen
// bytes at prefix after every newline; returns where the output ends.
// Locals: 0 src, 1 len, 2 prefix, 3 plen, 4 out (the write position), 5 i, 6 byte.
const after = [
  ...[CONST, 0, SET, 5], //                                  i = 0
  ...BLOCK,
  ...LOOP,
  ...[GET, 5, GET, 1, GE_U, BR_IF, 1], //                     if i >= len: done
  ...[GET, 4, GET, 0, GET, 5, ADD, ...LOAD8_U, TEE, 6], //    byte = src[i]
  ...STORE8, //                                               out[0] = byte
  ...[GET, 4, CONST, 1, ADD, SET, 4], //                      out += 1
  ...[GET, 5, CONST, 1, ADD, SET, 5], //                      i += 1
  ...[GET, 6, CONST, 10, EQ, ...IF], //                       if byte == '\n':
  ...[GET, 4, GET, 2, GET, 3, ...MEMORY_COPY], //               copy the prefix to out
  ...[GET, 4, GET, 3, ADD, SET, 4], //                          out += plen
  END,
  ...[BR, 0, END, END], //                                    next byte
  ...[GET, 4, END], //                                        return out
];
const body = [1, 2, I32, ...after]; // two more i32 locals (5, 6)
const section = (id: number, bytes: number[]) => [id, bytes.length, ...bytes]; // all < 128 bytes
const MODULE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0], //                 "\0asm", version 1
  ...section(1, [1, 0x60, 5, I32, I32, I32, I32, I32, 1, I32]), // type: (i32 x5) -> i32
  ...section(3, [1, 0]), //                                   one function of that type
  ...section(5, [1, 0, 1]), //                                one memory, 1 page to start
  ...section(7, [2, 1, 0x61, 0, 0, 1, 0x6d, 2, 0]), //        exports "a" (function), "m" (memory)
  ...section(10, [1, body.length, ...body]),
]);

/** Input is handled in slices of this size, so the module's memory stays a few MB at most. */
const SLICE = 64 * 1024;
const PAGE = 64 * 1024;

/** The little of the WebAssembly API used here (its types are in the DOM lib, not Node's). */
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Exports };
}
interface Exports {
  a: (src: number, len: number, prefix: number, plen: number, out: number) => number;
  m: { buffer: ArrayBuffer; grow(pages: number): number };
}

let wasm: Exports | undefined;

function instance(): Exports {
  const { Module, Instance } = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;
  wasm ??= new Instance(new Module(MODULE)).exports;
  return wasm;
}

/** `body` with `prefix` at its start and after each of its newlines, then `end`. */
export function prefixLines(body: Uint8Array, prefix: Uint8Array, end: string): Buffer {
  const { a, m } = instance();
  const p = prefix.length;
  // Layout: prefix, then a slice of body, then its output (at most (1 + p) bytes per input byte).
  const src = (p + 7) & ~7;
  const out = src + SLICE;
  const need = out + SLICE * (1 + p);
  if (m.buffer.byteLength < need) m.grow(Math.ceil((need - m.buffer.byteLength) / PAGE));
  const mem = new Uint8Array(m.buffer);
  mem.set(prefix, 0);
  const tail = Buffer.from(end);
  const parts: Uint8Array[] = [prefix];
  let size = p + tail.length;
  for (let at = 0; at < body.length; at += SLICE) {
    const slice = body.subarray(at, at + SLICE);
    mem.set(slice, src);
    const stop = a(src, slice.length, 0, p, out);
    // A view while this is the only slice (copied once, below); a copy before memory is reused.
    const done = mem.subarray(out, stop);
    parts.push(body.length <= SLICE ? done : Uint8Array.prototype.slice.call(done));
    size += stop - out;
  }
  parts.push(tail);
  return Buffer.concat(parts, size);
}
