/**
 * An interrupted multipart upload is resumed by the next attempt: s3rver is killed mid-upload
 * and restarted on the same directory, and the retry sends only the parts that were not stored
 * (bytes counted on the wire by a proxy), with a byte-exact object at the end. A file changed
 * since is uploaded from scratch instead.
 */
import { existsSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CountingProxy, startCountingProxy } from '../../fixtures/s3/counting-proxy.ts';
import {
  S3RVER_KEY,
  S3RVER_SECRET,
  type S3rverHandle,
  startS3rver,
} from '../../fixtures/s3/server.ts';
import type { Decider } from '../../src/engine/decisions.ts';
import { runOperation, type S3Operation } from '../../src/s3/operation.ts';
import { UploadRecords } from '../../src/s3/upload-record.ts';
import { runScenario, ScriptedDecider } from '../engine/harness.ts';
import { randomFile, recordingIO, storedBytes, tripwire, withTempDir } from './helpers.ts';

const tmp = withTempDir();
const MiB = 1024 * 1024;
const SIZE = 40 * MiB;
const PART = 5 * MiB;
/**
 * Headers and small requests, plus one part: under load an idle kept-alive connection can be
 * closed by the server just as a part starts on it, and the SDK sends that part again.
 */
const SLACK = PART + 256 * 1024;
/** The files' mtime: whole seconds, so a test can put it back exactly. */
const STAMP = new Date('2026-11-20T22:00:00Z');

interface Interrupted {
  servers: S3rverHandle[];
  proxy: CountingProxy;
  records: UploadRecords;
  upload: S3Operation;
  file: string;
  /** Parts the first attempt reported as stored. */
  stored: number;
  uploadId: string;
}

/** A 40 MiB upload in 5 MiB parts whose gateway is killed after 22 MiB were read, restarted. */
async function interruptedUpload(name: string, listParts = false): Promise<Interrupted> {
  const first = await startS3rver({ listParts });
  const servers = [first];
  const proxy = await startCountingProxy(first.port);
  const config = {
    endpoint: proxy.endpoint,
    accessKeyId: S3RVER_KEY,
    secretAccessKey: S3RVER_SECRET,
  };
  await runOperation({ op: 'mb', url: 's3://resumed', config }, recordingIO());
  const file = join(tmp.dir, `${name}.bin`);
  randomFile(file, SIZE);
  utimesSync(file, STAMP, STAMP);
  const records = new UploadRecords(join(tmp.dir, `${name}-run`));
  const resume = { records, host: 'local' };
  const upload: S3Operation = {
    op: 'upload',
    from: file,
    to: `s3://resumed/${name}.bin`,
    partSize: PART,
    concurrency: 2,
    config,
  };
  const io = { ...recordingIO(), resume, files: tripwire(22 * MiB, () => first.kill()) };
  const error = await runOperation(upload, io).then(
    () => undefined,
    (e: Error) => e,
  );
  const kept = new RegExp(
    `the unfinished multipart upload (\\S+) of s3://resumed/${name}\\.bin is kept with (\\d+) part\\(s\\) stored: retrying the step \\(or \`stepwise resume\`\\) continues it; to drop it instead: \`aws s3api abort-multipart-upload --bucket resumed --key ${name}\\.bin --upload-id \\1\``,
  ).exec(error?.message ?? '');
  expect(error?.message).toMatch(/the connection to S3 at http:\/\/127\.0\.0\.1:\d+ failed/);
  expect(kept).not.toBeNull();
  expect(
    existsSync(
      records.fileOf({ host: 'local', path: file, bucket: 'resumed', key: `${name}.bin` }),
    ),
  ).toBe(true);
  const second = await startS3rver({ directory: first.directory, listParts });
  servers.push(second);
  proxy.retarget(second.port);
  proxy.reset();
  return {
    servers,
    proxy,
    records,
    upload,
    file,
    stored: Number(kept?.[2]),
    uploadId: kept?.[1] ?? '',
  };
}

async function cleanUp(i: Interrupted | undefined) {
  await i?.proxy.close();
  // The restarted server owns the directory; stopping it removes it.
  for (const s of i?.servers.slice(0, -1) ?? []) s.kill();
  await i?.servers.at(-1)?.stop();
}

describe('an interrupted multipart upload', { timeout: 120_000 }, () => {
  it('is resumed after the gateway restarts: only the missing parts are sent again', async () => {
    let i: Interrupted | undefined;
    try {
      i = await interruptedUpload('big');
      // Two buffers: reading past 20 MiB needed parts 1–3 stored.
      expect(i.stored).toBeGreaterThanOrEqual(3);
      const io = { ...recordingIO(), resume: { records: i.records, host: 'local' } };
      await runOperation(i.upload, io);
      expect(io.lines).toContain(
        `resuming the interrupted upload ${i.uploadId} of s3://resumed/big.bin: ${i.stored} part(s) already stored (as recorded: this gateway cannot list parts)`,
      );
      const server = i.servers.at(-1)!;
      expect(storedBytes(server, 'resumed', 'big.bin').equals(readFileSync(i.file))).toBe(true);
      const resent = SIZE - i.stored * PART;
      // What went over the wire: the missing parts plus HTTP headers and small requests.
      expect(i.proxy.sent()).toBeGreaterThanOrEqual(resent);
      expect(i.proxy.sent()).toBeLessThan(resent + SLACK);
      expect(io.lines.at(-1)).toMatch(
        new RegExp(
          `; ${i.stored} part\\(s\\) kept from the interrupted attempt, ${resent} bytes sent\\)$`,
        ),
      );
      // Done: nothing is left to resume, on disk or on the server.
      expect(readdirSync(i.records.dir)).toEqual([]);
      expect(readdirSync(join(server.directory, 'resumed', '._S3rver_uploads'))).toEqual([]);
    } finally {
      await cleanUp(i);
    }
  });

  it('sends again a kept part whose bytes changed though the size and mtime did not', async () => {
    let i: Interrupted | undefined;
    try {
      i = await interruptedUpload('touched');
      const data = readFileSync(i.file);
      data[1234] = (data[1234] ?? 0) ^ 0xff; // inside part 1
      writeFileSync(i.file, data);
      utimesSync(i.file, STAMP, STAMP);
      const io = { ...recordingIO(), resume: { records: i.records, host: 'local' } };
      await runOperation(i.upload, io);
      expect(io.lines.at(-1)).toMatch(
        new RegExp(
          `; ${i.stored - 1} part\\(s\\) kept from the interrupted attempt, ${SIZE - (i.stored - 1) * PART} bytes sent\\)$`,
        ),
      );
      expect(storedBytes(i.servers.at(-1)!, 'resumed', 'touched.bin').equals(data)).toBe(true);
    } finally {
      await cleanUp(i);
    }
  });

  it('starts again when the file changed since, and stores the new bytes', async () => {
    let i: Interrupted | undefined;
    try {
      i = await interruptedUpload('changed');
      const data = randomFile(i.file, SIZE);
      utimesSync(i.file, new Date(), new Date(Date.now() + 5000));
      const io = { ...recordingIO(), resume: { records: i.records, host: 'local' } };
      await runOperation(i.upload, io);
      expect(io.lines[0]).toMatch(
        new RegExp(
          `^not resuming the interrupted upload ${i.uploadId} of s3://resumed/changed\\.bin: .*changed\\.bin changed since \\(its size or modification time differ\\); starting again$`,
        ),
      );
      expect(storedBytes(i.servers.at(-1)!, 'resumed', 'changed.bin').equals(data)).toBe(true);
      expect(i.proxy.sent()).toBeGreaterThanOrEqual(SIZE);
      expect(readdirSync(i.records.dir)).toEqual([]);
    } finally {
      await cleanUp(i);
    }
  });
});

describe('an interrupted upload on a gateway with ListParts, as S3 has', {
  timeout: 120_000,
}, () => {
  it('sends again the recorded parts the server no longer lists', async () => {
    let i: Interrupted | undefined;
    try {
      i = await interruptedUpload('listed', true);
      // The server lost part 1 (and its checksum) since.
      const upload = join(i.servers[0]!.directory, 'resumed', '._S3rver_uploads', i.uploadId);
      rmSync(join(upload, '1'));
      rmSync(join(upload, '1.md5'));
      const io = { ...recordingIO(), resume: { records: i.records, host: 'local' } };
      await runOperation(i.upload, io);
      expect(io.lines).toContain(
        `resuming the interrupted upload ${i.uploadId} of s3://resumed/listed.bin: ${i.stored - 1} part(s) already stored`,
      );
      const resent = SIZE - (i.stored - 1) * PART;
      expect(i.proxy.sent()).toBeGreaterThanOrEqual(resent);
      expect(i.proxy.sent()).toBeLessThan(resent + SLACK);
      expect(
        storedBytes(i.servers.at(-1)!, 'resumed', 'listed.bin').equals(readFileSync(i.file)),
      ).toBe(true);
    } finally {
      await cleanUp(i);
    }
  });

  it('starts over when the server no longer has the upload', async () => {
    let i: Interrupted | undefined;
    try {
      i = await interruptedUpload('gone', true);
      rmSync(join(i.servers[0]!.directory, 'resumed', '._S3rver_uploads', i.uploadId), {
        recursive: true,
      });
      const io = { ...recordingIO(), resume: { records: i.records, host: 'local' } };
      await runOperation(i.upload, io);
      expect(io.lines[0]).toBe(
        `the interrupted upload ${i.uploadId} of s3://resumed/gone.bin is no longer on the server; starting again`,
      );
      expect(i.proxy.sent()).toBeGreaterThanOrEqual(SIZE);
      expect(
        storedBytes(i.servers.at(-1)!, 'resumed', 'gone.bin').equals(readFileSync(i.file)),
      ).toBe(true);
      expect(readdirSync(i.records.dir)).toEqual([]);
    } finally {
      await cleanUp(i);
    }
  });
});

describe('an s3 upload step whose gateway dies', { timeout: 120_000 }, () => {
  it('continues the upload when the operator retries the step', async () => {
    const servers = [await startS3rver()];
    const proxy = await startCountingProxy(servers[0]!.port);
    try {
      const config = {
        endpoint: proxy.endpoint,
        accessKeyId: S3RVER_KEY,
        secretAccessKey: S3RVER_SECRET,
      };
      await runOperation({ op: 'mb', url: 's3://stepped', config }, recordingIO());
      const file = join(tmp.dir, 'stepped.bin');
      const data = randomFile(file, SIZE);
      const runDir = join(tmp.dir, 'stepped-run');
      proxy.reset();
      proxy.tripAt(18 * MiB, () => servers[0]!.kill());
      const scripted = new ScriptedDecider({
        confirm: [{ action: 'run' }],
        'after-failure': [{ action: 'retry' }],
      });
      // The operator restarts the gateway, then answers "retry".
      const decider: Decider = {
        async decide(request) {
          if (request.kind === 'after-failure') {
            const restarted = await startS3rver({ directory: servers[0]!.directory });
            servers.push(restarted);
            proxy.retarget(restarted.port);
            proxy.reset();
          }
          return scripted.decide(request);
        },
      };
      const result = await runScenario({
        dir: tmp.dir,
        yaml: `
title: S3 resume test
system: test
summary: uploads a backup
source: { document: test }
parameters:
  dir: { description: scratch, type: path }
checks: []
steps:
  - id: upload
    title: Upload the backup
    explain: off-site copy
    risk: changes
    s3:
      op: upload
      from: "{{ dir }}/stepped.bin"
      to: s3://stepped/backup.bin
      part_size: 5MiB
      concurrency: 2
      endpoint: ${proxy.endpoint}
      access_key: ${S3RVER_KEY}
      secret_key: ${S3RVER_SECRET}
`,
        decider: scripted,
        options: { decider, runDir },
      });
      const resent = proxy.sent();
      expect(result.outcome).toBe('succeeded');
      const output = result.output('upload');
      const kept = /is kept with (\d+) part\(s\) stored/.exec(output);
      expect(kept).not.toBeNull();
      const stored = Number(kept?.[1]);
      // Two parts at a time: 18 MiB sent means part 4 had started, so parts 1 and 2 were stored.
      expect(stored).toBeGreaterThanOrEqual(2);
      expect(output).toMatch(
        new RegExp(
          `resuming the interrupted upload \\S+ of s3://stepped/backup\\.bin: ${stored} part\\(s\\) already stored`,
        ),
      );
      expect(storedBytes(servers.at(-1)!, 'stepped', 'backup.bin').equals(data)).toBe(true);
      expect(resent).toBeLessThan(SIZE - stored * PART + SLACK);
      expect(readdirSync(join(runDir, 's3-uploads'))).toEqual([]);
    } finally {
      await proxy.close();
      for (const s of servers.slice(0, -1)) s.kill();
      await servers.at(-1)?.stop();
    }
  });
});
