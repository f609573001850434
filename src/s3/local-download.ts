/**
 * A downloaded body written to a file on the operator's machine without stream layers: the
 * socket reads straight into a few reused 256 KiB buffers ({@link RawBody.drain}); each full
 * buffer is hashed in order and written at its position by the thread pool, one write at a time,
 * so the kernel's copy into the page cache (on this machine kind often the costliest part of a
 * download, up to 1.5 s per GiB) overlaps the next reads instead of stopping them. No chunk is
 * copied or left for the garbage collector. Like {@link HostFiles.write}, the file appears under its name only once every byte
 * is written and verified.
 */
import { close, open, write } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { noSpace } from '../journal/write-all.ts';
import type { Digest } from './digest.ts';
import type { RawBody } from './raw-get.ts';

/**
 * 16 buffers of 256 KiB: the write of one overlaps the next reads, and a buffer is still in the
 * CPU's cache when it is hashed and written (1 MiB buffers measured no better and sometimes worse).
 */
const DRAIN_BUFFERS = { buffers: 16, size: 256 * 1024 };

const openFile = promisify(open);
const closeFile = promisify(close);

/** Drains `body` into `path` through `digest`; fails (leaving nothing) if its check fails. */
export async function drainToFile(body: RawBody, path: string, digest: Digest): Promise<number> {
  const temporary = `${path}.stepwise-partial`;
  let fd: number | undefined;
  // One write at a time, in order: concurrent writes to one file contend for its inode lock
  // (4 at once spent 3–4 s of system time per GiB here, one at a time 0.3–1.5 s).
  let writes: Promise<void> = Promise.resolve();
  try {
    await mkdir(dirname(path), { recursive: true });
    fd = await openFile(temporary, 'w');
    const out = fd;
    let position = 0;
    let failure: Error | undefined;
    await body.drain((chunk, release) => {
      if (failure) throw failure;
      digest.update(chunk);
      const at = position;
      position += chunk.length;
      writes = writes
        .then(() => (failure ? undefined : writeAll(out, chunk, at)))
        .then(release, (error: Error) => {
          failure ??= error;
          body.failed(error);
        });
    }, DRAIN_BUFFERS);
    await writes;
    if (failure) throw failure;
    const problem = digest.problem();
    if (problem) throw problem;
    await closeFile(fd);
    fd = undefined;
    await rename(temporary, path);
    return position;
  } catch (error) {
    body.destroy();
    await writes;
    if (fd !== undefined) await closeFile(fd).catch(() => {});
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Writes all of `chunk` at `position`, however many calls that takes. */
function writeAll(fd: number, chunk: Buffer, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const next = (offset: number) =>
      write(fd, chunk, offset, chunk.length - offset, position + offset, (error, n) => {
        if (error) reject(error);
        // A full tmpfs has answered 0 instead of ENOSPC: that would loop forever.
        else if (n <= 0) reject(noSpace());
        else if (offset + n < chunk.length) next(offset + n);
        else resolve();
      });
    next(0);
  });
}
