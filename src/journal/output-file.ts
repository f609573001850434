/**
 * Reads command output back from a version-2 journal's output file, by offset and length.
 */
import fs from 'node:fs';

/** Opens the file on first use; `close` when done. */
export class OutputFileReader {
  readonly #file: string;
  #fd: number | undefined;

  constructor(file: string) {
    this.#file = file;
  }

  /** The text at `ref`, or what is wrong (the caller names the journal line). */
  read(ref: { offset: unknown; length: unknown }): string | { problem: string } {
    const { offset, length } = ref;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length)) {
      return { problem: 'an output event without a valid offset and length' };
    }
    const at = offset as number;
    const size = length as number;
    if (at < 0 || size < 0) return { problem: 'an output event with a negative offset or length' };
    try {
      this.#fd ??= fs.openSync(this.#file, 'r');
      const bytes = Buffer.allocUnsafe(size);
      let done = 0;
      while (done < size) {
        const n = fs.readSync(this.#fd, bytes, done, size - done, at + done);
        if (n === 0) break;
        done += n;
      }
      if (done < size) {
        return {
          problem: `its output (bytes ${at}–${at + size}) is missing from ${this.#file}, which ends at byte ${at + done}`,
        };
      }
      return bytes.toString('utf8');
    } catch (error) {
      return {
        problem: `its output file ${this.#file} cannot be read: ${(error as Error).message}`,
      };
    }
  }

  close(): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd);
    this.#fd = undefined;
  }
}
