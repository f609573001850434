/**
 * Moving bytes between a host's files and S3: one file up (multipart, parallel parts), one
 * object down (streamed to disk), each verified by size and ETag before it counts as done.
 * The host side is a {@link HostFiles}, so the same code serves the operator's machine and a
 * remote host (bytes then flow host ⇄ operator ⇄ S3).
 */

import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { localFiles } from '../transports/local-files.ts';
import type { HostFiles } from '../transports/transport.ts';
import { bareEtag, candidatePartSizes, Digest, etagParts } from './digest.ts';
import { attempt, S3Error } from './errors.ts';
import { drainToFile } from './local-download.ts';
import { multipartEtag, multipartUpload } from './multipart.ts';
import type { Meter } from './progress.ts';
import { rangedBody } from './ranged.ts';
import { RawBody, rawBodyOptions } from './raw-get.ts';
import { abandon, earlierUpload, keepForResume } from './unfinished-upload.ts';
import {
  type RecordWriter,
  type StoredPart,
  UPLOAD_RECORD_VERSION,
  type UploadIdentity,
  type UploadRecord,
  type UploadRecords,
} from './upload-record.ts';
import { formatS3Url, type S3Location } from './url.ts';

/** Lazily loaded SDK modules, shared by every transfer. */
export const sdk = () => import('@aws-sdk/client-s3');

/** Default multipart part size: the aws CLI's 8 MiB. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** S3's minimum part size. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** Parts in flight at once. */
export const DEFAULT_CONCURRENCY = 4;

/**
 * Ranged GETs at once for a download when none was asked for: parallel on AWS (like the aws
 * CLI), one GET from a custom endpoint. Against s3rver on two shared cores 4 ranged GETs were
 * never faster than one streamed GET (equal to half as fast, bench/s3-transfer.mjs), used more
 * CPU and held about 35 MB more (near 200 MB RSS for 1 GiB); a gateway that serves ranges in
 * parallel well gets them with `--concurrency N`.
 */
export function defaultDownloadConcurrency(endpoint: string | undefined): number {
  return endpoint === undefined ? DEFAULT_CONCURRENCY : 1;
}

/** S3's limit on the parts of one upload. */
export const MAX_PARTS = 10_000;

/**
 * The part size an upload of `size` bytes uses: the one asked for, at least S3's minimum, and
 * raised to whole MiB when the file would otherwise need more than {@link MAX_PARTS} parts
 * (8 MiB parts stop at about 78 GiB).
 */
export function uploadPartSize(asked: number, size: number): number {
  const mib = 1024 * 1024;
  const enough = Math.ceil(size / MAX_PARTS / mib) * mib;
  return Math.max(asked, MIN_PART_SIZE, enough);
}

/** Metadata key that remembers the part size, so a download can check a multipart ETag. */
const PART_SIZE_META = 'stepwise-part-size';

/** What a transfer needs; every side effect comes in here. */
export interface TransferContext {
  client: S3Client;
  /** For messages: where S3 is (undefined for AWS itself). */
  endpoint: string | undefined;
  files: HostFiles;
  signal?: AbortSignal;
  partSize: number;
  /** Parts uploaded at once. */
  concurrency: number;
  /** Ranged GETs at once for a download of more than one part; 1 means one streamed GET. */
  downloadConcurrency: number;
  /** A line for the operator (what was transferred, verified, skipped, deleted). */
  output: (line: string) => void;
  /**
   * Where a run keeps its unfinished multipart uploads, and the host whose files are read: an
   * upload that fails is then kept for the next attempt to continue, not aborted. Without it
   * (`stepwise s3 cp`) a failed upload is aborted.
   */
  resume?: { records: UploadRecords; host: string };
}

/** Uploads one file; resolves once the stored object's size and ETag match the file. */
export async function uploadFile(
  ctx: TransferContext,
  path: string,
  to: S3Location,
  meter: Meter,
): Promise<{ bytes: number; etag: string }> {
  const url = formatS3Url(to);
  const what = `upload ${path} → ${url}`;
  const info = await ctx.files.stat(path);
  if (!info || info.isDirectory) {
    throw new S3Error({ message: `${what}: no such file`, hint: 'check the path on that host' });
  }
  const partSize = uploadPartSize(ctx.partSize, info.size);
  const multipart = info.size > partSize;
  const base = meter.bytes;
  const identity: UploadIdentity | undefined =
    multipart && ctx.resume
      ? { host: ctx.resume.host, path, bucket: to.bucket, key: to.key }
      : undefined;
  const earlier = identity
    ? await earlierUpload(ctx, identity, { size: info.size, mtimeMs: info.mtimeMs }, partSize)
    : undefined;
  let uploadId: string | undefined;
  let writer: RecordWriter | undefined;
  let sent: Sent;
  try {
    sent = multipart
      ? await uploadParts(ctx, what, to, path, partSize, meter, {
          onStarted: (id) => {
            uploadId = id;
            if (!ctx.resume || !identity) return;
            writer = ctx.resume.records.writer(
              earlier ?? {
                version: UPLOAD_RECORD_VERSION,
                endpoint: ctx.endpoint ?? null,
                ...identity,
                uploadId: id,
                partSize,
                source: { size: info.size, mtimeMs: info.mtimeMs },
                parts: [],
              },
            );
            writer.save();
          },
          onStored: (part) => writer?.add(part),
          ...(earlier ? { resume: earlier } : {}),
        })
      : await uploadWhole(ctx, what, to, path, partSize, meter, (id) => {
          uploadId = id;
        });
  } catch (error) {
    if (!(await keepForResume(ctx, to, uploadId, writer, error as Error))) {
      if (identity) await ctx.resume?.records.remove(identity);
      await abandon(ctx, to, uploadId, error as Error);
    }
    throw error;
  }
  // Finished: there is nothing left to resume, whatever the check below finds.
  if (identity) {
    await writer?.flush().catch(() => {});
    await ctx.resume?.records.remove(identity);
  }
  meter.set(base + sent.bytes);
  const { etag } = sent;
  const { HeadObjectCommand } = await sdk();
  const head = await attempt(`check ${url}`, ctx.endpoint, () =>
    ctx.client.send(new HeadObjectCommand({ Bucket: to.bucket, Key: to.key }), {
      ...(ctx.signal ? { abortSignal: ctx.signal } : {}),
    }),
  );
  const problem =
    sent.bytes !== info.size
      ? `the file changed while it was read (${info.size} bytes, then ${sent.bytes})`
      : head.ContentLength !== sent.bytes
        ? `S3 stored ${head.ContentLength} bytes, the file has ${sent.bytes}`
        : sent.verdict === 'mismatch'
          ? `S3's ETag ${etag} does not match the file's (${sent.expected})`
          : undefined;
  if (problem) {
    // A stored object that is not the file must not look like a finished upload.
    await deleteQuietly(ctx, to);
    throw new S3Error({
      message: `${what}: verification failed: ${problem}; the object was removed`,
      hint: 'for an S3-compatible gateway keep `checksums: when-required` (the default for custom endpoints)',
    });
  }
  const verified =
    sent.verdict === 'match'
      ? `ETag ${bareEtag(etag)} verified`
      : sent.verdict === 'parts'
        ? `the ETags of all ${sent.parts} parts verified`
        : 'size verified';
  const resumed =
    sent.kept > 0
      ? `; ${sent.kept} part(s) kept from the interrupted attempt, ${sent.sent} bytes sent`
      : '';
  ctx.output(`upload: ${path} → ${url} (${sent.bytes} bytes, ${verified}${resumed})`);
  return { bytes: sent.bytes, etag };
}

/**
 * What an upload sent, and how its ETag compares with the bytes: `match` (the ETag is the
 * file's MD5 or multipart ETag), `parts` (a gateway that gives a multipart object a plain MD5,
 * as s3rver does, but whose every part's ETag matched), `mismatch`, or `unknown` (size only).
 */
interface Sent {
  bytes: number;
  etag: string;
  verdict: 'match' | 'parts' | 'mismatch' | 'unknown';
  /** What the ETag should have been, for the message of a mismatch. */
  expected: string;
  parts: number;
  sent: number;
  kept: number;
}

/** A multipart upload with our own reused part buffers (continuing `hooks.resume` if given). */
async function uploadParts(
  ctx: TransferContext,
  what: string,
  to: S3Location,
  path: string,
  partSize: number,
  meter: Meter,
  hooks: {
    onStarted: (uploadId: string) => void;
    onStored: (part: StoredPart) => void;
    resume?: UploadRecord;
  },
): Promise<Sent> {
  const resume = hooks.resume;
  // A local file is read straight into the part buffers; another host's streams in.
  const file = ctx.files === localFiles ? await open(path, 'r') : undefined;
  const source = file
    ? {
        readInto: async (into: Buffer) => {
          ctx.signal?.throwIfAborted();
          return (await file.read(into, 0, into.length, null)).bytesRead;
        },
      }
    : ((await ctx.files.read(path, ctx.signal)) as AsyncIterable<Buffer>);
  const done = await attempt(what, ctx.endpoint, () =>
    multipartUpload({
      client: ctx.client,
      endpoint: ctx.endpoint,
      what,
      to,
      source,
      partSize,
      concurrency: ctx.concurrency,
      metadata: { [PART_SIZE_META]: String(partSize) },
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onPart: (n) => meter.add(n),
      onStarted: hooks.onStarted,
      onStored: hooks.onStored,
      ...(resume
        ? {
            resume: {
              uploadId: resume.uploadId,
              parts: new Map(resume.parts.map((p) => [p.partNumber, p])),
            },
          }
        : {}),
    }),
  ).finally(() => file?.close());
  const expected = multipartEtag(done.partMd5s);
  const bare = bareEtag(done.etag);
  return {
    bytes: done.bytes,
    etag: done.etag,
    verdict:
      bare === expected
        ? 'match'
        : etagParts(bare) !== undefined
          ? 'mismatch'
          : done.partsVerified
            ? 'parts'
            : 'unknown',
    expected: `multipart ETag ${expected}`,
    parts: done.partMd5s.length,
    sent: done.sent,
    kept: done.kept,
  };
}

/**
 * A file of one part: lib-storage reads it into one buffer and sends one PutObject (or, should
 * the file have grown since its stat, a multipart upload whose id `onStarted` gets on failure).
 */
async function uploadWhole(
  ctx: TransferContext,
  what: string,
  to: S3Location,
  path: string,
  partSize: number,
  meter: Meter,
  onStarted: (uploadId: string) => void,
): Promise<Sent> {
  const source = new Digest({ whole: true });
  const file = await ctx.files.read(path, ctx.signal);
  const reading = pipeline(file, source).catch((error: unknown) => source.destroy(error as Error));
  const { Upload } = await import('@aws-sdk/lib-storage');
  const base = meter.bytes;
  const upload = new Upload({
    client: ctx.client,
    params: { Bucket: to.bucket, Key: to.key, Body: source },
    partSize,
    queueSize: ctx.concurrency,
    // We abort ourselves, so that a failed abort is reported instead of swallowed.
    leavePartsOnError: true,
  });
  upload.on('httpUploadProgress', (p) => meter.set(base + (p.loaded ?? 0)));
  const onAbort = () => void upload.abort();
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const done = await attempt(what, ctx.endpoint, () => upload.done());
    await reading;
    const etag = done.ETag ?? '';
    const verdict = source.verdict(etag);
    return {
      bytes: source.bytes,
      etag,
      verdict,
      expected: `MD5 ${source.md5()}`,
      parts: 1,
      sent: source.bytes,
      kept: 0,
    };
  } catch (error) {
    if (upload.uploadId) onStarted(upload.uploadId);
    throw error;
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort);
  }
}

async function deleteQuietly(ctx: TransferContext, at: S3Location): Promise<void> {
  const { DeleteObjectCommand } = await sdk();
  await ctx.client
    .send(new DeleteObjectCommand({ Bucket: at.bucket, Key: at.key }))
    .catch(() => {});
}

/**
 * Downloads one object to `path`. An object of more than one part comes as parallel ranged
 * GETs (part size and concurrency as for uploads), reassembled in order; a smaller one as one
 * streamed GET. The file appears only once its size and ETag match the object (HostFiles
 * writes to a temporary name and renames on success).
 */
export async function downloadObject(
  ctx: TransferContext,
  from: S3Location,
  path: string,
  meter: Meter,
): Promise<{ bytes: number }> {
  const url = formatS3Url(from);
  const what = `download ${url} → ${path}`;
  const { GetObjectCommand, HeadObjectCommand } = await sdk();
  const options = ctx.signal ? { abortSignal: ctx.signal } : {};
  const head = await attempt(what, ctx.endpoint, () =>
    ctx.client.send(new HeadObjectCommand({ Bucket: from.bucket, Key: from.key }), options),
  );
  const size = head.ContentLength ?? 0;
  const etag = head.ETag ?? '';
  const partSize = Math.max(ctx.partSize, MIN_PART_SIZE);
  let body: NodeJS.ReadableStream;
  if (size > partSize && ctx.downloadConcurrency > 1) {
    body = rangedBody({
      client: ctx.client,
      endpoint: ctx.endpoint,
      from,
      what,
      size,
      etag,
      partSize,
      concurrency: ctx.downloadConcurrency,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } else {
    const got = await attempt(what, ctx.endpoint, () =>
      ctx.client.send(
        new GetObjectCommand({
          Bucket: from.bucket,
          Key: from.key,
          ...(etag ? { IfMatch: etag } : {}),
        }),
        rawBodyOptions(ctx.signal),
      ),
    );
    if ((got.ContentLength ?? 0) !== size || (etag && got.ETag && got.ETag !== etag)) {
      (got.Body as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      throw new S3Error({
        message: `${what}: the object changed between its HEAD and its GET`,
        hint: 'run it again once nothing is writing that object',
      });
    }
    body = got.Body as NodeJS.ReadableStream;
  }
  meter.setTotal(size);
  const parts = etagParts(etag);
  const hint = Number(head.Metadata?.[PART_SIZE_META] ?? 0) || undefined;
  const partSizes = parts === undefined ? [] : candidatePartSizes(size, parts, hint);
  let verdict = '';
  const digest = new Digest({
    whole: parts === undefined,
    partSizes,
    onBytes: (n) => meter.add(n),
    check: (d) => {
      if (d.bytes !== size) {
        return new Error(`the connection ended after ${d.bytes} of ${size} bytes`);
      }
      const v = d.verdict(etag);
      if (v === 'mismatch') return new Error(`the bytes do not match the object's ETag ${etag}`);
      verdict =
        v === 'match'
          ? `ETag ${etag.replaceAll('"', '')} verified`
          : 'size verified (ETag from an unknown part size)';
      return undefined;
    },
  });
  if (body instanceof RawBody && ctx.files === localFiles) {
    // One GET to this machine: hashed and written straight from the socket's buffer.
    await attempt(what, ctx.endpoint, () => drainToFile(body, path, digest));
  } else {
    const piping = pipeline(body, digest).catch((error: unknown) => digest.destroy(error as Error));
    await attempt(what, ctx.endpoint, async () => {
      await Promise.all([ctx.files.write(path, digest, ctx.signal), piping]);
    });
  }
  ctx.output(`download: ${url} → ${path} (${size} bytes, ${verdict})`);
  return { bytes: size };
}
