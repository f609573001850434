/** The WebAssembly byte loops against JavaScript, byte for byte. */
import { describe, expect, it } from 'vitest';
import { jsonBytes, jsonString, prefixLines } from '../../src/render/byte-loops.ts';

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

describe('jsonString', () => {
  it('writes exactly what JSON.stringify writes', () => {
    const every = Array.from({ length: 0x80 }, (_, c) => String.fromCharCode(c)).join('');
    const cases = [
      '',
      'plain',
      '"quoted" \\ back\\slash',
      every,
      'héllo ✓ записи 😀 \u2028\u2029 \u007f',
      '\u001b[31mred\u001b[0m\r\n\t\b\f',
      'lone \ud800 surrogate \udfff',
    ];
    for (const text of cases) expect(jsonString(text).toString()).toBe(JSON.stringify(text));
    expect(jsonString('a\nb', '{"data":', '}').toString()).toBe('{"data":"a\\nb"}');
    expect(jsonString('\ud800', '[', ']').toString()).toBe('["\\ud800"]');
  });

  it('matches JSON.stringify on long text across slices, pairs cut at slice ends kept whole', () => {
    const unit = 'line 1\n"x" é 😀\t\\\u0001';
    for (const repeat of [1, 1000, 20_000]) {
      const text = unit.repeat(repeat);
      expect(jsonString(text).toString()).toBe(JSON.stringify(text));
    }
    // A surrogate pair right at a slice's end (a slice is a third of 64 KiB of UTF-16 units).
    const pairAtEdge = `${'a'.repeat(Math.floor((64 * 1024) / 3) - 1)}😀${'b'.repeat(10)}`;
    expect(jsonString(pairAtEdge).toString()).toBe(JSON.stringify(pairAtEdge));
    const controls = '\u0000\n"'.repeat(50_000);
    expect(jsonString(controls).toString()).toBe(JSON.stringify(controls));
  });
});

describe('jsonBytes', () => {
  it('writes what JSON.stringify writes for the decoded text, across slices', () => {
    const unit = 'line 1\n"x" é 😀\t\\\u0001 записи';
    for (const repeat of [0, 1, 1000, 20_000]) {
      const text = unit.repeat(repeat);
      expect(jsonBytes(Buffer.from(text), '{"data":', '}').toString()).toBe(
        `{"data":${JSON.stringify(text)}}`,
      );
    }
    // A 4-byte character cut by the 64 KiB slice boundary is still whole in the output.
    const cut = `${'a'.repeat(64 * 1024 - 2)}😀b`;
    expect(jsonBytes(Buffer.from(cut)).toString()).toBe(JSON.stringify(cut));
  });

  it('decodes malformed UTF-8 first, so the line stays valid JSON in UTF-8', () => {
    const bytes = Buffer.from([0x61, 0xff, 0x22, 0xe2, 0x82, 0x0a]);
    const line = jsonBytes(bytes);
    expect(line.toString()).toBe(JSON.stringify(bytes.toString('utf8')));
    expect(JSON.parse(line.toString())).toBe('a\ufffd"\ufffd\n');
  });
});

describe('the eight-bytes-at-a-time path of the JSON escape', () => {
  it('matches JSON.stringify on random mixes of plain, escaped and multi-byte text', () => {
    // A fixed-seed generator: the same cases every run, thousands of placements of every byte
    // that needs escaping (and of 0x80+ bytes, which a borrow must not confuse) in a word.
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const pieces = [
      'a',
      'Z',
      '0',
      ' ',
      '~',
      '\u007f',
      '"',
      '\\',
      '\n',
      '\t',
      '\u0000',
      '\u001f',
      'é',
      '😀',
      '€',
      '!',
      '#',
    ];
    for (let n = 0; n < 3000; n++) {
      const length = next() % 40;
      let text = '';
      for (let i = 0; i < length; i++) text += pieces[next() % pieces.length];
      expect(jsonBytes(Buffer.from(text)).toString()).toBe(JSON.stringify(text));
      expect(jsonString(text).toString()).toBe(JSON.stringify(text));
    }
  });
});
