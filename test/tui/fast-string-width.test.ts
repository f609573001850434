/**
 * The bundle's string-width (src/build/fast-string-width.ts) must measure exactly as the real
 * string-width does, or Ink would lay the TUI out wrong. Compared on every code point of the
 * blocks it answers itself, on mixed and styled text, and on text it must hand to the real one.
 */
import { eastAsianWidth } from 'get-east-asian-width';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { fastStringWidth } from '../../src/build/fast-string-width.ts';

let realCalls = 0;
const fast = fastStringWidth(() => (input, options) => {
  realCalls++;
  return stringWidth(input, options);
});

const blocks: [number, number][] = [
  [0x20, 0x7e],
  [0xa0, 0x2ff],
  [0x2010, 0x2027],
  [0x2030, 0x205e],
  [0x2190, 0x23ff],
  [0x2500, 0x27bf],
];

describe('fast string-width', () => {
  it('gives string-width’s answer for every code point of its blocks, both ambiguity settings', () => {
    let checked = 0;
    for (const [from, to] of blocks) {
      for (let cp = from; cp <= to; cp++) {
        const s = String.fromCodePoint(cp);
        expect([cp.toString(16), fast(s)]).toEqual([cp.toString(16), stringWidth(s)]);
        expect([cp.toString(16), fast(s, { ambiguousIsNarrow: false })]).toEqual([
          cp.toString(16),
          stringWidth(s, { ambiguousIsNarrow: false }),
        ]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it('answers the TUI’s own text without the real string-width', () => {
    const before = realCalls;
    const texts = [
      '❯ loom  restore      Restore a Loom cluster from backups',
      '↑↓ move  Enter open  / filter  ? help  q quit',
      '✓ ✗ ! · — “quoted” ─────',
      '\u001b[1m\u001b[36m↑↓\u001b[22m\u001b[90m move\u001b[39m',
      'Ünïcödé Latin ß ø § ±',
    ];
    for (const t of texts) expect([t, fast(t)]).toEqual([t, stringWidth(t)]);
    expect(realCalls).toBe(before);
  });

  it('hands emoji, wide, combining, zero-width and control text to the real string-width', () => {
    const texts = [
      '😀 ok',
      '👨‍👩‍👧',
      '✅ done',
      '⌛',
      '❤️',
      '1️⃣',
      'e\u0301 (e + combining acute)',
      'a\u200bb',
      'tab\there',
      'line\nbreak',
      '日本語',
      '한국어 ᄀᄀ가',
      '🇫🇷',
      '\u00ad soft hyphen',
    ];
    for (const t of texts) {
      const before = realCalls;
      expect([t, fast(t)]).toEqual([t, stringWidth(t)]);
      // CJK has a width East Asian Width alone could give, but it is outside the blocks.
      expect([t, realCalls]).toEqual([t, before + 1]);
    }
  });

  it('counts ANSI codes when asked to, like string-width', () => {
    const t = '\u001b[31m↑ red\u001b[39m';
    expect(fast(t, { countAnsiEscapeCodes: true })).toBe(
      stringWidth(t, { countAnsiEscapeCodes: true }),
    );
    expect(fast(t)).toBe(5);
    expect(fast('')).toBe(0);
    expect(eastAsianWidth(0x2191)).toBe(1);
  });
});
