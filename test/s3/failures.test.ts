/**
 * A gateway that dies mid-transfer: the transfer fails with a clear error, no partial object or
 * file is reported as done, and an unfinished multipart upload is never left behind silently.
 * Each test kills its own s3rver (SIGKILL) once a given number of bytes have gone by.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { S3RVER_KEY, S3RVER_SECRET, startS3rver } from '../../fixtures/s3/server.ts';
import { runOperation } from '../../src/s3/operation.ts';
import { randomFile, recordingIO, tripwire, withTempDir } from './helpers.ts';

const tmp = withTempDir();
const MiB = 1024 * 1024;

describe('a gateway killed mid-transfer', { timeout: 60_000 }, () => {
  it('fails an upload clearly and names the multipart upload it could not abort', async () => {
    const server = await startS3rver();
    try {
      const config = {
        endpoint: server.endpoint,
        accessKeyId: S3RVER_KEY,
        secretAccessKey: S3RVER_SECRET,
      };
      await runOperation({ op: 'mb', url: 's3://dying', config }, recordingIO());
      const file = join(tmp.dir, 'upload-killed.bin');
      randomFile(file, 40 * MiB);
      const io = { ...recordingIO(), files: tripwire(18 * MiB, () => server.kill()) };
      const error = await runOperation(
        {
          op: 'upload',
          from: file,
          to: 's3://dying/big.bin',
          partSize: 5 * MiB,
          concurrency: 2,
          config,
        },
        io,
      ).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(
        /^upload .* → s3:\/\/dying\/big\.bin: the connection to S3 at http:\/\/127\.0\.0\.1:\d+ failed \(E[A-Z]+\)/,
      );
      // s3rver cannot abort (or even list) multipart uploads, so the leftover is named.
      const id =
        /the unfinished multipart upload (\S+) of s3:\/\/dying\/big\.bin could not be aborted/.exec(
          error!.message,
        )?.[1];
      expect(id).toBeDefined();
      expect(readdirSync(join(server.directory, 'dying', '._S3rver_uploads'))).toEqual([id]);
      expect(existsSync(join(server.directory, 'dying', 'big.bin._S3rver_object'))).toBe(false);
      expect(io.lines.join('\n')).not.toMatch(/^upload: /m);
    } finally {
      await server.stop();
    }
  });

  it('fails a ranged download clearly and leaves no file, partial or whole', async () => {
    const server = await startS3rver();
    try {
      const config = {
        endpoint: server.endpoint,
        accessKeyId: S3RVER_KEY,
        secretAccessKey: S3RVER_SECRET,
      };
      await runOperation({ op: 'mb', url: 's3://dying', config }, recordingIO());
      const file = join(tmp.dir, 'download-source.bin');
      randomFile(file, 48 * MiB);
      await runOperation({ op: 'cp', from: file, to: 's3://dying/big.bin', config }, recordingIO());
      const target = join(tmp.dir, 'out', 'big.bin');
      const io = { ...recordingIO(), files: tripwire(4 * MiB, () => server.kill()) };
      // 5 MiB parts, 3 at a time: the kill lands while ranged GETs are in flight.
      await expect(
        runOperation(
          {
            op: 'cp',
            from: 's3://dying/big.bin',
            to: target,
            partSize: 5 * MiB,
            concurrency: 3,
            config,
          },
          io,
        ),
      ).rejects.toThrow(
        /^download s3:\/\/dying\/big\.bin → .*: (the connection to S3 .* failed|the connection ended after \d+ of 50331648 bytes)/,
      );
      expect(existsSync(target)).toBe(false);
      expect(readdirSync(join(tmp.dir, 'out'))).toEqual([]);
      expect(io.reports.at(-1)?.bytes).toBeLessThan(48 * MiB);
    } finally {
      await server.stop();
    }
  });
});

describe('a cancelled multipart upload', { timeout: 60_000 }, () => {
  it('sends the abort; refused (s3rver), it names the upload and the command that removes it', async () => {
    const server = await startS3rver();
    try {
      const config = {
        endpoint: server.endpoint,
        accessKeyId: S3RVER_KEY,
        secretAccessKey: S3RVER_SECRET,
      };
      await runOperation({ op: 'mb', url: 's3://halted', config }, recordingIO());
      const file = join(tmp.dir, 'upload-cancelled.bin');
      randomFile(file, 40 * MiB);
      const operator = new AbortController();
      const io = {
        ...recordingIO(),
        signal: operator.signal,
        files: tripwire(12 * MiB, () => operator.abort()),
      };
      const error = await runOperation(
        {
          op: 'upload',
          from: file,
          to: 's3://halted/big.bin',
          partSize: 5 * MiB,
          concurrency: 2,
          config,
        },
        io,
      ).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(/^upload .* → s3:\/\/halted\/big\.bin: cancelled/);
      // The server stays up, so the abort is really sent; s3rver answers it with 405 (it has
      // no AbortMultipartUpload), and the message then names the upload and how to remove it.
      const m =
        /the unfinished multipart upload (\S+) of s3:\/\/halted\/big\.bin could not be aborted \((\w+)\) and is left on the server: remove it with `aws s3api abort-multipart-upload --bucket halted --key big\.bin --upload-id (\S+)`/.exec(
          error!.message,
        );
      expect(m?.[1]).toBeDefined();
      expect(m?.[3]).toBe(m?.[1]);
      expect(io.lines).toContain(
        `the unfinished multipart upload ${m?.[1]} of s3://halted/big.bin could not be aborted (${m?.[2]}) and is left on the server`,
      );
      expect(readdirSync(join(server.directory, 'halted', '._S3rver_uploads'))).toEqual([m?.[1]]);
      expect(existsSync(join(server.directory, 'halted', 'big.bin._S3rver_object'))).toBe(false);
    } finally {
      await server.stop();
    }
  });
});
