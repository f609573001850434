/**
 * Shared by the loom/restore end-to-end tests: running the runbook headless with the built CLI,
 * and rewriting an archive in the bucket (to plant a stale key in a backed-up unit).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { type CliResult, stepwise } from '../cli/helpers.ts';

export interface S3Access {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** `stepwise run loom/restore` headless, taking these backups, confirming everything. */
export function runRestore(o: {
  home: string;
  inventory: string;
  data: string;
  config: string;
  knownHosts?: string;
  set?: Record<string, string>;
}): Promise<CliResult> {
  const sets = Object.entries({
    data_backup: o.data,
    config_backup: o.config,
    backup_node: 'loom-backup',
    ...o.set,
  }).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  return stepwise(
    [
      'run',
      'loom/restore',
      '-i',
      o.inventory,
      ...(o.knownHosts ? ['--known-hosts', o.knownHosts] : []),
      '--plain',
      '--yes',
      '--allow-destructive',
      ...sets,
    ],
    { env: { STEPWISE_HOME: o.home }, cwd: os.tmpdir() },
  );
}

function client(s3: S3Access) {
  return new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * Rewrites one file inside a tar.bz2 object of the bucket with real tar, keeping the others:
 * how a test plants a stale key in a backed-up unit.
 */
export async function rewriteInArchive(
  s3: S3Access,
  key: string,
  member: string,
  edit: (text: string) => string,
): Promise<void> {
  const c = client(s3);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-archive-'));
  try {
    const got = await c.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    const file = path.join(dir, 'a.tar.bz2');
    fs.writeFileSync(file, await got.Body!.transformToByteArray());
    const tree = path.join(dir, 'tree');
    fs.mkdirSync(tree);
    execFileSync('tar', ['xjf', file, '-C', tree]);
    const target = path.join(tree, member);
    fs.writeFileSync(target, edit(fs.readFileSync(target, 'utf8')));
    const tops = [
      ...new Set(
        execFileSync('tar', ['tjf', file], { encoding: 'utf8' })
          .split('\n')
          .filter((m) => m !== '')
          .map((m) => m.split('/')[0]!),
      ),
    ];
    execFileSync('tar', ['cjf', file, '-C', tree, ...tops]);
    await c.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: fs.readFileSync(file) }),
    );
  } finally {
    c.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Makes the bucket if it is not there (s3rver). */
export async function ensureBucket(s3: S3Access): Promise<void> {
  const c = client(s3);
  try {
    await c.send(new CreateBucketCommand({ Bucket: s3.bucket })).catch(() => {});
  } finally {
    c.destroy();
  }
}

/** A valid-looking node ID nobody has. */
export const STALE_ID = 'deadbeef'.repeat(5);
