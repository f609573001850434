/**
 * Directory-sized transfers: a directory up under a prefix, a prefix down into a directory,
 * and sync both ways (only what differs by size or ETag; optionally deleting what the source
 * no longer has). Files go one after another, each with its parts in parallel.
 */
import { posix } from 'node:path';
import type { ListedFile } from '../transports/transport.ts';
import { candidatePartSizes, Digest, etagParts } from './digest.ts';
import { attempt } from './errors.ts';
import { listObjects, type S3Object } from './objects.ts';
import { Meter, type ProgressSink } from './progress.ts';
import { downloadObject, sdk, type TransferContext, uploadFile } from './transfer.ts';
import { dirPrefix, formatS3Url, type S3Location } from './url.ts';

/** What a bulk transfer did. */
export interface BulkResult {
  transferred: number;
  skipped: number;
  deleted: number;
  bytes: number;
}

const join = (dir: string, rel: string) => posix.join(dir, rel);

/** Whether a host file has the same bytes as an object (same size, same ETag). */
async function sameContent(ctx: TransferContext, path: string, size: number, o: S3Object) {
  if (o.size !== size) return false;
  const parts = etagParts(o.etag);
  const digest = new Digest({
    whole: parts === undefined,
    partSizes: parts === undefined ? [] : candidatePartSizes(size, parts, ctx.partSize),
  });
  const { pipeline } = await import('node:stream/promises');
  const { Writable } = await import('node:stream');
  const sink = new Writable({ write: (_c, _e, done) => done() });
  await pipeline(await ctx.files.read(path, ctx.signal), digest, sink);
  // An ETag we cannot reproduce (unknown part size, SSE-KMS) is treated as changed: copy again.
  return digest.verdict(o.etag) === 'match';
}

/** Uploads `files` (relative to `dir`) under `to`, one meter for all of them. */
async function uploadAll(
  ctx: TransferContext,
  dir: string,
  files: readonly ListedFile[],
  to: S3Location,
  label: string,
  progress: ProgressSink,
): Promise<number> {
  const meter = new Meter(
    label,
    files.reduce((n, f) => n + f.size, 0),
    progress,
  );
  try {
    for (const f of files) {
      await uploadFile(
        ctx,
        join(dir, f.path),
        { bucket: to.bucket, key: dirPrefix(to.key) + f.path },
        meter,
      );
    }
  } finally {
    meter.finish();
  }
  return meter.bytes;
}

async function downloadAll(
  ctx: TransferContext,
  from: S3Location,
  objects: readonly S3Object[],
  dir: string,
  label: string,
  progress: ProgressSink,
): Promise<number> {
  const prefix = dirPrefix(from.key);
  const meter = new Meter(
    label,
    objects.reduce((n, o) => n + o.size, 0),
    progress,
  );
  try {
    for (const o of objects) {
      await downloadObject(
        ctx,
        { bucket: from.bucket, key: o.key },
        join(dir, o.key.slice(prefix.length)),
        meter,
      );
    }
  } finally {
    meter.finish();
  }
  return meter.bytes;
}

/** Objects under a prefix that a directory download can write: not "folder" markers. */
async function objectsUnder(ctx: TransferContext, at: S3Location): Promise<S3Object[]> {
  const prefix = dirPrefix(at.key);
  const { objects } = await listObjects(
    ctx.client,
    ctx.endpoint,
    { bucket: at.bucket, key: prefix },
    ctx.signal ? { signal: ctx.signal } : {},
  );
  return objects.filter((o) => !o.key.endsWith('/') && o.key.length > prefix.length);
}

export async function uploadDir(
  ctx: TransferContext,
  dir: string,
  to: S3Location,
  progress: ProgressSink,
): Promise<BulkResult> {
  const files = await ctx.files.list(dir);
  const bytes = await uploadAll(
    ctx,
    dir,
    files,
    to,
    `upload ${dir}/ → ${formatS3Url(to)}`,
    progress,
  );
  return { transferred: files.length, skipped: 0, deleted: 0, bytes };
}

export async function downloadPrefix(
  ctx: TransferContext,
  from: S3Location,
  dir: string,
  progress: ProgressSink,
): Promise<BulkResult> {
  const objects = await objectsUnder(ctx, from);
  const bytes = await downloadAll(
    ctx,
    from,
    objects,
    dir,
    `download ${formatS3Url(from)} → ${dir}/`,
    progress,
  );
  return { transferred: objects.length, skipped: 0, deleted: 0, bytes };
}

/** Makes the objects under `to` match the files under `dir`. */
export async function syncUp(
  ctx: TransferContext,
  dir: string,
  to: S3Location,
  options: { delete: boolean },
  progress: ProgressSink,
): Promise<BulkResult> {
  const prefix = dirPrefix(to.key);
  const files = (await ctx.files.stat(dir)) ? await ctx.files.list(dir) : [];
  const remote = new Map((await objectsUnder(ctx, to)).map((o) => [o.key.slice(prefix.length), o]));
  const changed: ListedFile[] = [];
  for (const f of files) {
    const o = remote.get(f.path);
    if (!o || !(await sameContent(ctx, join(dir, f.path), f.size, o))) changed.push(f);
  }
  const bytes = await uploadAll(
    ctx,
    dir,
    changed,
    to,
    `sync ${dir}/ → ${formatS3Url(to)}`,
    progress,
  );
  let deleted = 0;
  if (options.delete) {
    const local = new Set(files.map((f) => f.path));
    const { DeleteObjectCommand } = await sdk();
    for (const rel of [...remote.keys()].filter((k) => !local.has(k))) {
      const key = prefix + rel;
      await attempt(`delete s3://${to.bucket}/${key}`, ctx.endpoint, () =>
        ctx.client.send(new DeleteObjectCommand({ Bucket: to.bucket, Key: key })),
      );
      ctx.output(`delete: s3://${to.bucket}/${key}`);
      deleted++;
    }
  }
  return { transferred: changed.length, skipped: files.length - changed.length, deleted, bytes };
}

/** Makes the files under `dir` match the objects under `from`. */
export async function syncDown(
  ctx: TransferContext,
  from: S3Location,
  dir: string,
  options: { delete: boolean },
  progress: ProgressSink,
): Promise<BulkResult> {
  const prefix = dirPrefix(from.key);
  const objects = await objectsUnder(ctx, from);
  const local = new Map(
    ((await ctx.files.stat(dir)) ? await ctx.files.list(dir) : []).map((f) => [f.path, f]),
  );
  const changed: S3Object[] = [];
  for (const o of objects) {
    const f = local.get(o.key.slice(prefix.length));
    if (!f || !(await sameContent(ctx, join(dir, f.path), f.size, o))) changed.push(o);
  }
  const bytes = await downloadAll(
    ctx,
    from,
    changed,
    dir,
    `sync ${formatS3Url(from)} → ${dir}/`,
    progress,
  );
  let deleted = 0;
  if (options.delete) {
    const remote = new Set(objects.map((o) => o.key.slice(prefix.length)));
    for (const rel of [...local.keys()].filter((k) => !remote.has(k))) {
      await ctx.files.remove(join(dir, rel));
      ctx.output(`delete: ${join(dir, rel)}`);
      deleted++;
    }
  }
  return { transferred: changed.length, skipped: objects.length - changed.length, deleted, bytes };
}
