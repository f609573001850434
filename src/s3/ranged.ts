/**
 * A large object's bytes fetched as parallel ranged GETs and handed on in order, as one stream.
 * Parts are reassembled in order (rather than written at their offsets) so that the same
 * stream serves every {@link HostFiles} (a remote host's SFTP too) and the ETag check still
 * hashes the bytes in order, which a plain-MD5 ETag (s3rver's, even for multipart objects)
 * needs. Memory stays bounded: only the parts in the window (concurrency × part size) are held.
 */
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { attempt } from './errors.ts';
import { sdk } from './transfer.ts';
import type { S3Location } from './url.ts';

/** What the ranged reader needs; `etag` and `size` come from a HEAD of the object. */
export interface RangedSource {
  client: S3Client;
  endpoint: string | undefined;
  from: S3Location;
  /** Names the transfer in error messages. */
  what: string;
  size: number;
  etag: string;
  partSize: number;
  concurrency: number;
  signal?: AbortSignal;
}

/** One part being fetched: its chunks wait here until the reader reaches it. */
interface Part {
  chunks: Buffer[];
  done: boolean;
}

/**
 * The object's bytes in order. A part that fails (or arrives short, or from a changed object)
 * fails the stream at once and cancels the other requests, so nothing partial counts as done.
 */
export function rangedBody(s: RangedSource): Readable {
  const cancel = new AbortController();
  const onAbort = () => cancel.abort(s.signal?.reason);
  s.signal?.addEventListener('abort', onAbort, { once: true });
  const count = Math.ceil(s.size / s.partSize);
  const parts = new Map<number, Part>();
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const fetchPart = async (index: number, part: Part) => {
    const start = index * s.partSize;
    const end = Math.min(s.size, start + s.partSize) - 1;
    try {
      const { GetObjectCommand } = await sdk();
      await attempt(s.what, s.endpoint, async () => {
        const got = await s.client.send(
          new GetObjectCommand({
            Bucket: s.from.bucket,
            Key: s.from.key,
            Range: `bytes=${start}-${end}`,
            // S3 refuses a part of a different object; for gateways that ignore it, the
            // ETag comparison below catches a replaced object.
            ...(s.etag ? { IfMatch: s.etag } : {}),
          }),
          { abortSignal: cancel.signal },
        );
        if (s.etag && got.ETag && got.ETag !== s.etag) {
          throw new Error(
            `the object changed during the download (ETag ${got.ETag}, was ${s.etag})`,
          );
        }
        let received = 0;
        for await (const chunk of got.Body as AsyncIterable<Buffer>) {
          received += chunk.length;
          part.chunks.push(chunk);
          notify();
        }
        if (received !== end + 1 - start) {
          throw new Error(
            `the connection ended after ${start + received} of ${s.size} bytes (bytes ${start}–${end})`,
          );
        }
      });
      part.done = true;
    } catch (error) {
      failure ??= error as Error;
      cancel.abort();
    }
    notify();
  };

  let launched = 0;
  const launch = (upTo: number) => {
    for (; launched < Math.min(count, upTo); launched++) {
      const part: Part = { chunks: [], done: false };
      parts.set(launched, part);
      void fetchPart(launched, part);
    }
  };

  async function* ordered(): AsyncGenerator<Buffer> {
    try {
      for (let i = 0; i < count; i++) {
        // The window: this part and the next concurrency − 1 are in flight or held.
        launch(i + s.concurrency);
        const part = parts.get(i);
        if (!part) throw new Error(`part ${i} was never requested`);
        let next = 0;
        for (;;) {
          if (failure) throw failure;
          const chunk = part.chunks[next];
          if (chunk) {
            part.chunks[next++] = EMPTY;
            yield chunk;
          } else if (part.done) {
            break;
          } else {
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
          }
        }
        parts.delete(i);
      }
    } finally {
      cancel.abort();
      s.signal?.removeEventListener('abort', onAbort);
    }
  }

  const stream = Readable.from(ordered(), { objectMode: false });
  // A consumer that gives up (the write failed) must not leave requests running; the abort
  // also wakes the generator, which may be waiting for a part rather than at a yield.
  stream.once('close', () => {
    if (!cancel.signal.aborted) {
      failure ??= new Error('the download was cancelled');
      cancel.abort();
      notify();
    }
  });
  return stream;
}

/** Frees a delivered chunk while the part's array is still being filled. */
const EMPTY = Buffer.alloc(0);
