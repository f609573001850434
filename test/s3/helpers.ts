/**
 * Shared pieces of the S3 tests: a real s3rver per test file, temp dirs, files of random bytes,
 * and the transfer context the code under test gets.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import {
  S3RVER_KEY,
  S3RVER_SECRET,
  type S3rverHandle,
  startS3rver,
} from '../../fixtures/s3/server.ts';
import type { S3Config } from '../../src/s3/config.ts';
import type { OperationIO } from '../../src/s3/operation.ts';
import type { ProgressReport } from '../../src/s3/progress.ts';
import { localFiles } from '../../src/transports/local-files.ts';
import type { HostFiles } from '../../src/transports/transport.ts';

/** Starts s3rver before the file's tests and stops it after them, even when they fail. */
export function withS3rver(): { readonly server: S3rverHandle; config(): S3Config } {
  let server: S3rverHandle | undefined;
  beforeAll(async () => {
    server = await startS3rver();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get server() {
      return server!;
    },
    config: () => ({
      endpoint: server!.endpoint,
      accessKeyId: S3RVER_KEY,
      secretAccessKey: S3RVER_SECRET,
    }),
  };
}

/** A temporary directory removed after the file's tests. */
export function withTempDir(): { readonly dir: string } {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stepwise-s3-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    get dir() {
      return dir;
    },
  };
}

export function randomFile(path: string, bytes: number): Buffer {
  const data = randomBytes(bytes);
  writeFileSync(path, data);
  return data;
}

/** IO for runOperation on the operator's machine, recording what it reports. */
export function recordingIO(
  env: NodeJS.ProcessEnv = {},
): OperationIO & { lines: string[]; reports: ProgressReport[] } {
  const lines: string[] = [];
  const reports: ProgressReport[] = [];
  return {
    files: localFiles,
    env,
    lines,
    reports,
    output: (l) => lines.push(l),
    progress: (r) => reports.push(r),
  };
}

/** The bytes s3rver stored for an object, read from its directory. */
export function storedBytes(server: S3rverHandle, bucket: string, key: string): Buffer {
  const parts = key.split('/');
  const name = parts.pop()!;
  return readFileSync(join(server.directory, bucket, ...parts, `${name}._S3rver_object`));
}

/** Real local files whose streams call `after` once `limit` bytes went through. */
export function tripwire(limit: number, after: () => void): HostFiles {
  const watch = (source: NodeJS.ReadableStream) => {
    let seen = 0;
    // Counted as the consumer takes the bytes: a 'data' listener would set the stream flowing
    // and count (and drop) bytes before anyone reads them.
    const tap = new Transform({
      transform(chunk: Buffer, _, done) {
        seen += chunk.length;
        if (seen >= limit && seen - chunk.length < limit) after();
        done(null, chunk);
      },
    });
    source.on('error', (e) => tap.destroy(e));
    return source.pipe(tap);
  };
  return {
    ...localFiles,
    read: async (path, signal) => watch(await localFiles.read(path, signal)),
    write: (path, source, signal) => localFiles.write(path, watch(source), signal),
  };
}
