/**
 * `stepwise s3 …` and an `s3:` runbook through the built binary against a real s3rver: aws-CLI
 * arguments and environment variables, wrong credentials (key id and secret), sync both ways
 * with --delete, progress lines, and a secret key that never reaches stdout or the journal.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, GATEWAY_SECRET } from '../../fixtures/s3/server.ts';
import {
  CLI_TIMEOUT,
  cleanupWorkspaces,
  events,
  journalFile,
  MASK,
  ofType,
  runIdOf,
  workspace,
} from '../cli/helpers.ts';
import { randomFile, storedBytes, withS3rver } from './helpers.ts';

const s3 = withS3rver();
afterEach(cleanupWorkspaces);
const MiB = 1024 * 1024;

describe('stepwise s3', { timeout: CLI_TIMEOUT }, () => {
  it('makes a bucket, copies up and down, and lists, with the aws environment variables', async () => {
    const ws = workspace();
    const env = s3.server.env;
    expect((await ws.run(['s3', 'mb', 's3://cli'], { env })).stdout).toBe('make_bucket: cli\n');
    const data = randomFile(ws.path('backup.tar'), 9 * MiB);
    const up = await ws.run(['s3', 'cp', 'backup.tar', 's3://cli/daily/', '--part-size', '5MiB'], {
      env,
    });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(
      /^upload: backup\.tar → s3:\/\/cli\/daily\/backup\.tar \(9437184 bytes, the ETags of all 2 parts verified\)\n$/,
    );
    expect(up.stderr).toMatch(
      /^done upload backup\.tar → s3:\/\/cli\/daily\/backup\.tar: 9\.0 MiB of 9\.0 MiB, [\d.]+ MiB\/s$/m,
    );
    expect(storedBytes(s3.server, 'cli', 'daily/backup.tar').equals(data)).toBe(true);

    const ls = await ws.run(['s3', 'ls', 's3://cli/'], { env });
    expect(ls.stdout).toMatch(/^ +PRE daily\/\n$/);
    const deep = await ws.run(['s3', 'ls', 's3://cli/', '--recursive'], { env });
    expect(deep.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +9437184 daily\/backup\.tar\n$/);

    const down = await ws.run(['s3', 'cp', 's3://cli/daily/backup.tar', 'restored/'], { env });
    expect(down.code, down.stderr).toBe(0);
    expect(fs.readFileSync(ws.path('restored', 'backup.tar')).equals(data)).toBe(true);
  });

  it('takes --endpoint-url and --region over the environment, and explains bad credentials', async () => {
    const ws = workspace();
    const env = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
    const ok = await ws.run(
      ['s3', 'ls', 's3://cli/', '--endpoint-url', s3.server.endpoint, '--region', 'eu-west-1'],
      { env },
    );
    expect(ok.code, ok.stderr).toBe(0);
    const bad = await ws.run(['s3', 'ls', 's3://cli/', '--endpoint-url', s3.server.endpoint], {
      env: { ...env, AWS_ACCESS_KEY_ID: 'NOBODY' },
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      `error: list s3://cli/: S3 at ${s3.server.endpoint} rejected the credentials (InvalidAccessKeyId)\n  hint: check the access key and secret key (or AWS_PROFILE / the profile) for this endpoint\n`,
    );
    // A known key with the wrong secret: the fixture checks signatures as S3 does (s3rver alone
    // does not), so the listing is refused with S3's own reason...
    const wrongSecret = { ...env, AWS_SECRET_ACCESS_KEY: 'not-the-secret' };
    const forged = await ws.run(['s3', 'ls', 's3://cli/', '--endpoint-url', s3.server.endpoint], {
      env: wrongSecret,
    });
    expect(forged.code).toBe(1);
    expect(forged.stderr).toBe(
      `error: list s3://cli/: S3 at ${s3.server.endpoint} rejected the credentials (SignatureDoesNotMatch)\n  hint: check the access key and secret key (or AWS_PROFILE / the profile) for this endpoint\n`,
    );
    // ...and a download, whose first request is a HEAD (403 without a body), says what to check.
    const head = await ws.run(
      [
        's3',
        'cp',
        's3://cli/daily/backup.tar',
        'x.tar',
        '--no-progress',
        '--endpoint-url',
        s3.server.endpoint,
      ],
      { env: wrongSecret },
    );
    expect(head.code).toBe(1);
    expect(head.stderr).toBe(
      `error: download s3://cli/daily/backup.tar → x.tar: S3 at ${s3.server.endpoint} refused the request (HTTP 403, no reason given)\n  hint: check the access key and secret key for this endpoint, and that the bucket policy lets them use this bucket\n`,
    );
    expect(fs.existsSync(ws.path('x.tar'))).toBe(false);
    const usage = await ws.run(['s3', 'cp', 'a', 'b'], { env: s3.server.env });
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(/one side must be s3:\/\/bucket\/key and the other a local path/);
    // The aws CLI's timeouts are taken, in seconds, and anything else is refused with an example.
    const timed = await ws.run(
      ['s3', 'ls', 's3://cli/', '--cli-read-timeout', '30', '--cli-connect-timeout', '5'],
      { env: s3.server.env },
    );
    expect(timed.code, timed.stderr).toBe(0);
    const badTimeout = await ws.run(['s3', 'ls', 's3://cli/', '--cli-read-timeout', 'soon'], {
      env: s3.server.env,
    });
    expect(badTimeout.code).toBe(2);
    expect(badTimeout.stderr).toBe(
      'error: --cli-read-timeout soon is not a number of seconds\n  hint: e.g. --cli-read-timeout 120\n',
    );
  });

  it('syncs a directory up and back down, copying only changes and deleting with --delete', async () => {
    const ws = workspace();
    const env = s3.server.env;
    ws.write('src/a.txt', 'alpha\n');
    ws.write('src/sub/b.txt', 'bravo\n');
    ws.write('src/c.txt', 'charlie\n');
    const first = await ws.run(['s3', 'sync', 'src', 's3://cli/sync'], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^synced 3 file\(s\), 20 bytes$/m);
    ws.write('src/a.txt', 'alpha, changed\n');
    fs.rmSync(ws.path('src/c.txt'));
    const second = await ws.run(['s3', 'sync', 'src', 's3://cli/sync', '--delete'], { env });
    expect(second.stdout).toMatch(/^upload: src\/a\.txt → s3:\/\/cli\/sync\/a\.txt /m);
    expect(second.stdout).toMatch(/^delete: s3:\/\/cli\/sync\/c\.txt$/m);
    expect(second.stderr).toMatch(/^synced 1 file\(s\), 15 bytes; 1 unchanged; 1 deleted$/m);

    ws.write('dst/stale.txt', 'old\n');
    ws.write('dst/sub/b.txt', 'bravo\n');
    const down = await ws.run(['s3', 'sync', 's3://cli/sync/', 'dst', '--delete'], { env });
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toMatch(/^synced 1 file\(s\), 15 bytes; 1 unchanged; 1 deleted$/m);
    expect(fs.readFileSync(ws.path('dst/a.txt'), 'utf8')).toBe('alpha, changed\n');
    expect(fs.existsSync(ws.path('dst/stale.txt'))).toBe(false);

    const recursive = await ws.run(['s3', 'cp', 's3://cli/sync', 'all', '--recursive'], { env });
    expect(recursive.code, recursive.stderr).toBe(0);
    expect(fs.readdirSync(ws.path('all'), { recursive: true }).sort()).toEqual([
      'a.txt',
      'sub',
      'sub/b.txt',
    ]);
  });

  it('runs an s3 step on an inventory host with progress lines, keeping the secret key out of the journal', async () => {
    const ws = workspace();
    const secret = GATEWAY_SECRET;
    randomFile(ws.path('node-backup.tar'), 6 * MiB);
    ws.writeRunbook('t/s3', {
      roles: { nodes: { description: 'the nodes that hold backups' } },
      parameters: {
        gw_key: { description: 'gateway access key' },
        gw_secret: { description: 'gateway secret key', secret: true },
        file: { description: 'the backup', type: 'path' },
      },
      steps: [
        {
          id: 'upload',
          title: 'Upload the backup',
          explain: 'from the node to the gateway',
          on: 'nodes',
          risk: 'changes',
          s3: {
            op: 'upload',
            from: '{{ file }}',
            to: 's3://cli/nodes/{{ host }}.tar',
            endpoint: s3.server.endpoint,
            access_key: '{{ gw_key }}',
            secret_key: '{{ gw_secret }}',
          },
        },
      ],
    });
    ws.write(
      'inventory.yaml',
      'all:\n  children:\n    nodes:\n      hosts:\n        node1: { ansible_connection: local }\n',
    );
    const args = ['run', 't/s3', '-i', 'inventory.yaml', '--yes', '--set', `gw_key=${GATEWAY_KEY}`];
    const sets = ['--set', `gw_secret=${secret}`, '--set', `file=${ws.path('node-backup.tar')}`];
    const json = await ws.run([...args, ...sets, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const list = events(json.stdout);
    expect(ofType(list, 'progress').at(-1)).toMatchObject({
      host: 'node1',
      done: true,
      bytes: 6 * MiB,
      total: 6 * MiB,
    });
    expect(ofType(list, 'host-started')[0]?.command).toBe(
      `s3 upload ${ws.path('node-backup.tar')} → s3://cli/nodes/node1.tar (endpoint ${s3.server.endpoint})`,
    );
    expect(storedBytes(s3.server, 'cli', 'nodes/node1.tar').length).toBe(6 * MiB);
    const journal = fs.readFileSync(journalFile(ws, runIdOf(json.stdout)), 'utf8');
    expect(journal).toContain('"type":"progress"');
    expect(journal).toContain(MASK);
    expect(journal + json.stdout + json.stderr).not.toContain(secret);

    const plain = await ws.run([...args, ...sets, '--plain']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(
      /node1 done upload .*node-backup\.tar → s3:\/\/cli\/nodes\/node1\.tar: 6\.0 MiB of 6\.0 MiB \(100%\)/,
    );
    expect(plain.stdout + plain.stderr).not.toContain(secret);
    expect(
      fs
        .readdirSync(ws.home, { recursive: true })
        .map(String)
        .filter((f) => fs.statSync(path.join(ws.home, f)).isFile())
        .some((f) => fs.readFileSync(path.join(ws.home, f), 'utf8').includes(secret)),
    ).toBe(false);
  });
});
