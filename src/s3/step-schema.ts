/**
 * The `s3:` block of a runbook step, of a `choose`, and the arguments of the `s3.*` check
 * kinds. Strings are templates (rendered as text, never through a shell): credentials usually
 * come from secret parameters or secret captures, e.g. `secret_key: "{{ gateway_secret }}"`.
 */
import { z } from 'zod';
import { durationMs } from '../engine/duration.ts';

/** `60s`, `2m`, or seconds; 0 waits forever (runbook/schema.ts's duration, plus 0). */
const timeoutSchema = z.union([
  z.number().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'a duration like "60s" or "2m", or 0'),
]);

/** How to reach S3; everything is optional and falls back to the AWS credential chain. */
export const s3ConnectionShape = {
  /** A custom endpoint for S3-compatible gateways, e.g. `http://10.0.0.5:7480`. */
  endpoint: z.string().optional(),
  region: z.string().optional(),
  /** A profile from ~/.aws/config and ~/.aws/credentials. */
  profile: z.string().optional(),
  /** Path-style addressing (default: on for a custom endpoint). */
  path_style: z.boolean().optional(),
  /** Usually `{{ a_secret_parameter }}` or a secret capture. */
  access_key: z.string().optional(),
  secret_key: z.string().optional(),
  /** The SDK's integrity checksums; `when-required` is the default for custom endpoints. */
  checksums: z.enum(['when-required', 'when-supported']).optional(),
  /** Give up on a gateway silent this long (default 60s, as the aws CLI; 0: wait forever). */
  read_timeout: timeoutSchema.optional(),
  /** Give up on a connection not made within this long (default 60s; 0: never). */
  connect_timeout: timeoutSchema.optional(),
};

export const s3ConnectionSchema = z.strictObject(s3ConnectionShape);

/** `8MiB`, `16 MB`, `5242880` (bytes). */
export const sizeSchema = z.union([
  z.number().int().positive(),
  z
    .string()
    .regex(
      /^\s*\d+(\.\d+)?\s*(B|KB|KiB|MB|MiB|GB|GiB)?\s*$/i,
      'a size like "8MiB" or a number of bytes',
    ),
]);

/** Bytes in a size such as `8MiB` (KB/MB/GB are read as binary units, like the aws CLI). */
export function parseSize(size: number | string): number {
  if (typeof size === 'number') return size;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMG]?)i?B?\s*$/i.exec(size);
  if (!m) throw new Error(`not a size: ${size}`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2]!.toUpperCase()] ?? 1;
  return Math.round(Number(m[1]) * unit);
}

/** An S3 step: `op` and its operands; one side of a transfer is `s3://…`, the other a path on the host. */
export const s3StepSchema = z
  .strictObject({
    op: z.enum(['upload', 'download', 'sync', 'ls', 'mb']),
    /** upload/download/sync: where from (a path on the step's host, or `s3://bucket/key`). */
    from: z.string().optional(),
    /** upload/download/sync: where to. */
    to: z.string().optional(),
    /** ls/mb: `s3://bucket/prefix`. */
    url: z.string().optional(),
    /** download: a prefix into a directory (upload of a directory is always recursive). */
    recursive: z.boolean().default(false),
    /** sync: also delete what the source no longer has. */
    delete: z.boolean().default(false),
    /** Multipart part size, also the size of a download's ranges (default 8 MiB). */
    part_size: sizeSchema.optional(),
    /**
     * Parts uploaded, or ranged GETs downloaded, at once. Default 4; downloads from a custom
     * endpoint default to one streamed GET (see defaultDownloadConcurrency).
     */
    concurrency: z.number().int().positive().max(64).optional(),
    ...s3ConnectionShape,
  })
  .superRefine((s, ctx) => {
    const need = (field: 'from' | 'to' | 'url') => {
      if (s[field] === undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: `op ${s.op} needs \`${field}\`` });
    };
    if (s.op === 'ls' || s.op === 'mb') need('url');
    else {
      need('from');
      need('to');
    }
  });

/** A `choose` list from an S3 listing: the objects under `url`, newest first. */
export const s3ChooseSchema = z.strictObject({
  url: z.string().min(1),
  /** Only keys matching this regex. */
  match: z.string().optional(),
  /** What the pick becomes: the key (default), its `s3://` URL, or its name after the prefix. */
  value: z.enum(['key', 'url', 'name']).default('key'),
  ...s3ConnectionShape,
});

export type S3StepArgs = z.infer<typeof s3StepSchema>;
export type S3ChooseArgs = z.infer<typeof s3ChooseSchema>;
export type S3ConnectionArgs = z.infer<typeof s3ConnectionSchema>;

/** The client settings from a step's (rendered) connection fields. */
export function connectionConfig(a: S3ConnectionArgs) {
  return {
    ...(a.endpoint ? { endpoint: a.endpoint } : {}),
    ...(a.region ? { region: a.region } : {}),
    ...(a.profile ? { profile: a.profile } : {}),
    ...(a.path_style === undefined ? {} : { pathStyle: a.path_style }),
    ...(a.access_key ? { accessKeyId: a.access_key } : {}),
    ...(a.secret_key ? { secretAccessKey: a.secret_key } : {}),
    ...(a.checksums ? { checksums: a.checksums } : {}),
    ...(a.read_timeout === undefined ? {} : { readTimeoutMs: durationMs(a.read_timeout) ?? 0 }),
    ...(a.connect_timeout === undefined
      ? {}
      : { connectTimeoutMs: durationMs(a.connect_timeout) ?? 0 }),
  };
}
