/**
 * Downloads of more than one part come as parallel ranged GETs from a real s3rver, reassembled
 * byte-exact (odd final part included) and verified; a small object still comes as one GET.
 * The requests are seen through a middleware on the real SDK client, not a mock.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { s3Client } from '../../src/s3/config.ts';
import { runOperation } from '../../src/s3/operation.ts';
import { Meter, type ProgressReport } from '../../src/s3/progress.ts';
import {
  DEFAULT_CONCURRENCY,
  defaultDownloadConcurrency,
  downloadObject,
  type TransferContext,
  uploadPartSize,
} from '../../src/s3/transfer.ts';
import { localFiles } from '../../src/transports/local-files.ts';
import type { HostFiles } from '../../src/transports/transport.ts';
import { randomFile, recordingIO, withS3rver, withTempDir } from './helpers.ts';

const s3 = withS3rver();
const tmp = withTempDir();
const MiB = 1024 * 1024;

/** The Range header of every GET the client sends ('' for a whole-object GET). */
function recordRanges(client: S3Client): string[] {
  const ranges: string[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { method?: string; headers?: Record<string, string> };
      if (request.method === 'GET') ranges.push(request.headers?.range ?? '');
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordRanges' },
  );
  return ranges;
}

async function download(key: string, path: string, partSize: number, concurrency: number) {
  const client = await s3Client(s3.config(), {});
  const ranges = recordRanges(client);
  const lines: string[] = [];
  const reports: ProgressReport[] = [];
  const ctx: TransferContext = {
    client,
    endpoint: s3.server.endpoint,
    files: localFiles,
    partSize,
    concurrency: 4,
    downloadConcurrency: concurrency,
    output: (l) => lines.push(l),
  };
  const meter = new Meter(`download ${key}`, undefined, (r) => reports.push(r), 0);
  try {
    const r = await downloadObject(ctx, { bucket: 'ranged', key }, path, meter);
    meter.finish();
    return { ...r, ranges, lines, reports };
  } finally {
    client.destroy();
  }
}

describe('ranged downloads against s3rver', { timeout: 60_000 }, () => {
  it('fetches a multipart object in parallel ranges and writes it byte for byte', async () => {
    await runOperation({ op: 'mb', url: 's3://ranged', config: s3.config() }, recordingIO());
    const file = join(tmp.dir, 'odd.bin');
    // Four whole 5 MiB parts and an odd 12 345-byte tail.
    const size = 4 * 5 * MiB + 12_345;
    const data = randomFile(file, size);
    await runOperation(
      {
        op: 'upload',
        from: file,
        to: 's3://ranged/odd.bin',
        partSize: 5 * MiB,
        concurrency: 3,
        config: s3.config(),
      },
      recordingIO(),
    );
    const out = join(tmp.dir, 'down', 'odd.bin');
    const r = await download('odd.bin', out, 5 * MiB, 3);
    expect(r.bytes).toBe(size);
    expect(readFileSync(out).equals(data)).toBe(true);
    const p = 5 * MiB;
    expect(r.ranges.sort()).toEqual(
      [0, 1, 2, 3]
        .map((i) => `bytes=${i * p}-${(i + 1) * p - 1}`)
        .concat(`bytes=${4 * p}-${size - 1}`)
        .sort(),
    );
    expect(r.lines.join('\n')).toMatch(
      new RegExp(`download: s3://ranged/odd\\.bin → .* \\(${size} bytes, ETag \\S+ verified\\)`),
    );
    // Progress counts every byte once, in order, and ends at the object's size.
    const bytes = r.reports.map((x) => x.bytes);
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    expect(r.reports.at(-1)).toMatchObject({ done: true, bytes: size, total: size });
    expect(readdirSync(join(tmp.dir, 'down'))).toEqual(['odd.bin']);
  });

  it('reassembles parts of a size other than the upload’s, with more parts than concurrency', async () => {
    const file = join(tmp.dir, 'other.bin');
    const size = 13 * MiB + 7;
    const data = randomFile(file, size);
    await runOperation(
      { op: 'cp', from: file, to: 's3://ranged/other.bin', config: s3.config() },
      recordingIO(),
    );
    const out = join(tmp.dir, 'other.back');
    const r = await download('other.bin', out, 5 * MiB, 2);
    expect(r.ranges).toHaveLength(3);
    expect(r.ranges.at(-1)).toBe(`bytes=${10 * MiB}-${size - 1}`);
    expect(readFileSync(out).equals(data)).toBe(true);
  });

  it('gets an object of one part, or with concurrency 1, as one streamed GET', async () => {
    const file = join(tmp.dir, 'one.bin');
    const data = randomFile(file, 3 * MiB + 1);
    await runOperation(
      { op: 'cp', from: file, to: 's3://ranged/one.bin', config: s3.config() },
      recordingIO(),
    );
    const small = await download('one.bin', join(tmp.dir, 'one.back'), 5 * MiB, 4);
    expect(small.ranges).toEqual(['']);
    expect(readFileSync(join(tmp.dir, 'one.back')).equals(data)).toBe(true);
    const single = await download('other.bin', join(tmp.dir, 'other.single'), 5 * MiB, 1);
    expect(single.ranges).toEqual(['']);
    expect(readFileSync(join(tmp.dir, 'other.single')).length).toBe(13 * MiB + 7);
  });
});

describe('a cancelled ranged download', { timeout: 60_000 }, () => {
  it('fails as cancelled and leaves no file, partial or whole', async () => {
    const file = join(tmp.dir, 'cancel.bin');
    randomFile(file, 30 * MiB);
    await runOperation(
      { op: 'cp', from: file, to: 's3://ranged/cancel.bin', config: s3.config() },
      recordingIO(),
    );
    const operator = new AbortController();
    // The operator cancels once 6 MiB have reached the file (real local files underneath).
    const files: HostFiles = {
      ...localFiles,
      write: (path, source, signal) => {
        let seen = 0;
        const tap = new PassThrough();
        tap.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (seen >= 6 * MiB && !operator.signal.aborted) operator.abort();
        });
        source.on('error', (e) => tap.destroy(e));
        return localFiles.write(path, source.pipe(tap), signal);
      },
    };
    const io = { ...recordingIO(), signal: operator.signal, files };
    const out = join(tmp.dir, 'cancelled', 'cancel.bin');
    const error = await runOperation(
      {
        op: 'cp',
        from: 's3://ranged/cancel.bin',
        to: out,
        partSize: 5 * MiB,
        concurrency: 3,
        config: s3.config(),
      },
      io,
    ).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/^download s3:\/\/ranged\/cancel\.bin → .*: cancelled$/);
    expect(readdirSync(join(tmp.dir, 'cancelled'))).toEqual([]);
  });
});

describe('the upload part size', () => {
  it('is the one asked for, at least 5 MiB, and large enough for 10 000 parts', () => {
    expect(uploadPartSize(8 * MiB, 100 * MiB)).toBe(8 * MiB);
    expect(uploadPartSize(1 * MiB, 100 * MiB)).toBe(5 * MiB);
    const size = 100 * 1024 * MiB; // 100 GiB: 12 800 parts of 8 MiB
    const p = uploadPartSize(8 * MiB, size);
    expect(p % MiB).toBe(0);
    expect(Math.ceil(size / p)).toBeLessThanOrEqual(10_000);
    expect(Math.ceil(size / (p - MiB))).toBeGreaterThan(10_000);
  });
});

describe('the default number of ranged GETs', () => {
  it('is parallel on AWS and one streamed GET from a custom endpoint, as measured', () => {
    expect(defaultDownloadConcurrency(undefined)).toBe(DEFAULT_CONCURRENCY);
    expect(DEFAULT_CONCURRENCY).toBeGreaterThan(1);
    expect(defaultDownloadConcurrency('http://127.0.0.1:9000')).toBe(1);
  });
});
