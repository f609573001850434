/**
 * Stdout that is a file or a pipe, written in few large writes. A chatty step hands over its
 * output a packet at a time (~22 KiB), and a write(2) per packet cost more than the bytes: on
 * this machine kind 230 MB took ~230 ms as 22 KiB writes and ~90 ms as 256 KiB ones. Pieces are
 * gathered (not copied) and written together with writev once GATHER bytes wait, or WAIT_MS
 * after the first of them, so a slow command's lines still show at once to a person watching.
 */
import { writevAll } from '../journal/write-all.ts';

/** Bytes gathered before they are written. */
const GATHER = 256 * 1024;
/** The longest a piece waits for others. */
const WAIT_MS = 15;

/**
 * Writes to `fd` in gathered batches; `flush` writes what waits (before exiting, before stderr).
 * Every write to `fd` goes through `guard`, the timed ones too (a reader gone away is no crash).
 */
export function gatheredWrites(
  fd: number,
  guard: (write: () => void) => void,
): {
  write: (bytes: Uint8Array) => void;
  flush: () => void;
} {
  let pending: Uint8Array[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (size === 0) return;
    const chunks = pending;
    pending = [];
    size = 0;
    writevAll(fd, chunks);
  };
  return {
    write: (bytes) => {
      if (bytes.length === 0) return;
      pending.push(bytes);
      size += bytes.length;
      if (size >= GATHER) flush();
      // Not unref'd: what waits must be written before the process may end.
      else timer ??= setTimeout(() => guard(flush), WAIT_MS);
    },
    flush,
  };
}
