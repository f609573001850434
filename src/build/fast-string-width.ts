/**
 * A faster `string-width` for the bundle, with the same answers. string-width tests every
 * non-ASCII grapheme against `/^\p{RGI_Emoji}$/v`, a regex V8 takes ~27 ms to compile and ~17 ms
 * more to tier up: a sixth of the TUI's first frame, spent on the footer's arrows and the
 * selection mark. Text made only of code points that are each a grapheme of their own, never
 * shown as emoji and never zero-width (ASCII, Latin, general punctuation, arrows, technical
 * symbols, box drawing, geometric shapes, dingbats, minus those with emoji presentation, marks,
 * format and control characters) has the width East Asian Width gives each code point, which is
 * what string-width returns for it. Anything else goes to the real string-width.
 */
import { eastAsianWidth } from 'get-east-asian-width';
import stripAnsi from 'strip-ansi';

/** string-width's options. */
export interface StringWidthOptions {
  ambiguousIsNarrow?: boolean;
  countAnsiEscapeCodes?: boolean;
}

export type StringWidth = (input: string, options?: StringWidthOptions) => number;

const simpleBlocks =
  /^[\u0020-\u007E\u00A0-\u02FF\u2010-\u2027\u2030-\u205E\u2190-\u23FF\u2500-\u27BF]*$/;
// Within those blocks: what forms clusters, is zero-width or may be shown as an emoji.
const notSimple = /[\p{Emoji_Presentation}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\p{M}]/u;

/** string-width, answering simple text itself and the rest through `real()` (called once). */
export function fastStringWidth(real: () => StringWidth): StringWidth {
  let slow: StringWidth | undefined;
  return (input, options = {}) => {
    if (typeof input !== 'string' || input.length === 0) return 0;
    const text =
      !options.countAnsiEscapeCodes && (input.includes('\u001B') || input.includes('\u009B'))
        ? stripAnsi(input)
        : input;
    if (simpleBlocks.test(text) && !notSimple.test(text)) {
      const eaw = { ambiguousAsWide: options.ambiguousIsNarrow === false };
      let width = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        width += c >= 0x20 && c <= 0x7e ? 1 : eastAsianWidth(c, eaw);
      }
      return width;
    }
    slow ??= real();
    return slow(input, options);
  };
}
