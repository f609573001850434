/**
 * One S3 operation (upload, download, sync, ls, mb) against a host's files: what both the
 * `s3:` runbook step and `stepwise s3` run. Lines for the operator go to `output`; `ls` lines
 * are also what a step's `capture` reads.
 */
import type { HostFiles } from '../transports/transport.ts';
import { type BulkResult, downloadPrefix, syncDown, syncUp, uploadDir } from './bulk.ts';
import { resolveS3Config, type S3Config, s3Client } from './config.ts';
import { S3Error } from './errors.ts';
import { listObjects, lsLine, makeBucket } from './objects.ts';
import { Meter, type ProgressSink } from './progress.ts';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_PART_SIZE,
  defaultDownloadConcurrency,
  downloadObject,
  type TransferContext,
  uploadFile,
} from './transfer.ts';
import { dirPrefix, formatS3Url, isS3Url, parseS3Url } from './url.ts';

/** An operation with its operands, as the CLI or a rendered step gives it. */
export interface S3Operation {
  op: 'upload' | 'download' | 'sync' | 'ls' | 'mb' | 'cp';
  from?: string;
  to?: string;
  url?: string;
  recursive?: boolean;
  delete?: boolean;
  partSize?: number;
  concurrency?: number;
  config: S3Config;
}

export interface OperationIO {
  /** The host's files; only transfers need them. */
  files?: HostFiles;
  signal?: AbortSignal;
  output: (line: string) => void;
  progress: ProgressSink;
  env?: NodeJS.ProcessEnv;
  /** Where unfinished multipart uploads are kept to be resumed (see TransferContext.resume). */
  resume?: TransferContext['resume'];
}

/** A one-line, secret-free description, for confirmations and dry runs. */
export function describeOperation(o: S3Operation, env: NodeJS.ProcessEnv = process.env): string {
  const endpoint = resolveS3Config(o.config, env).endpoint;
  const at = endpoint ? ` (endpoint ${endpoint})` : '';
  const flags = [o.recursive ? ' --recursive' : '', o.delete ? ' --delete' : ''].join('');
  if (o.op === 'ls' || o.op === 'mb') return `s3 ${o.op} ${o.url}${flags}${at}`;
  return `s3 ${o.op} ${o.from} → ${o.to}${flags}${at}`;
}

const usage = (message: string, hint: string) => new S3Error({ message, hint });

/** Runs it; resolves with a summary line, rejects with an {@link S3Error}. */
export async function runOperation(o: S3Operation, io: OperationIO): Promise<string> {
  const env = io.env ?? process.env;
  const resolved = resolveS3Config(o.config, env);
  const client = await s3Client(o.config, env);
  try {
    const summary = (r: BulkResult, verb: string) =>
      `${verb} ${r.transferred} file(s), ${r.bytes} bytes${r.skipped ? `; ${r.skipped} unchanged` : ''}${r.deleted ? `; ${r.deleted} deleted` : ''}`;
    switch (o.op) {
      case 'mb': {
        const { bucket } = parseS3Url(o.url ?? '');
        const r = await makeBucket(client, resolved.endpoint, bucket, resolved.region);
        io.output(`make_bucket: ${bucket}${r === 'exists' ? ' (already there)' : ''}`);
        return `bucket ${bucket} ${r === 'exists' ? 'already exists' : 'created'}`;
      }
      case 'ls': {
        const at = parseS3Url(o.url ?? '');
        const base = o.recursive ? '' : at.key.slice(0, at.key.lastIndexOf('/') + 1);
        const l = await listObjects(client, resolved.endpoint, at, {
          ...(o.recursive ? {} : { delimiter: '/' }),
          ...(io.signal ? { signal: io.signal } : {}),
        });
        for (const p of l.prefixes) io.output(`${''.padStart(30)} PRE ${p.slice(base.length)}`);
        for (const obj of l.objects) io.output(lsLine(obj, base));
        return `${l.objects.length} object(s)`;
      }
    }
    if (!io.files)
      throw usage(
        `${o.op}: this host has no file access`,
        'run it on a host whose transport can move files',
      );
    const ctx: TransferContext = {
      client,
      endpoint: resolved.endpoint,
      files: io.files,
      ...(io.signal ? { signal: io.signal } : {}),
      partSize: o.partSize ?? DEFAULT_PART_SIZE,
      concurrency: o.concurrency ?? DEFAULT_CONCURRENCY,
      downloadConcurrency: o.concurrency ?? defaultDownloadConcurrency(resolved.endpoint),
      output: io.output,
      ...(io.resume ? { resume: io.resume } : {}),
    };
    const from = o.from ?? '';
    const to = o.to ?? '';
    const up = !isS3Url(from) && isS3Url(to);
    const down = isS3Url(from) && !isS3Url(to);
    if (!up && !down) {
      throw usage(
        `${o.op} ${from} ${to}: one side must be s3://bucket/key and the other a local path`,
        'copying between two buckets or two paths is not supported',
      );
    }
    if (o.op === 'upload' && !up)
      throw usage(
        `upload needs a path \`from\` and an s3:// \`to\``,
        'swap from and to, or use op: download',
      );
    if (o.op === 'download' && !down)
      throw usage(
        `download needs an s3:// \`from\` and a path \`to\``,
        'swap from and to, or use op: upload',
      );
    if (o.op === 'sync') {
      const r = up
        ? await syncUp(ctx, from, parseS3Url(to), { delete: o.delete ?? false }, io.progress)
        : await syncDown(ctx, parseS3Url(from), to, { delete: o.delete ?? false }, io.progress);
      return summary(r, 'synced');
    }
    if (up) {
      const info = await io.files.stat(from);
      if (info?.isDirectory)
        return summary(await uploadDir(ctx, from, parseS3Url(to), io.progress), 'uploaded');
      const target = parseS3Url(to);
      // `cp file s3://b/dir/` keeps the file's name, like the aws CLI.
      if (target.key === '' || target.key.endsWith('/'))
        target.key = dirPrefix(target.key) + (from.split('/').pop() ?? from);
      const meter = new Meter(`upload ${from} → ${formatS3Url(target)}`, info?.size, io.progress);
      try {
        const r = await uploadFile(ctx, from, target, meter);
        return `uploaded ${r.bytes} bytes`;
      } finally {
        meter.finish();
      }
    }
    const source = parseS3Url(from);
    if (o.recursive)
      return summary(await downloadPrefix(ctx, source, to, io.progress), 'downloaded');
    let path = to;
    const there = await io.files.stat(to);
    if (to.endsWith('/') || there?.isDirectory)
      path = `${to.replace(/\/$/, '')}/${source.key.split('/').pop()}`;
    const meter = new Meter(`download ${from} → ${path}`, undefined, io.progress);
    try {
      const r = await downloadObject(ctx, source, path, meter);
      return `downloaded ${r.bytes} bytes`;
    } finally {
      meter.finish();
    }
  } finally {
    client.destroy();
  }
}
