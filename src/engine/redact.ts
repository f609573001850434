/**
 * Redaction by value: every secret parameter and secret capture is replaced wherever it could
 * appear, including output a host echoes back. Output is redacted on line boundaries so a secret
 * split across two chunks is still caught.
 */
import { shellQuote } from '../runbook/template.ts';
import { completeUtf8 } from './output-data.ts';

export const MASK = '••••••';

/** Holds the secrets of a run; new ones (secret captures) can be added as they appear. */
export class Redactor {
  #secrets: string[] = [];
  #longest = 0;

  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Adds a secret, and its shell-quoted form as it appears in rendered commands. */
  add(secret: string): void {
    // An empty value hides nothing, and its quoted form `''` would mask every empty argument.
    if (secret === '') return;
    for (const form of new Set([secret, shellQuote(secret)])) {
      if (this.#secrets.includes(form)) continue;
      this.#secrets.push(form);
      this.#longest = Math.max(this.#longest, form.length);
    }
    // Longest first, so a secret containing another is masked whole.
    this.#secrets.sort((a, b) => b.length - a.length);
  }

  get longest(): number {
    return this.#longest;
  }

  /** Whether a secret spans lines, so a line boundary is no safe place to cut output. */
  get multiline(): boolean {
    return this.#secrets.some((s) => s.includes('\n'));
  }

  get isEmpty(): boolean {
    return this.#secrets.length === 0;
  }

  text(value: string): string {
    let out = value;
    for (const s of this.#secrets) if (out.includes(s)) out = out.replaceAll(s, MASK);
    return out;
  }

  /** The last position at or before `cut` that is not inside an occurrence of a secret. */
  safeCut(text: string, cut: number): number {
    let at = cut;
    for (let moved = true; moved; ) {
      moved = false;
      for (const s of this.#secrets) {
        const i = text.indexOf(s, Math.max(0, at - s.length + 1));
        if (i !== -1 && i < at) {
          at = i;
          moved = true;
        }
      }
    }
    return at;
  }
}

/** Bytes held back without a newline before a partial line is released anyway. */
const MAX_PENDING = 64 * 1024;

/**
 * Redacts one output stream. Complete lines are released at once; a partial line is held until
 * its newline, or released (minus a possible secret prefix) once it grows past 64 KiB. While the
 * run has no secrets at all, the bytes are released as they came (cut only at a character
 * boundary): there is nothing a line could hide, and holding lines back or decoding them would
 * only cost copies.
 */
export class StreamRedactor {
  #pending = '';
  /** The start of a character the next chunk completes, while bytes are passed through. */
  #carry: Buffer | undefined;
  readonly #decoder = new TextDecoder('utf-8', { fatal: false });
  readonly #redactor: Redactor;

  constructor(redactor: Redactor) {
    this.#redactor = redactor;
  }

  /** What may be shown of the output so far: bytes while there is nothing to hide, else text. */
  push(chunk: Buffer): Buffer | string {
    if (this.#redactor.isEmpty && this.#pending === '') return this.#passBytes(chunk);
    const decoded = this.#decoder.decode(this.#withCarry(chunk), { stream: true });
    // Looking for the newline in the new text alone spares copying what was held into it.
    const newline = decoded.lastIndexOf('\n');
    if (this.#redactor.multiline) {
      // A secret with a newline in it may straddle any line end: hold back its length instead.
      const text = this.#pending + decoded;
      const cut = this.#redactor.safeCut(
        text,
        Math.max(text.length - (this.#redactor.longest - 1), 0),
      );
      this.#pending = text.slice(cut);
      return this.#redactor.text(text.slice(0, cut));
    }
    if (newline >= 0) {
      const lines = this.#pending + decoded.slice(0, newline + 1);
      this.#pending = decoded.slice(newline + 1);
      return this.#redactor.text(lines);
    }
    const text = this.#pending + decoded;
    if (text.length > MAX_PENDING) {
      // Hold back what may be the start of a secret, and never cut through one that is whole:
      // masking first and cutting after would release the part of a secret past the cut.
      const keep = Math.max(this.#redactor.longest - 1, 0);
      const cut = this.#redactor.safeCut(text, text.length - keep);
      this.#pending = text.slice(cut);
      return this.#redactor.text(text.slice(0, cut));
    }
    this.#pending = text;
    return '';
  }

  end(): string {
    const rest = this.#pending + this.#decoder.decode(this.#withCarry(Buffer.alloc(0)));
    this.#pending = '';
    return this.#redactor.text(rest);
  }

  #passBytes(chunk: Buffer): Buffer {
    const bytes = this.#withCarry(chunk);
    const whole = completeUtf8(bytes);
    if (whole === bytes.length) return bytes;
    // A copy: the chunk's buffer may be large, and only these few bytes are kept.
    this.#carry = Buffer.from(bytes.subarray(whole));
    return bytes.subarray(0, whole);
  }

  #withCarry(chunk: Buffer): Buffer {
    const carry = this.#carry;
    if (carry === undefined) return chunk;
    this.#carry = undefined;
    return Buffer.concat([carry, chunk]);
  }
}
