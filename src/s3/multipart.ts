/**
 * A multipart upload from a stream, parts sent in parallel. Each part is copied once into one
 * of `concurrency` buffers that are reused for the whole upload, so memory stays at
 * concurrency × part size and no part-sized garbage is made per part (lib-storage collects
 * chunks and concatenates them, a fresh part-sized allocation each time). A part is a Buffer,
 * so the SDK can retry it.
 *
 * The bytes are hashed once, here, as they are copied: each part's MD5 is compared with the
 * ETag the server answers for it (the MD5 of what it stored), and the parts' MD5s give the
 * object's multipart ETag. No whole-file MD5 is computed: MD5 is the costliest thing done per
 * byte (slower than the SigV4 SHA-256 with SHA-NI), and a second pass doubled it.
 */
import { createHash, type Hash } from 'node:crypto';
import type { CompletedPart, S3Client } from '@aws-sdk/client-s3';
import { bareEtag } from './digest.ts';
import { attempt, S3Error } from './errors.ts';
import { sdk } from './transfer.ts';
import type { StoredPart } from './upload-record.ts';
import type { S3Location } from './url.ts';

/** What one multipart upload needs. */
export interface MultipartSource {
  client: S3Client;
  endpoint: string | undefined;
  /** Names the transfer in error messages. */
  what: string;
  to: S3Location;
  /**
   * The bytes: a stream (a remote host's file), or `readInto`, which reads the next bytes of a
   * local file straight into a part buffer (resolving to how many; 0 at the end), so that no
   * chunk is allocated, copied and collected per MiB.
   */
  source: AsyncIterable<Buffer> | { readInto: (into: Buffer) => Promise<number> };
  partSize: number;
  concurrency: number;
  metadata?: Record<string, string>;
  signal?: AbortSignal;
  /** Called as each part is stored, with its length. */
  onPart?: (bytes: number) => void;
  /** Called once the upload exists on the server, so a failure can abort it by id. */
  onStarted?: (uploadId: string) => void;
  /**
   * An earlier attempt's upload to continue, with the parts it stored by number. Such a part is
   * not sent again when the bytes read for it have its size and still hash to its ETag.
   */
  resume?: { uploadId: string; parts: ReadonlyMap<number, StoredPart> };
  /** Called as this attempt stores each part. */
  onStored?: (part: StoredPart) => void;
}

/** How a multipart upload ended. */
export interface MultipartResult {
  etag: string;
  /** Bytes read from the source (every part's). */
  bytes: number;
  /** Bytes sent in parts by this attempt. */
  sent: number;
  /** Parts an earlier attempt had stored and this one kept. */
  kept: number;
  /** The MD5 of each part, in order. */
  partMd5s: Buffer[];
  /** Every part's ETag was an MD5 and matched the part's bytes. */
  partsVerified: boolean;
}

/** The multipart ETag of parts with these MD5s: MD5 of the MD5s, then `-N`. */
export function multipartEtag(partMd5s: readonly Buffer[]): string {
  return `${createHash('md5').update(Buffer.concat(partMd5s)).digest('hex')}-${partMd5s.length}`;
}

/** How much of a local file one read takes. */
const READ_SIZE = 1024 * 1024;

/** A part MD5 that S3 gives as its ETag (not under SSE-KMS, where it is something else). */
const MD5_ETAG = /^[0-9a-f]{32}$/;

/** Whether a part an earlier attempt stored still holds the bytes with this MD5 and size. */
function stillStored(stored: StoredPart | undefined, size: number, md5: string): boolean {
  if (!stored || stored.size !== size) return false;
  const etag = bareEtag(stored.etag);
  // An ETag that is no MD5 cannot be checked here; the final size and ETag check still is.
  return !MD5_ETAG.test(etag) || md5 === etag;
}

/** Uploads every byte of `source`; resolves with the object's ETag. */
export async function multipartUpload(m: MultipartSource): Promise<MultipartResult> {
  const s3 = await sdk();
  let uploadId = m.resume?.uploadId ?? '';
  if (!m.resume) {
    const created = await attempt(m.what, m.endpoint, () =>
      m.client.send(
        new s3.CreateMultipartUploadCommand({
          Bucket: m.to.bucket,
          Key: m.to.key,
          ...(m.metadata ? { Metadata: m.metadata } : {}),
        }),
        m.signal ? { abortSignal: m.signal } : {},
      ),
    );
    uploadId = created.UploadId ?? '';
  }
  m.onStarted?.(uploadId);
  let sent = 0;
  let kept = 0;
  let bytes = 0;
  let partsVerified = true;
  const partMd5s: Buffer[] = [];
  const cancel = new AbortController();
  const onAbort = () => cancel.abort(m.signal?.reason);
  m.signal?.addEventListener('abort', onAbort, { once: true });
  const free: Buffer[] = [];
  let allocated = 0;
  let waiting: (() => void) | undefined;
  let failure: Error | undefined;
  const inFlight = new Set<Promise<void>>();
  const parts: CompletedPart[] = [];

  const send = (partNumber: number, buffer: Buffer, length: number, md5: string) => {
    const sending = attempt(m.what, m.endpoint, () =>
      m.client.send(
        new s3.UploadPartCommand({
          Bucket: m.to.bucket,
          Key: m.to.key,
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: buffer.subarray(0, length),
          ContentLength: length,
        }),
        { abortSignal: cancel.signal },
      ),
    )
      .then((r) => {
        const etag = bareEtag(r.ETag);
        if (!MD5_ETAG.test(etag)) partsVerified = false;
        else if (etag !== md5) {
          throw new S3Error({
            message: `${m.what}: S3 stored part ${partNumber} with ETag ${etag}, but its bytes have MD5 ${md5}`,
            hint: 'the bytes changed on the way or in the gateway: run it again; for an S3-compatible gateway keep `checksums: when-required` (the default for custom endpoints)',
          });
        }
        parts.push({ PartNumber: partNumber, ETag: r.ETag ?? '' });
        sent += length;
        m.onStored?.({ partNumber, etag: r.ETag ?? '', size: length });
        m.onPart?.(length);
      })
      .then(undefined, (error: unknown) => {
        failure ??= error as Error;
        cancel.abort();
      });
    const tracked = sending.finally(() => {
      inFlight.delete(tracked);
      free.push(buffer);
      const w = waiting;
      waiting = undefined;
      w?.();
    });
    inFlight.add(tracked);
  };

  /** A buffer to fill: a new one until `concurrency` exist, then the next one freed. */
  const nextBuffer = async (): Promise<Buffer> => {
    for (;;) {
      if (failure) throw failure;
      const b = free.pop();
      if (b) return b;
      if (allocated < m.concurrency) {
        allocated++;
        return Buffer.allocUnsafe(m.partSize);
      }
      await new Promise<void>((resolve) => {
        waiting = resolve;
      });
    }
  };

  let buffer: Buffer = Buffer.alloc(0);
  let filled = 0;
  let partNumber = 1;
  let hash: Hash = createHash('md5');
  /** Sends the filled buffer as the next part, or keeps the part an earlier attempt stored. */
  const cut = async () => {
    const number = partNumber++;
    const digest = hash.digest();
    hash = createHash('md5');
    partMd5s.push(digest);
    bytes += filled;
    const md5 = digest.toString('hex');
    const stored = m.resume?.parts.get(number);
    if (stored && stillStored(stored, filled, md5)) {
      if (!MD5_ETAG.test(bareEtag(stored.etag))) partsVerified = false;
      parts.push({ PartNumber: number, ETag: stored.etag });
      kept++;
      m.onPart?.(filled);
    } else {
      send(number, buffer, filled, md5);
      buffer = await nextBuffer();
    }
    filled = 0;
  };

  try {
    buffer = await nextBuffer();
    if ('readInto' in m.source) {
      for (;;) {
        // 1 MiB at a time: progress and the event loop keep moving.
        const into = buffer.subarray(filled, Math.min(m.partSize, filled + READ_SIZE));
        const n = await m.source.readInto(into);
        if (n === 0) break;
        hash.update(into.subarray(0, n));
        filled += n;
        if (filled === m.partSize) await cut();
        if (failure) throw failure;
      }
    } else {
      for await (const chunk of m.source) {
        let offset = 0;
        while (offset < chunk.length) {
          const n = chunk.copy(buffer, filled, offset);
          hash.update(n === chunk.length ? chunk : chunk.subarray(offset, offset + n));
          filled += n;
          offset += n;
          if (filled === m.partSize) await cut();
        }
        if (failure) throw failure;
      }
    }
    if (filled > 0 || partNumber === 1) await cut();
    while (inFlight.size > 0) await Promise.race(inFlight);
    if (failure) throw failure;
    parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    const done = await attempt(m.what, m.endpoint, () =>
      m.client.send(
        new s3.CompleteMultipartUploadCommand({
          Bucket: m.to.bucket,
          Key: m.to.key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
        m.signal ? { abortSignal: m.signal } : {},
      ),
    );
    return { etag: done.ETag ?? '', bytes, sent, kept, partMd5s, partsVerified };
  } catch (error) {
    cancel.abort();
    await Promise.allSettled(inFlight);
    throw failure ?? error;
  } finally {
    m.signal?.removeEventListener('abort', onAbort);
  }
}
