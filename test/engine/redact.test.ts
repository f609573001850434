/** Redactor and StreamRedactor: masking by value, whole or split across chunks. */
import { describe, expect, it, test } from 'vitest';
import { MASK, Redactor, StreamRedactor } from '../../src/engine/redact.ts';

const SECRET = 'hunter2-s3cr3t';

/** Feeds chunks through a stream redactor and returns everything it released. */
function stream(redactor: Redactor, chunks: (string | Buffer)[]): string {
  const s = new StreamRedactor(redactor);
  return (
    chunks.map((c) => str(s.push(typeof c === 'string' ? Buffer.from(c) : c))).join('') + s.end()
  );
}

/** What a push released, as text (bytes while the run has no secrets). */
const str = (released: string | Buffer) =>
  typeof released === 'string' ? released : released.toString('utf8');

describe('Redactor', () => {
  test('masks every occurrence, and the shell-quoted form used in commands', () => {
    const r = new Redactor(['it is', SECRET]);
    expect(r.text(`a ${SECRET} b ${SECRET}`)).toBe(`a ${MASK} b ${MASK}`);
    expect(r.text(`echo 'it is' and it is`)).toBe(`echo ${MASK} and ${MASK}`);
  });

  test('a secret containing another is masked whole', () => {
    const r = new Redactor(['abc', 'xabcx']);
    expect(r.text('xabcx abc')).toBe(`${MASK} ${MASK}`);
  });

  test('empty secrets are ignored; secrets can be added later', () => {
    const r = new Redactor(['']);
    expect(r.isEmpty).toBe(true);
    expect(r.text('text')).toBe('text');
    r.add(SECRET);
    expect(r.longest).toBe(SECRET.length);
    expect(r.text(SECRET)).toBe(MASK);
  });
});

describe('StreamRedactor', () => {
  test('a secret split mid-way across chunks is masked', () => {
    const r = new Redactor([SECRET]);
    for (let cut = 1; cut < SECRET.length; cut++) {
      const out = stream(r, [`token=${SECRET.slice(0, cut)}`, `${SECRET.slice(cut)} ok\nnext\n`]);
      expect(out).toBe(`token=${MASK} ok\nnext\n`);
    }
  });

  test('a secret split over three chunks, and at the very end without a newline', () => {
    const r = new Redactor([SECRET]);
    expect(stream(r, ['a hun', 'ter2-s', '3cr3t'])).toBe(`a ${MASK}`);
  });

  test('complete lines are released at once; a partial line waits for its newline', () => {
    const s = new StreamRedactor(new Redactor([SECRET]));
    expect(s.push(Buffer.from('line one\nhalf'))).toBe('line one\n');
    expect(s.push(Buffer.from(' a line'))).toBe('');
    expect(s.push(Buffer.from(` ${SECRET}\n`))).toBe(`half a line ${MASK}\n`);
    expect(s.end()).toBe('');
  });

  test('a multi-byte character split across chunks is decoded whole', () => {
    const bytes = Buffer.from('grüße 🚀\n');
    const out = stream(new Redactor([SECRET]), [
      bytes.subarray(0, 3),
      bytes.subarray(3, 10),
      bytes.subarray(10),
    ]);
    expect(out).toBe('grüße 🚀\n');
  });

  test('a very long line without a newline is released in pieces, still masked', () => {
    const r = new Redactor([SECRET]);
    const long = 'x'.repeat(70 * 1024);
    const s = new StreamRedactor(r);
    const first = s.push(Buffer.from(`${long}${SECRET.slice(0, 5)}`));
    expect(first.length).toBeGreaterThan(0);
    const out = str(first) + str(s.push(Buffer.from(`${SECRET.slice(5)} tail\n`))) + s.end();
    expect(out).toBe(`${long}${MASK} tail\n`);
  });

  // A long line released while a secret straddles the point where it is cut.
  test('a long line cut right after a secret does not leak the end of it', () => {
    const r = new Redactor([SECRET]);
    const long = 'x'.repeat(70 * 1024);
    for (let after = 0; after < SECRET.length; after++) {
      const out = stream(r, [`${long}${SECRET}${'y'.repeat(after)}`, ' tail\n']);
      expect(out).toBe(`${long}${MASK}${'y'.repeat(after)} tail\n`);
    }
  });

  test('without secrets, everything is released at once as the same bytes, partial lines too', () => {
    const r = new Redactor();
    const s = new StreamRedactor(r);
    const chunk = Buffer.from('line one\nhalf');
    expect(s.push(chunk)).toBe(chunk);
    expect(str(s.push(Buffer.from(' a line\n')))).toBe(' a line\n');
    expect(s.end()).toBe('');
  });

  test('without secrets, a character split across chunks waits for its last byte', () => {
    const bytes = Buffer.from('grüße 🚀\n');
    const s = new StreamRedactor(new Redactor());
    const released = [bytes.subarray(0, 3), bytes.subarray(3, 10), bytes.subarray(10)].map((c) =>
      Buffer.from(s.push(c) as Buffer),
    );
    // Each piece decodes alone to whole characters: 'gr', 'üße ', '🚀\n'.
    expect(released.map((b) => b.toString('utf8'))).toEqual(['gr', 'üße ', '🚀\n']);
  });

  test('without secrets, an incomplete character at the very end is decoded (replaced) at end', () => {
    const s = new StreamRedactor(new Redactor());
    expect(str(s.push(Buffer.from([0x61, 0xe2, 0x82])))).toBe('a');
    expect(s.end()).toBe('\ufffd');
  });

  test('a secret added mid-stream is masked from then on, on line boundaries again', () => {
    const r = new Redactor();
    const s = new StreamRedactor(r);
    expect(str(s.push(Buffer.from('before\n')))).toBe('before\n');
    r.add(SECRET);
    expect(s.push(Buffer.from(`a ${SECRET.slice(0, 4)}`))).toBe('');
    expect(s.push(Buffer.from(`${SECRET.slice(4)} b\nc`))).toBe(`a ${MASK} b\n`);
    expect(s.end()).toBe('c');
  });
});

describe('a secret that spans lines', () => {
  it('is masked when split across chunks at its newline', () => {
    const r = new StreamRedactor(new Redactor(['line one\nline two']));
    const out =
      str(r.push(Buffer.from('before line one\n'))) +
      str(r.push(Buffer.from('line two after\nnext\n'))) +
      r.end();
    expect(out).toBe(`before ${MASK} after\nnext\n`);
  });
});
