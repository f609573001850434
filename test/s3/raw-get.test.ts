/**
 * The one-GET download path that reads the body off its own socket (src/s3/raw-get.ts), against
 * a real s3rver: byte-exact, a corrupted byte or a cut connection detected with nothing left on
 * disk, S3's errors still parsed by the SDK, and the same body readable as a stream. Also the
 * upload's local-file path that reads into the part buffers, cancelled mid-way.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CountingProxy, startCountingProxy } from '../../fixtures/s3/counting-proxy.ts';
import { s3Client } from '../../src/s3/config.ts';
import { runOperation } from '../../src/s3/operation.ts';
import { parseHead, RawBody, rawBodyOptions } from '../../src/s3/raw-get.ts';
import { randomFile, recordingIO, withS3rver, withTempDir } from './helpers.ts';

const s3 = withS3rver();
const tmp = withTempDir();
const MiB = 1024 * 1024;
let proxy: CountingProxy;
let data: Buffer;

beforeAll(async () => {
  proxy = await startCountingProxy(s3.server.port);
  await runOperation({ op: 'mb', url: 's3://raw', config: s3.config() }, recordingIO());
  const file = join(tmp.dir, 'source.bin');
  data = randomFile(file, 21 * MiB + 123);
  // Multipart (s3rver still gives it a plain MD5 ETag, so the whole body is hashed in order).
  await runOperation(
    { op: 'cp', from: file, to: 's3://raw/obj.bin', partSize: 5 * MiB, config: s3.config() },
    recordingIO(),
  );
});
afterAll(() => proxy.close());

const viaProxy = () => ({ ...s3.config(), endpoint: proxy.endpoint });

describe('a download read straight off the socket', { timeout: 60_000 }, () => {
  it('is what the SDK hands back for a GET that asks for it, and reads as a stream too', async () => {
    const client = await s3Client(s3.config());
    const got = await client.send(
      new GetObjectCommand({ Bucket: 'raw', Key: 'obj.bin' }),
      rawBodyOptions(),
    );
    expect(got.Body).toBeInstanceOf(RawBody);
    expect(got.ContentLength).toBe(data.length);
    const chunks: Buffer[] = [];
    for await (const chunk of got.Body as unknown as RawBody) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    // Without the option, the SDK's own handler answers.
    const plain = await client.send(new GetObjectCommand({ Bucket: 'raw', Key: 'obj.bin' }));
    expect(plain.Body).not.toBeInstanceOf(RawBody);
    (plain.Body as unknown as RawBody).destroy();
  });

  it('downloads byte-exact, verified by the ETag', async () => {
    const target = join(tmp.dir, 'exact', 'obj.bin');
    const io = recordingIO();
    await runOperation({ op: 'cp', from: 's3://raw/obj.bin', to: target, config: viaProxy() }, io);
    expect(readFileSync(target).equals(data)).toBe(true);
    expect(io.lines.join('\n')).toMatch(
      new RegExp(
        `download: s3://raw/obj\\.bin → .* \\(${data.length} bytes, ETag [0-9a-f]{32} verified\\)`,
      ),
    );
    expect(io.reports.at(-1)).toMatchObject({ done: true, bytes: data.length });
  });

  it('fails on one corrupted byte and leaves no file', async () => {
    const target = join(tmp.dir, 'corrupt', 'obj.bin');
    // Far past the response head: a body byte, 7 MiB in.
    proxy.corruptResponseAt(proxy.received() + 7 * MiB);
    await expect(
      runOperation(
        { op: 'cp', from: 's3://raw/obj.bin', to: target, config: viaProxy() },
        recordingIO(),
      ),
    ).rejects.toThrow(
      /^download s3:\/\/raw\/obj\.bin → .*: the bytes do not match the object's ETag/,
    );
    expect(readdirSync(join(tmp.dir, 'corrupt'))).toEqual([]);
  });

  it('fails clearly when the connection is cut mid-body, and leaves no file', async () => {
    const target = join(tmp.dir, 'cut', 'obj.bin');
    proxy.cutResponseAt(proxy.received() + 9 * MiB);
    await expect(
      runOperation(
        { op: 'cp', from: 's3://raw/obj.bin', to: target, config: viaProxy() },
        recordingIO(),
      ),
    ).rejects.toThrow(
      /^download s3:\/\/raw\/obj\.bin → .*: the connection to S3 at http:\/\/127\.0\.0\.1:\d+ failed \(ECONNRESET\)/,
    );
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(join(tmp.dir, 'cut'))).toEqual([]);
  });

  // A gateway that hangs mid-body, its connection open: one GET (raw-get) and ranged GETs
  // (the SDK's handler) both give up after the read timeout, with nothing left on disk.
  for (const [how, concurrency] of [
    ['one GET', 1],
    ['ranged GETs', 2],
  ] as const) {
    it(`gives up on a gateway silent past the read timeout (${how}), and leaves no file`, async () => {
      const target = join(tmp.dir, `stall-${concurrency}`, 'obj.bin');
      proxy.stallResponseAt(proxy.received() + 3 * MiB);
      try {
        await expect(
          runOperation(
            {
              op: 'cp',
              from: 's3://raw/obj.bin',
              to: target,
              concurrency,
              partSize: 8 * MiB,
              config: { ...viaProxy(), readTimeoutMs: 1000 },
            },
            recordingIO(),
          ),
        ).rejects.toThrow(
          /^download s3:\/\/raw\/obj\.bin → .*: S3 at http:\/\/127\.0\.0\.1:\d+ stopped answering \(.*(timed out after 1000 ms|silent for 1 s).*\)/,
        );
      } finally {
        proxy.stallResponseAt(Number.POSITIVE_INFINITY);
      }
      expect(existsSync(target)).toBe(false);
      expect(readdirSync(join(tmp.dir, `stall-${concurrency}`))).toEqual([]);
    });
  }

  it('stops at once when cancelled mid-body, and leaves no file', async () => {
    const target = join(tmp.dir, 'cancel', 'obj.bin');
    const operator = new AbortController();
    proxy.tripResponseAt(proxy.received() + 6 * MiB, () => operator.abort());
    const io = { ...recordingIO(), signal: operator.signal };
    await expect(
      runOperation({ op: 'cp', from: 's3://raw/obj.bin', to: target, config: viaProxy() }, io),
    ).rejects.toThrow(/^download s3:\/\/raw\/obj\.bin → .*: cancelled/);
    expect(readdirSync(join(tmp.dir, 'cancel'))).toEqual([]);
    expect(io.reports.at(-1)?.bytes ?? 0).toBeLessThan(data.length);
  });

  it("leaves S3's error answers to the SDK, which names them", async () => {
    const client = await s3Client(s3.config());
    const error = await client
      .send(new GetObjectCommand({ Bucket: 'raw', Key: 'missing.bin' }), rawBodyOptions())
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(error?.name).toBe('NoSuchKey');
  });
});

describe('an upload read straight into its part buffers (a local file)', {
  timeout: 60_000,
}, () => {
  it('is cancelled mid-upload: nothing stored, and the leftover upload is named', async () => {
    const file = join(tmp.dir, 'cancel-up.bin');
    randomFile(file, 30 * MiB);
    const operator = new AbortController();
    proxy.reset();
    proxy.tripAt(8 * MiB, () => operator.abort());
    const io = { ...recordingIO(), signal: operator.signal };
    const error = await runOperation(
      {
        op: 'upload',
        from: file,
        to: 's3://raw/cancelled.bin',
        partSize: 5 * MiB,
        concurrency: 2,
        config: viaProxy(),
      },
      io,
    ).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/^upload .* → s3:\/\/raw\/cancelled\.bin: cancelled/);
    expect(error?.message).toMatch(
      /the unfinished multipart upload \S+ of s3:\/\/raw\/cancelled\.bin/,
    );
    expect(existsSync(join(s3.server.directory, 'raw', 'cancelled.bin._S3rver_object'))).toBe(
      false,
    );
    expect(io.lines.join('\n')).not.toMatch(/^upload: /m);
  });
});

describe('parseHead', () => {
  it('reads the status, reason and headers (names lower-cased, repeats joined)', () => {
    expect(
      parseHead('HTTP/1.1 206 Partial Content\r\nContent-Length: 5\r\nX-A: 1\r\nx-a:  2 '),
    ).toEqual({
      status: 206,
      reason: 'Partial Content',
      headers: { 'content-length': '5', 'x-a': '1, 2' },
    });
  });

  it('refuses what is not an HTTP/1.x head', () => {
    expect(parseHead('HTTP/2 200\r\n')).toBeUndefined();
    expect(parseHead('HTTP/1.1 200 OK\r\nno colon here')).toBeUndefined();
  });
});
