/** Uploads and downloads against a real s3rver: byte-exact, verified, and failing clearly. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCountingProxy } from '../../fixtures/s3/counting-proxy.ts';
import { runOperation } from '../../src/s3/operation.ts';
import { randomFile, recordingIO, storedBytes, withS3rver, withTempDir } from './helpers.ts';

const s3 = withS3rver();
const tmp = withTempDir();
const MiB = 1024 * 1024;

describe('s3 transfers against s3rver', () => {
  it('makes a bucket, and making it again is not an error', async () => {
    const io = recordingIO();
    await runOperation({ op: 'mb', url: 's3://transfers', config: s3.config() }, io);
    const again = await runOperation({ op: 'mb', url: 's3://transfers', config: s3.config() }, io);
    expect(again).toBe('bucket transfers already exists');
  });

  it('uploads a small file in one part, stores exactly its bytes, and downloads it back', async () => {
    const file = join(tmp.dir, 'small.bin');
    const data = randomFile(file, 300 * 1024);
    const io = recordingIO();
    await runOperation(
      { op: 'cp', from: file, to: 's3://transfers/a/small.bin', config: s3.config() },
      io,
    );
    // The WHEN_REQUIRED default: without it s3rver stores aws-chunked framing in the object.
    expect(storedBytes(s3.server, 'transfers', 'a/small.bin').equals(data)).toBe(true);
    const back = join(tmp.dir, 'small.back');
    await runOperation(
      { op: 'cp', from: 's3://transfers/a/small.bin', to: back, config: s3.config() },
      io,
    );
    expect(readFileSync(back).equals(data)).toBe(true);
    expect(io.lines.join('\n')).toMatch(
      /upload: .*small\.bin → s3:\/\/transfers\/a\/small\.bin \(307200 bytes, ETag [0-9a-f]{32} verified\)/,
    );
    expect(io.lines.join('\n')).toMatch(/download: .*\(307200 bytes, ETag [0-9a-f]{32} verified\)/);
  });

  it('uploads a large file in parallel parts with progress, and the round trip is byte-exact', async () => {
    const file = join(tmp.dir, 'big.bin');
    const data = randomFile(file, 23 * MiB);
    const io = recordingIO();
    await runOperation(
      {
        op: 'upload',
        from: file,
        to: 's3://transfers/big.bin',
        partSize: 5 * MiB,
        concurrency: 3,
        config: s3.config(),
      },
      io,
    );
    expect(storedBytes(s3.server, 'transfers', 'big.bin').equals(data)).toBe(true);
    const last = io.reports.at(-1)!;
    expect(last).toMatchObject({ done: true, bytes: 23 * MiB, total: 23 * MiB });
    expect(last.rate).toBeGreaterThan(0);
    const back = join(tmp.dir, 'big.back');
    const down = recordingIO();
    await runOperation(
      { op: 'download', from: 's3://transfers/big.bin', to: back, config: s3.config() },
      down,
    );
    expect(readFileSync(back).equals(data)).toBe(true);
    expect(down.reports.at(-1)).toMatchObject({ done: true, bytes: 23 * MiB, total: 23 * MiB });
  });

  it('fails an upload whose part the gateway stored with other bytes, and keeps no object', async () => {
    const file = join(tmp.dir, 'corrupted.bin');
    randomFile(file, 12 * MiB);
    const proxy = await startCountingProxy(s3.server.port);
    try {
      // One byte flipped on the way, well inside the parts' bodies (headers are ~1 KiB each);
      // s3rver does not check the signed payload hash, so it stores the corrupted part.
      proxy.corruptAt(7 * MiB);
      const io = recordingIO();
      const error = await runOperation(
        {
          op: 'upload',
          from: file,
          to: 's3://transfers/corrupted.bin',
          partSize: 5 * MiB,
          concurrency: 2,
          config: { ...s3.config(), endpoint: proxy.endpoint },
        },
        io,
      ).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(
        /^upload .* → s3:\/\/transfers\/corrupted\.bin: S3 stored part [12] with ETag ([0-9a-f]{32}), but its bytes have MD5 (?!\1)[0-9a-f]{32}/,
      );
      expect(
        existsSync(join(s3.server.directory, 'transfers', 'corrupted.bin._S3rver_object')),
      ).toBe(false);
      expect(io.lines.join('\n')).not.toMatch(/^upload: /m);
    } finally {
      await proxy.close();
    }
  });

  // A wrong secret key: see cli-s3.test.ts (the fixture checks signatures as S3 does).
  it('names rejected credentials clearly', async () => {
    const file = join(tmp.dir, 'creds.bin');
    randomFile(file, 1000);
    const run = runOperation(
      {
        op: 'cp',
        from: file,
        to: 's3://transfers/creds.bin',
        config: { ...s3.config(), accessKeyId: 'NOT-A-KEY' },
      },
      recordingIO(),
    );
    await expect(run).rejects.toThrow(/rejected the credentials \(InvalidAccessKeyId\)/);
  });

  it('lists like the aws CLI, one level or recursively', async () => {
    const io = recordingIO();
    await runOperation({ op: 'ls', url: 's3://transfers/', config: s3.config() }, io);
    expect(io.lines.some((l) => /PRE a\/$/.test(l))).toBe(true);
    expect(
      io.lines.some((l) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+24117248 big\.bin$/.test(l)),
    ).toBe(true);
    const deep = recordingIO();
    await runOperation(
      { op: 'ls', url: 's3://transfers/a/', recursive: true, config: s3.config() },
      deep,
    );
    expect(deep.lines).toHaveLength(1);
    expect(deep.lines[0]).toMatch(/ 307200 a\/small\.bin$/);
  });

  it('refuses a missing object without leaving a file behind', async () => {
    const target = join(tmp.dir, 'missing.out');
    await expect(
      runOperation(
        { op: 'cp', from: 's3://transfers/nope.bin', to: target, config: s3.config() },
        recordingIO(),
      ),
    ).rejects.toThrow(/no such object/);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(tmp.dir).some((f) => f.includes('partial'))).toBe(false);
  });
});
