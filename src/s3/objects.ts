/** Listing objects under a prefix, and making buckets. */
import type { S3Client } from '@aws-sdk/client-s3';
import { formatBytes } from '../render/units.ts';
import { attempt } from './errors.ts';
import { sdk } from './transfer.ts';
import { formatS3Url, type S3Location } from './url.ts';

/** An object as a listing shows it. */
export interface S3Object {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
}

/** What a non-recursive listing shows: objects at this level and the "folders" below it. */
export interface S3Listing {
  objects: S3Object[];
  prefixes: string[];
}

/** Every object whose key starts with `at.key` (or one level of it, with `delimiter`). */
export async function listObjects(
  client: S3Client,
  endpoint: string | undefined,
  at: S3Location,
  options: { delimiter?: string; signal?: AbortSignal } = {},
): Promise<S3Listing> {
  const { ListObjectsV2Command } = await sdk();
  const out: S3Listing = { objects: [], prefixes: [] };
  let token: string | undefined;
  do {
    const page = await attempt(`list ${formatS3Url(at)}`, endpoint, () =>
      client.send(
        new ListObjectsV2Command({
          Bucket: at.bucket,
          Prefix: at.key,
          ...(options.delimiter ? { Delimiter: options.delimiter } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
        options.signal ? { abortSignal: options.signal } : {},
      ),
    );
    for (const o of page.Contents ?? []) {
      out.objects.push({
        key: o.Key ?? '',
        size: o.Size ?? 0,
        etag: o.ETag ?? '',
        lastModified: o.LastModified ?? new Date(0),
      });
    }
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) out.prefixes.push(p.Prefix);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** The newest object first (ties by key, descending). */
export function newestFirst(objects: readonly S3Object[]): S3Object[] {
  return [...objects].sort(
    (a, b) => b.lastModified.getTime() - a.lastModified.getTime() || (a.key < b.key ? 1 : -1),
  );
}

/** A line as `aws s3 ls` prints it: date, time, size, key. */
export function lsLine(o: S3Object, base = ''): string {
  const t = o.lastModified.toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, 19)} ${String(o.size).padStart(10)} ${o.key.slice(base.length)}`;
}

/** `3 h ago`, `2 d ago`. */
export function age(from: Date, now: Date): string {
  const s = Math.max(0, (now.getTime() - from.getTime()) / 1000);
  if (s < 120) return `${Math.round(s)} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/** A label for a choice: key, size and age. */
export function choiceLabel(o: S3Object, now: Date): string {
  return `${o.key}  ${formatBytes(o.size)}  ${age(o.lastModified, now)}`;
}

/** Creates a bucket; one that already exists and is ours counts as done. */
export async function makeBucket(
  client: S3Client,
  endpoint: string | undefined,
  bucket: string,
  region: string | undefined,
): Promise<'created' | 'exists'> {
  const { CreateBucketCommand } = await sdk();
  try {
    await attempt(`make bucket s3://${bucket}`, endpoint, () =>
      client.send(
        new CreateBucketCommand({
          Bucket: bucket,
          // us-east-1 is the one region that takes no location constraint.
          ...(region && region !== 'us-east-1' && !endpoint
            ? { CreateBucketConfiguration: { LocationConstraint: region as never } }
            : {}),
        }),
      ),
    );
    return 'created';
  } catch (error) {
    const name = ((error as Error).cause as { name?: string } | undefined)?.name;
    if (name === 'BucketAlreadyOwnedByYou') return 'exists';
    // Some gateways (s3rver) say "already exists" for our own bucket too: it is ours if we
    // can reach it. On AWS another owner's bucket answers 403 here, and the error stands.
    if (name === 'BucketAlreadyExists') {
      const { HeadBucketCommand } = await sdk();
      const ours = await client.send(new HeadBucketCommand({ Bucket: bucket })).then(
        () => true,
        () => false,
      );
      if (ours) return 'exists';
    }
    throw error;
  }
}
