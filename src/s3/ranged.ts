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
  /** The next chunk to hand on. */
  next: number;
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
  let head = 0;
  let launched = 0;
  let settled = false;

  // Plain events and push(), not async iteration: this path runs once per 64 KiB chunk.
  const out = new Readable({
    read: () => pump(),
    destroy: (error, done) => {
      finish();
      done(error);
    },
  });
  const finish = () => {
    if (settled) return;
    settled = true;
    cancel.abort();
    s.signal?.removeEventListener('abort', onAbort);
  };
  const fail = (error: Error) => {
    if (settled) return;
    finish();
    out.destroy(error);
  };

  /** Hands on what the head part has, moving to the next part as each one completes. */
  const pump = () => {
    while (!settled && head < count) {
      // The window: the head part and the next concurrency − 1 are in flight or held.
      launch(head + s.concurrency);
      const part = parts.get(head);
      if (!part) return;
      const chunk = part.chunks[part.next];
      if (chunk) {
        part.chunks[part.next++] = EMPTY;
        if (!out.push(chunk)) return;
      } else if (part.done) {
        parts.delete(head++);
      } else {
        return;
      }
    }
    if (!settled && head === count) {
      finish();
      out.push(null);
    }
  };

  const fetchPart = async (index: number, part: Part) => {
    const start = index * s.partSize;
    const end = Math.min(s.size, start + s.partSize) - 1;
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
        throw new Error(`the object changed during the download (ETag ${got.ETag}, was ${s.etag})`);
      }
      const body = got.Body as NodeJS.ReadableStream;
      let received = 0;
      await new Promise<void>((resolve, reject) => {
        body.on('data', (chunk: Buffer) => {
          received += chunk.length;
          part.chunks.push(chunk);
          if (index === head) pump();
        });
        body.once('error', reject);
        body.once('end', resolve);
        body.once('close', resolve);
      });
      if (received !== end + 1 - start) {
        throw new Error(
          `the connection ended after ${start + received} of ${s.size} bytes (bytes ${start}–${end})`,
        );
      }
    });
    part.done = true;
    if (index === head) pump();
  };

  const launch = (upTo: number) => {
    for (; launched < Math.min(count, upTo); launched++) {
      const part: Part = { chunks: [], next: 0, done: false };
      parts.set(launched, part);
      fetchPart(launched, part).catch(fail);
    }
  };

  if (count === 0) out.push(null);
  return out;
}

/** Frees a delivered chunk while the part's array is still being filled. */
const EMPTY = Buffer.alloc(0);
