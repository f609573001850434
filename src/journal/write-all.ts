/**
 * Writing every byte, whatever write(2) answers: it may write less than asked (a signal, a pipe's
 * reader behind, a nearly full disk), and a full tmpfs can answer "0 bytes written" instead of
 * ENOSPC, which a plain retry loop would repeat forever.
 */
import fs from 'node:fs';

/** The error a write that wrote nothing stands for. */
export function noSpace(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write (0 bytes written)'), {
    code: 'ENOSPC',
  });
}

/** Writes all of `chunks` to `fd`, in order, in as few writev calls as it takes. */
export function writevAll(fd: number, chunks: readonly Uint8Array[]): void {
  // Empty pieces write nothing, and a writev of nothing but them would read as a full disk.
  let pending = chunks.filter((c) => c.length > 0);
  while (pending.length > 0) {
    let n = fs.writevSync(fd, pending as Uint8Array[]);
    if (n === 0) throw noSpace();
    const rest: Uint8Array[] = [];
    for (const c of pending) {
      if (n >= c.length) n -= c.length;
      else {
        rest.push(c.subarray(n));
        n = 0;
      }
    }
    pending = rest;
  }
}
