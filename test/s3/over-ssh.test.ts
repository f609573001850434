/**
 * S3 steps on a remote host: the bytes come from (and go back to) a real sshd host through its
 * SFTP files, while stepwise talks to S3 — the operator's machine is the only one with S3
 * credentials, as in the Loom and Deis procedures.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runOperation } from '../../src/s3/operation.ts';
import { runScenario } from '../engine/harness.ts';
import { type Cluster, cluster, teardown, transports } from '../ssh/helpers.ts';
import { recordingIO, storedBytes, withS3rver } from './helpers.ts';

const s3 = withS3rver();
let c: Cluster | undefined;
beforeAll(async () => {
  c = await cluster(1, ['backup1']);
}, 30_000);
afterAll(() => teardown(c));

const MiB = 1024 * 1024;

it('uploads a file from an SSH host and downloads it back there, byte for byte', async () => {
  await runOperation({ op: 'mb', url: 's3://remote', config: s3.config() }, recordingIO());
  const endpoint = `endpoint: ${s3.server.endpoint}\n      access_key: S3RVER\n      secret_key: S3RVER`;
  const result = await runScenario({
    yaml: `
title: S3 over SSH
system: test
summary: moves a host's backup through S3
source: { document: test }
roles:
  cluster: { description: the backup node }
steps:
  - id: make
    title: Make a backup
    explain: 6 MiB of random bytes on the host
    on: cluster
    risk: read-only
    run: head -c ${6 * MiB} /dev/urandom > /root/backup.bin && md5sum /root/backup.bin
    capture: [{ name: sum, regex: "^([0-9a-f]{32})" }]
  - id: upload
    title: Upload it
    explain: multipart, from the host through SFTP
    on: cluster
    risk: changes
    s3:
      op: upload
      from: /root/backup.bin
      to: s3://remote/backup.bin
      part_size: 5MiB
      ${endpoint}
  - id: download
    title: Download it back
    explain: to another name on the same host
    on: cluster
    risk: read-only
    s3:
      op: download
      from: s3://remote/backup.bin
      to: /root/restored/backup.bin
      ${endpoint}
    verify:
      - run: cmp /root/backup.bin /root/restored/backup.bin
`,
    inventory: fs.readFileSync(c!.inventory, 'utf8'),
    options: { transports: transports(c!) },
    script: { confirm: [{ action: 'run' }] },
  });
  expect(result.log.filter((l) => l.includes('failed') || l.includes('lost'))).toEqual([]);
  expect(result.outcome).toBe('succeeded');
  const sum = result.events.find((e) => e.type === 'capture' && e.name === 'sum');
  const stored = storedBytes(s3.server, 'remote', 'backup.bin');
  expect(stored.length).toBe(6 * MiB);
  const { createHash } = await import('node:crypto');
  expect(createHash('md5').update(stored).digest('hex')).toBe((sum as { value: string }).value);
  const progress = result.events.filter((e) => e.type === 'progress' && e.step === 'upload');
  expect(progress.at(-1)).toMatchObject({ host: 'backup1', done: true, bytes: 6 * MiB });
  expect(result.log).toContain(
    'verify-result download@backup1 #0 pass: cmp /root/backup.bin /root/restored/backup.bin: ok (no output)',
  );
});
