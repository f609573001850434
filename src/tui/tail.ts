/**
 * The last lines of one host's output, kept in a fixed-size ring. A step may print millions of
 * lines: the journal keeps all of them, the screen only ever needs the last few, so memory stays
 * flat however long the step runs.
 */

/** A bounded window over the end of a stream of text chunks. */
export class TailBuffer {
  readonly #size: number;
  readonly #ring: string[];
  #next = 0;
  #count = 0;
  #partial = '';
  /** Complete lines seen so far. */
  lines = 0;

  constructor(size = 200) {
    this.#size = size;
    this.#ring = new Array<string>(size);
  }

  push(chunk: string): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl < 0) break;
      const line = this.#partial + chunk.slice(start, nl);
      this.#partial = '';
      // Only the last `size` lines of a chunk can survive; skip writing the rest.
      this.#ring[this.#next] = line;
      this.#next = (this.#next + 1) % this.#size;
      if (this.#count < this.#size) this.#count++;
      this.lines++;
      start = nl + 1;
    }
    const rest = chunk.slice(start);
    // A line with no end yet: keep a bounded piece of it.
    if (rest) this.#partial = (this.#partial + rest).slice(-4096);
  }

  /** The last `n` lines, oldest first, with an unfinished line at the end. */
  last(n: number): string[] {
    const out: string[] = [];
    const withPartial = this.#partial ? 1 : 0;
    const take = Math.min(n - withPartial, this.#count);
    for (let i = take; i > 0; i--) {
      out.push(this.#ring[(this.#next - i + this.#size) % this.#size] ?? '');
    }
    if (withPartial && n > 0) out.push(this.#partial);
    return out;
  }
}
