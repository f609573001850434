/** The WebAssembly line prefixer against the obvious JavaScript loop, byte for byte. */
import { describe, expect, it } from 'vitest';
import { prefixLines } from '../../src/render/prefix-lines.ts';

/** The reference, another way: bytes as latin1 text, every newline followed by the prefix. */
function reference(body: Uint8Array, prefix: Uint8Array, end: string): Buffer {
  const p = Buffer.from(prefix).toString('latin1');
  const text = Buffer.from(body).toString('latin1').replaceAll('\n', `\n${p}`);
  return Buffer.concat([Buffer.from(p + text, 'latin1'), Buffer.from(end)]);
}

/** Deterministic bytes, newline-heavy, with every byte value in the mix. */
function bytes(length: number, seed: number): Buffer {
  const b = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x % 7 === 0 ? 0x0a : (x >>> 16) & 0xff;
  }
  return b;
}

describe('prefixLines', () => {
  it('matches the reference on edge cases', () => {
    const prefix = Buffer.from('    n1 | ');
    for (const body of ['', '\n', 'a', 'a\n', '\n\n\n', 'héllo\nзаписи\n✓']) {
      const b = Buffer.from(body);
      expect(prefixLines(b, prefix, '\n').toString()).toBe(reference(b, prefix, '\n').toString());
    }
    expect(prefixLines(Buffer.from('x\ny'), Buffer.alloc(0), '').toString()).toBe('x\ny');
  });

  it('matches the reference across slice boundaries, prefix lengths and sizes', () => {
    const sizes = [1, 100, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 300_000];
    for (const [k, size] of sizes.entries()) {
      const body = bytes(size, k + 1);
      for (const prefix of [Buffer.from('    h!| '), Buffer.from(`    ${'x'.repeat(77)} | `)]) {
        const got = prefixLines(body, prefix, '\n');
        expect(
          got.equals(reference(body, prefix, '\n')),
          `size ${size}, prefix ${prefix.length}`,
        ).toBe(true);
      }
    }
  });

  it('is not confused by the previous call (memory is reused)', () => {
    const big = prefixLines(bytes(300_000, 9), Buffer.from('LONG PREFIX '), '');
    expect(big.length).toBeGreaterThan(300_000);
    expect(prefixLines(Buffer.from('a\nb'), Buffer.from('> '), '!').toString()).toBe('> a\n> b!');
  });
});
