/**
 * A downloaded body written to a file on the operator's machine without stream layers: each
 * chunk of a {@link RawBody} is hashed and written (at its position, synchronously, into the
 * page cache) while it is still in the socket's read buffer, so no chunk is copied or left for
 * the garbage collector. Like {@link HostFiles.write}, the file appears under its name only
 * once every byte is written and verified.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Digest } from './digest.ts';
import type { RawBody } from './raw-get.ts';

/** Drains `body` into `path` through `digest`; fails (leaving nothing) if its check fails. */
export async function drainToFile(body: RawBody, path: string, digest: Digest): Promise<number> {
  const temporary = `${path}.stepwise-partial`;
  let fd: number | undefined;
  try {
    await mkdir(dirname(path), { recursive: true });
    fd = openSync(temporary, 'w');
    const out = fd;
    let position = 0;
    await body.drain((chunk) => {
      digest.update(chunk);
      for (let offset = 0; offset < chunk.length; ) {
        const n = writeSync(out, chunk, offset, chunk.length - offset, position);
        // A full tmpfs has answered 0 instead of ENOSPC: that would loop forever.
        if (n <= 0)
          throw Object.assign(new Error(`no space left writing ${path}`), { code: 'ENOSPC' });
        offset += n;
        position += n;
      }
    });
    const problem = digest.problem();
    if (problem) throw problem;
    closeSync(fd);
    fd = undefined;
    await rename(temporary, path);
    return position;
  } catch (error) {
    body.destroy();
    if (fd !== undefined) closeSync(fd);
    await rm(temporary, { force: true });
    throw error;
  }
}
