/**
 * What becomes of a multipart upload that did not finish: kept for the next attempt of a run's
 * step (its record on disk, the error saying how to continue or drop it), continued by that
 * attempt when the file, part size, endpoint and server still agree, or aborted on the server
 * (and named with the command to remove it when even the abort fails).
 */
import { bareEtag } from './digest.ts';
import { describeS3Error, S3Error } from './errors.ts';
import { sdk, type TransferContext } from './transfer.ts';
import type { RecordWriter, UploadIdentity, UploadRecord } from './upload-record.ts';
import { formatS3Url, type S3Location } from './url.ts';
/**
 * The earlier attempt's upload of this file to continue, if there is one that still fits: the
 * same file (size and mtime), part size and endpoint, and still open on the server. Its parts
 * are those ListParts confirms; a gateway without ListParts (s3rver answers MethodNotAllowed)
 * keeps the recorded ones, which the final size and ETag check still covers.
 */
export async function earlierUpload(
  ctx: TransferContext,
  id: UploadIdentity,
  source: { size: number; mtimeMs: number },
  partSize: number,
): Promise<UploadRecord | undefined> {
  const records = ctx.resume?.records;
  const record = await records?.load(id);
  if (!records || !record) return undefined;
  const to = { bucket: id.bucket, key: id.key };
  const url = formatS3Url(to);
  const changed =
    record.source.size !== source.size || record.source.mtimeMs !== source.mtimeMs
      ? `${id.path} changed since (its size or modification time differ)`
      : record.partSize !== partSize
        ? `the part size changed (${record.partSize} then, ${partSize} now)`
        : (record.endpoint ?? undefined) !== ctx.endpoint
          ? `the endpoint changed (${record.endpoint ?? 'AWS'} then)`
          : undefined;
  if (changed) {
    ctx.output(
      `not resuming the interrupted upload ${record.uploadId} of ${url}: ${changed}; starting again`,
    );
    await records.remove(id);
    await abandon(ctx, to, record.uploadId, new Error('superseded'));
    return undefined;
  }
  const listed = await listedParts(ctx, to, record.uploadId);
  if (listed === 'gone') {
    ctx.output(
      `the interrupted upload ${record.uploadId} of ${url} is no longer on the server; starting again`,
    );
    await records.remove(id);
    return undefined;
  }
  const parts =
    listed === 'unsupported'
      ? record.parts
      : record.parts.filter((p) => listed.get(p.partNumber) === bareEtag(p.etag));
  ctx.output(
    `resuming the interrupted upload ${record.uploadId} of ${url}: ${parts.length} part(s) already stored${listed === 'unsupported' ? ' (as recorded: this gateway cannot list parts)' : ''}`,
  );
  return { ...record, parts };
}

/** The parts the server holds for an upload (number → bare ETag), or why it cannot say. */
async function listedParts(
  ctx: TransferContext,
  to: S3Location,
  uploadId: string,
): Promise<Map<number, string> | 'gone' | 'unsupported'> {
  const { ListPartsCommand } = await sdk();
  const found = new Map<number, string>();
  let marker: string | undefined;
  try {
    for (;;) {
      const page = await ctx.client.send(
        new ListPartsCommand({
          Bucket: to.bucket,
          Key: to.key,
          UploadId: uploadId,
          ...(marker ? { PartNumberMarker: marker } : {}),
        }),
        ctx.signal ? { abortSignal: ctx.signal } : {},
      );
      for (const p of page.Parts ?? []) found.set(p.PartNumber ?? 0, bareEtag(p.ETag));
      if (!page.IsTruncated || !page.NextPartNumberMarker) return found;
      marker = page.NextPartNumberMarker;
    }
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'NoSuchUpload') return 'gone';
    if (name === 'MethodNotAllowed' || name === 'NotImplemented') return 'unsupported';
    throw new S3Error(
      describeS3Error(error, `list the stored parts of ${formatS3Url(to)}`, ctx.endpoint),
      { cause: error },
    );
  }
}

/** Errors after which the server no longer has a usable upload: nothing is worth keeping. */
const UPLOAD_LOST = new Set(['NoSuchUpload', 'InvalidPart', 'InvalidPartOrder', 'EntityTooSmall']);

/**
 * Keeps a failed multipart upload for the next attempt when the run records uploads: its record
 * is on disk and the error says how to continue it or drop it. False when it cannot be kept.
 */
export async function keepForResume(
  ctx: TransferContext,
  to: S3Location,
  uploadId: string | undefined,
  writer: RecordWriter | undefined,
  error: Error,
): Promise<boolean> {
  if (!uploadId || !writer) return false;
  const cause = (error.cause ?? error) as { name?: string };
  if (UPLOAD_LOST.has(cause.name ?? '')) return false;
  try {
    await writer.flush();
  } catch {
    return false;
  }
  const kept = `the unfinished multipart upload ${uploadId} of ${formatS3Url(to)} is kept with ${writer.record.parts.length} part(s) stored`;
  ctx.output(kept);
  error.message += `; ${kept}: retrying the step (or \`stepwise resume\`) continues it; to drop it instead: \`aws s3api abort-multipart-upload --bucket ${to.bucket} --key ${to.key} --upload-id ${uploadId}\``;
  return true;
}

/** Aborts a failed multipart upload; if even that fails, says so with the command to clean up. */
export async function abandon(
  ctx: TransferContext,
  to: S3Location,
  uploadId: string | undefined,
  error: Error,
) {
  if (!uploadId) return;
  const { AbortMultipartUploadCommand } = await sdk();
  try {
    await ctx.client.send(
      new AbortMultipartUploadCommand({ Bucket: to.bucket, Key: to.key, UploadId: uploadId }),
    );
    ctx.output(`aborted the unfinished multipart upload of ${formatS3Url(to)}`);
  } catch (abortError) {
    const left = `the unfinished multipart upload ${uploadId} of ${formatS3Url(to)} could not be aborted (${(abortError as Error).name}) and is left on the server`;
    ctx.output(left);
    error.message += `; ${left}: remove it with \`aws s3api abort-multipart-upload --bucket ${to.bucket} --key ${to.key} --upload-id ${uploadId}\``;
  }
}
