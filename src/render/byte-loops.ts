/**
 * The two loops that touch every byte a command prints on its way to stdout: prefixing lines
 * (`--plain`) and escaping JSON strings (`--json`). On a chatty step they are the bulk of the
 * renderers' work: a JavaScript byte loop took ~0.6 s per 10M lines (80 MB) to prefix them and
 * JSON.stringify ~0.4 s to escape them; the WebAssembly loops below take a third of that.
 *
 * The module is a few lines of hand-assembled WebAssembly (no toolchain needed to build or
 * review it); byte-loops.test.ts checks both functions byte for byte against JavaScript.
 */

// Opcodes used below (WebAssembly 2.0 core, bulk memory).
import { isUtf8 } from 'node:buffer';

const GET = 0x20;
const SET = 0x21;
const TEE = 0x22;
const CONST = 0x41;
const ADD = 0x6a;
const EQ = 0x46;
const GE_U = 0x4f;
const LT_U = 0x49;
const EQZ = 0x45;
const AND = 0x71;
const SHR_U = 0x76;
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
/** i32.const takes a signed LEB128: 64…127 need two bytes. */
const int = (n: number) => (n < 64 ? [CONST, n] : [CONST, (n & 0x7f) | 0x80, n >> 7]);
/** A load or store with a constant offset (unsigned LEB128, < 16384). */
const at = (op: number[], offset: number) =>
  offset < 128 ? [op[0]!, 0, offset] : [op[0]!, 0, (offset & 0x7f) | 0x80, offset >> 7];

// prefixAfter(src, len, prefix, plen, out) -> end: copies len bytes from src to out, writing the plen
// bytes at prefix after every newline; returns where the output ends.
// Locals: 0 src, 1 len, 2 prefix, 3 plen, 4 out (the write position), 5 i, 6 byte.
const prefixAfter = [
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
/** Where the escape table lives in memory (see `table` below), and its hex digits. */
const TABLE = 0;
const HEX = TABLE + 128;

// i64 operations for the eight-bytes-at-a-time path of escapeJson.
const I64 = 0x7e;
const LOAD64 = [0x29, 0, 0];
const STORE64 = [0x37, 0, 0];
const SUB64 = 0x7d;
const AND64 = 0x83;
const OR64 = 0x84;
const XOR64 = 0x85;
const CTZ64 = 0x7a;
const EQZ64 = 0x50;
const WRAP = 0xa7; // i32.wrap_i64
const SUB = 0x6b;
/** i64.const takes a signed LEB128 of the value as a signed 64-bit integer. */
function i64(value: bigint): number[] {
  const out = [0x42];
  let v = BigInt.asIntN(64, value);
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}
/** `byte` in each of the eight bytes of an i64. */
const every = (byte: number) => BigInt(byte) * 0x0101010101010101n;
const HIGH = every(0x80);
/**
 * Pushes the high bit of each byte of local `x` that equals `byte` (the lowest one exactly; a
 * borrow may mark bytes above it, which never matters: only the lowest is used).
 */
const zeroBytesOf = (x: number, byte: number) => [
  ...[GET, x, ...i64(every(byte)), XOR64, ...i64(every(1)), SUB64], // (x ^ bbb) - 0x0101…
  ...[GET, x, ...i64(~every(byte)), XOR64, AND64, ...i64(HIGH), AND64], // & ~(x ^ bbb) & 0x8080…
];

// escapeJson(src, len, out) -> end: copies len UTF-8 bytes from src to out as the inside of a JSON
// string: `"`, `\` and control characters escaped as JSON.stringify does; returns where it ends.
// Locals: 0 src, 1 len, 2 out (the write position), 3 i, 4 byte, 5 its escape letter, 6 k,
// 7 x (eight input bytes), 8 mask (their bytes that need escaping).
// While eight bytes are left, they are read as one i64: with none to escape they are stored as
// one; otherwise the bytes before the first one to escape are (k of them), and that one goes
// through the byte loop. Text with long runs between escapes (most output) moves 8 bytes a step.
const escapeJson = [
  ...[CONST, 0, SET, 3], //                                  i = 0
  ...BLOCK,
  ...LOOP,
  ...[GET, 1, GET, 3, SUB, CONST, 8, GE_U, ...IF], //         if len - i >= 8:
  ...[GET, 0, GET, 3, ADD, ...LOAD64, SET, 7], //               x = src[i..i+8]
  ...[GET, 7, ...i64(every(0x20)), SUB64], //                   bytes below 0x20:
  ...[GET, 7, ...i64(-1n), XOR64, AND64, ...i64(HIGH), AND64], //  (x - 0x2020…) & ~x & 0x8080…
  ...zeroBytesOf(7, 0x22), //                                   bytes that are '"'
  OR64,
  ...zeroBytesOf(7, 0x5c), //                                   bytes that are '\'
  ...[OR64, SET, 8],
  ...[GET, 2, GET, 7, ...STORE64], //                           out[0..8] = x (the rest is overwritten)
  ...[GET, 8, EQZ64, ...IF], //                                 if mask == 0:
  ...[GET, 2, CONST, 8, ADD, SET, 2], //                          out += 8
  ...[GET, 3, CONST, 8, ADD, SET, 3], //                          i += 8
  ...[BR, 2, END], //                                             next bytes
  ...[GET, 8, CTZ64, WRAP, CONST, 3, SHR_U, SET, 6], //         k = lowest marked byte
  ...[GET, 2, GET, 6, ADD, SET, 2], //                          out += k
  ...[GET, 3, GET, 6, ADD, SET, 3], //                          i += k (the byte to escape)
  END,
  ...[GET, 3, GET, 1, GE_U, BR_IF, 1], //                     if i >= len: done
  ...[GET, 0, GET, 3, ADD, ...LOAD8_U, SET, 4], //            byte = src[i]
  ...[GET, 3, CONST, 1, ADD, SET, 3], //                      i += 1
  ...[CONST, 0, SET, 5], //                                   letter = 0
  ...[GET, 4, ...int(0x60), LT_U, ...IF], //                  if byte < 0x60:
  ...[GET, 4, ...at(LOAD8_U, TABLE), SET, 5], //                letter = table[byte]
  END,
  ...[GET, 5, EQZ, ...IF], //                                 if letter == 0:
  ...[GET, 2, GET, 4, ...STORE8], //                            out[0] = byte
  ...[GET, 2, CONST, 1, ADD, SET, 2], //                        out += 1
  ...[BR, 1, END], //                                           next byte
  ...[GET, 2, ...int(0x5c), ...at(STORE8, 0)], //             out[0] = '\\'
  ...[GET, 2, GET, 5, ...at(STORE8, 1)], //                   out[1] = letter
  ...[GET, 2, CONST, 2, ADD, SET, 2], //                      out += 2
  ...[GET, 5, ...int(0x75), EQ, ...IF], //                    if letter == 'u':
  ...[GET, 2, CONST, 0x30, ...at(STORE8, 0)], //                out[0] = '0'
  ...[GET, 2, CONST, 0x30, ...at(STORE8, 1)], //                out[1] = '0'
  ...[GET, 2, GET, 4, CONST, 4, SHR_U, ...at(LOAD8_U, HEX), ...at(STORE8, 2)], // hex[byte >> 4]
  ...[GET, 2, GET, 4, CONST, 15, AND, ...at(LOAD8_U, HEX), ...at(STORE8, 3)], // hex[byte & 15]
  ...[GET, 2, CONST, 4, ADD, SET, 2], //                        out += 4
  END,
  ...[BR, 0, END, END], //                                    next byte
  ...[GET, 2, END], //                                        return out
];

/** What each byte below 0x60 becomes after a backslash (0: itself), then hex digits. */
function table(): Uint8Array {
  const t = new Uint8Array(HEX + 16);
  for (let c = 0; c < 0x20; c++) t[c] = 0x75; // \u00XX
  for (const [c, letter] of [
    [0x08, 'b'],
    [0x09, 't'],
    [0x0a, 'n'],
    [0x0c, 'f'],
    [0x0d, 'r'],
    [0x22, '"'],
    [0x5c, '\\'],
  ] as const)
    t[c] = letter.charCodeAt(0);
  t.set(Buffer.from('0123456789abcdef'), HEX);
  return t;
}

/** A function body: `locals` i32 locals, then `wide` i64 ones, then `ops`. */
const code = (locals: number, ops: number[], wide = 0) => {
  const body = [...(wide ? [2, locals, I32, wide, I64] : [1, locals, I32]), ...ops];
  return [...uleb(body.length), ...body];
};
/** Unsigned LEB128 (section and body sizes). */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  return out;
}
const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
const MODULE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0], //                 "\0asm", version 1
  ...section(1, [
    ...[2, 0x60, 5, I32, I32, I32, I32, I32, 1, I32], //      types: (i32 x5) -> i32,
    ...[0x60, 3, I32, I32, I32, 1, I32], //                         (i32 x3) -> i32
  ]),
  ...section(3, [2, 0, 1]), //                                prefixAfter: type 0, escapeJson: type 1
  ...section(5, [1, 0, 1]), //                                one memory, 1 page to start
  ...section(7, [3, 1, 0x61, 0, 0, 1, 0x65, 0, 1, 1, 0x6d, 2, 0]), // "a", "e", memory "m"
  ...section(10, [2, ...code(2, prefixAfter), ...code(4, escapeJson, 2)]),
]);

/** Input is handled in slices of this size, so the module's memory stays a few MB at most. */
const SLICE = 64 * 1024;
const PAGE = 64 * 1024;
/** Memory below this holds the escape table. */
const WORK = 256;

/** The little of the WebAssembly API used here (its types are in the DOM lib, not Node's). */
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Exports };
}
interface Exports {
  a: (src: number, len: number, prefix: number, plen: number, out: number) => number;
  e: (src: number, len: number, out: number) => number;
  m: { buffer: ArrayBuffer; grow(pages: number): number };
}

let wasm: Exports | undefined;

function instance(): Exports {
  const { Module, Instance } = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;
  if (!wasm) {
    wasm = new Instance(new Module(MODULE)).exports;
    new Uint8Array(wasm.m.buffer).set(table(), TABLE);
  }
  return wasm;
}

/** `body` with `prefix` at its start and after each of its newlines, then `end`. */
export function prefixLines(body: Uint8Array, prefix: Uint8Array, end: string): Buffer {
  const { a, m } = instance();
  const p = prefix.length;
  // Layout: the escape table, the prefix, a slice of body, then its output (at most (1 + p)
  // bytes per input byte).
  const pre = WORK;
  const src = (pre + p + 7) & ~7;
  const out = src + SLICE;
  const need = out + SLICE * (1 + p);
  if (m.buffer.byteLength < need) m.grow(Math.ceil((need - m.buffer.byteLength) / PAGE));
  const mem = new Uint8Array(m.buffer);
  mem.set(prefix, pre);
  const tail = Buffer.from(end);
  const parts: Uint8Array[] = [prefix];
  let size = p + tail.length;
  for (let at = 0; at < body.length; at += SLICE) {
    const slice = body.subarray(at, at + SLICE);
    mem.set(slice, src);
    const stop = a(src, slice.length, pre, p, out);
    // A view while this is the only slice (copied once, below); a copy before memory is reused.
    const done = mem.subarray(out, stop);
    parts.push(body.length <= SLICE ? done : Uint8Array.prototype.slice.call(done));
    size += stop - out;
  }
  parts.push(tail);
  return Buffer.concat(parts, size);
}

/**
 * Well-formed UTF-8 `bytes` as the bytes of the JSON string of their text, between `before` and
 * `after`: what `jsonString` writes for the decoded text, without decoding it. Bytes that are
 * not well-formed UTF-8 are decoded (malformed sequences become U+FFFD, as everywhere else).
 */
export function jsonBytes(bytes: Uint8Array, before = '', after = ''): Buffer {
  if (!isUtf8(bytes)) return jsonString(Buffer.from(bytes).toString('utf8'), before, after);
  const { e, m } = instance();
  const head = Buffer.from(`${before}"`);
  const tail = Buffer.from(`"${after}`);
  const parts: Uint8Array[] = [head];
  let size = head.length + tail.length;
  const src = WORK;
  const out = src + SLICE;
  const need = out + SLICE * 6;
  if (m.buffer.byteLength < need) m.grow(Math.ceil((need - m.buffer.byteLength) / PAGE));
  const mem = new Uint8Array(m.buffer);
  // Escaping works byte by byte and never touches bytes >= 0x80, so slices may cut a character.
  for (let at = 0; at < bytes.length; at += SLICE) {
    const slice = bytes.subarray(at, at + SLICE);
    mem.set(slice, src);
    const stop = e(src, slice.length, out);
    const done = mem.subarray(out, stop);
    parts.push(bytes.length <= SLICE ? done : Uint8Array.prototype.slice.call(done));
    size += stop - out;
  }
  parts.push(tail);
  return Buffer.concat(parts, size);
}

/**
 * `text` as the bytes of a JSON string (quotes included), exactly as JSON.stringify writes it,
 * between `before` and `after` (one buffer for a whole JSON line). Text with a lone surrogate
 * (which UTF-8 cannot carry; JSON.stringify writes `\\udXXX`) goes through JSON.stringify.
 */
export function jsonString(text: string, before = '', after = ''): Buffer {
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) {
    return Buffer.from(before + JSON.stringify(text) + after);
  }
  return jsonBytes(Buffer.from(text, 'utf8'), before, after);
}
