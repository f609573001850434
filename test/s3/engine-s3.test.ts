/**
 * `s3:` steps through the real engine against a real s3rver: confirmation shows the transfer,
 * progress events arrive, a captured secret key is used but never appears in any event, a
 * choose list comes from a listing, and the S3 check kinds pass and fail.
 */
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, GATEWAY_SECRET } from '../../fixtures/s3/server.ts';
import { runOperation } from '../../src/s3/operation.ts';
import { clock, runScenario } from '../engine/harness.ts';
import { randomFile, recordingIO, withS3rver, withTempDir } from './helpers.ts';

const s3 = withS3rver();
const tmp = withTempDir();
const MiB = 1024 * 1024;
/** The fixture's second key pair: this secret must never show. */
const SECRET = GATEWAY_SECRET;

const connection = (indent = 6) =>
  [
    '',
    `endpoint: ${s3.server.endpoint}`,
    'access_key: "{{ access_key }}"',
    'secret_key: "{{ gw_secret }}"',
  ].join(`\n${' '.repeat(indent)}`);

function runbook(steps: string, checks = ''): string {
  return `
title: S3 engine test
system: test
summary: moves a backup through S3
source: { document: test }
parameters:
  access_key: { description: gateway access key, default: ${GATEWAY_KEY} }
  dir: { description: scratch, type: path }
checks:${checks || ' []'}
steps:
  - id: read-secret
    title: Read the gateway secret
    explain: like deisctl config store get gateway/secretKey
    risk: read-only
    run: cat {{ dir }}/gateway-secret
    capture: [{ name: gw_secret, regex: "^(\\\\S+)$", secret: true }]
${steps}`;
}

describe('s3 steps in the engine', () => {
  beforeAll(() => writeFileSync(join(tmp.dir, 'gateway-secret'), `${SECRET}\n`));

  it('uploads with progress events, confirms a description, and never shows the captured secret', async () => {
    await runOperation({ op: 'mb', url: 's3://engine', config: s3.config() }, recordingIO());
    const file = join(tmp.dir, 'backup.tar');
    const data = randomFile(file, 12 * MiB);
    const result = await runScenario({
      dir: tmp.dir,
      yaml: runbook(`
  - id: upload
    title: Upload the backup
    explain: off-site copy
    risk: changes
    s3:
      op: upload
      from: "{{ dir }}/backup.tar"
      to: s3://engine/backups/backup.tar
      part_size: 5MiB
      concurrency: 2${connection()}
  - id: download
    title: Download it back
    explain: round trip
    risk: read-only
    s3:
      op: download
      from: s3://engine/backups/backup.tar
      to: "{{ dir }}/back/backup.tar"${connection()}
`),
      script: { confirm: [{ action: 'run' }] },
    });
    expect(result.outcome).toBe('succeeded');
    const confirm = result.decider.requests.find((r) => r.kind === 'confirm');
    expect(confirm).toMatchObject({
      commands: [
        {
          host: 'local',
          command: `s3 upload ${tmp.dir}/backup.tar → s3://engine/backups/backup.tar (endpoint ${s3.server.endpoint})`,
        },
      ],
    });
    const progress = result.events.filter((e) => e.type === 'progress' && e.step === 'upload');
    expect(progress.at(-1)).toMatchObject({
      done: true,
      bytes: 12 * MiB,
      total: 12 * MiB,
      host: 'local',
    });
    expect(readFileSync(join(tmp.dir, 'back', 'backup.tar')).equals(data)).toBe(true);
    expect(result.output('upload')).toMatch(
      /\(12582912 bytes, the ETags of all 3 parts verified\)/,
    );
    const everything = JSON.stringify(result.events);
    expect(everything).not.toContain(SECRET);
    expect(everything).toContain('••••••');
  });

  it('fails a step clearly when the object is missing, and leaves no file behind', async () => {
    const result = await runScenario({
      dir: tmp.dir,
      yaml: runbook(`
  - id: download
    title: Download a backup that is not there
    explain: fails
    risk: read-only
    s3:
      op: download
      from: s3://engine/backups/nope.tar
      to: "{{ dir }}/nope.tar"${connection()}
`),
      script: { 'after-failure': [{ action: 'abort' }] },
    });
    expect(result.outcome).toBe('failed');
    const finished = result.events.find((e) => e.type === 'host-finished' && e.step === 'download');
    expect(finished).toMatchObject({ status: 'failed' });
    expect((finished as { error: string }).error).toMatch(
      /no such object.*on local\n {2}hint: list what is there/s,
    );
    expect(existsSync(join(tmp.dir, 'nope.tar'))).toBe(false);
  });

  it('offers a choice from a listing, newest first with size and age, and uses the pick', async () => {
    for (const [name, age] of [
      ['old.tar', 3],
      ['new.tar', 1],
      ['mid.tar', 2],
    ] as const) {
      const f = join(tmp.dir, name);
      randomFile(f, 1000 * age);
      await runOperation(
        { op: 'cp', from: f, to: `s3://engine/list/${name}`, config: s3.config() },
        recordingIO(),
      );
      // s3rver stamps LastModified from the stored file's mtime; ages are from the run's clock.
      const stored = join(s3.server.directory, 'engine', 'list', `${name}._S3rver_object`);
      const when = new Date(clock().getTime() - age * 3_600_000);
      utimesSync(stored, when, when);
    }
    const result = await runScenario({
      dir: tmp.dir,
      yaml: runbook(`
  - id: pick
    title: Pick a backup
    explain: the one to restore
    risk: read-only
    choose:
      var: backup
      prompt: Which backup?
      s3:
        url: s3://engine/list/
        value: name${connection(8)}
  - id: fetch
    title: Fetch it
    explain: download the pick
    risk: read-only
    s3:
      op: download
      from: "s3://engine/list/{{ backup }}"
      to: "{{ dir }}/picked/"${connection()}
`),
      script: { choose: [{ action: 'pick', value: 'mid.tar' }] },
    });
    expect(result.outcome).toBe('succeeded');
    const request = result.decider.requests.find((r) => r.kind === 'choose') as {
      items: { value: string; label: string }[];
    };
    expect(request.items.map((i) => i.value)).toEqual(['new.tar', 'mid.tar', 'old.tar']);
    expect(request.items[1]!.label).toBe('list/mid.tar  2.0 KiB  2 h ago');
    expect(readFileSync(join(tmp.dir, 'picked', 'mid.tar')).length).toBe(2000);
  });

  it('judges freshness, existence, order and reachability with the s3 check kinds', async () => {
    const checks = (id: string, kind: string, extra: string) => `
  - id: ${id}
    title: ${id}
    kind: ${kind}
    severity: warn
    with:
      endpoint: ${s3.server.endpoint}
      access_key: S3RVER
      secret_key: S3RVER
${extra}`;
    const result = await runScenario({
      dir: tmp.dir,
      yaml: runbook(
        `  - id: noop
    title: nothing
    explain: checks only
    risk: read-only
    run: "true"
`,
        [
          checks('fresh-ok', 's3.fresh', '      url: s3://engine/list/\n      max_age: 90m'),
          checks('fresh-old', 's3.fresh', '      url: s3://engine/list/old\n      max_age: 2h'),
          checks(
            'exists-ok',
            's3.object-exists',
            '      url: s3://engine/list/mid.tar\n      size: 2000',
          ),
          checks(
            'exists-size',
            's3.object-exists',
            '      url: s3://engine/list/mid.tar\n      size: 2001',
          ),
          checks('exists-no', 's3.object-exists', '      url: s3://engine/list/none.tar'),
          checks(
            'newer-ok',
            's3.newer-than',
            '      url: s3://engine/list/new.tar\n      than: s3://engine/list/old.tar',
          ),
          checks(
            'newer-no',
            's3.newer-than',
            '      url: s3://engine/list/old.tar\n      than: s3://engine/list/new.tar',
          ),
          checks('reach-ok', 's3.bucket-reachable', '      url: s3://engine'),
          checks('reach-no', 's3.bucket-reachable', '      url: s3://no-such-bucket'),
        ].join(''),
      ),
    });
    const verdicts = Object.fromEntries(
      result.events.flatMap((e) =>
        e.type === 'check-result' ? [[e.check, `${e.status}: ${e.message}`]] : [],
      ),
    );
    expect(verdicts['fresh-ok']).toBe(
      `pass: newest backup list/new.tar, 1.0 h old (${new Date(clock().getTime() - 3_600_000).toISOString()})`,
    );
    expect(verdicts['fresh-old']).toMatch(
      /^warn: the newest object is too old: list\/old\.tar, 3\.0 h old/,
    );
    expect(verdicts['exists-ok']).toBe('pass: s3://engine/list/mid.tar exists (2000 bytes)');
    expect(verdicts['exists-size']).toBe(
      'warn: s3://engine/list/mid.tar has 2000 bytes, expected 2001',
    );
    expect(verdicts['exists-no']).toMatch(/^warn: s3:\/\/engine\/list\/none\.tar: no such object/);
    expect(verdicts['newer-ok']).toMatch(/^pass: /);
    expect(verdicts['newer-no']).toMatch(/^warn: s3:\/\/engine\/list\/old\.tar is not newer than/);
    expect(verdicts['reach-ok']).toBe('pass: s3://engine is reachable');
    expect(verdicts['reach-no']).toMatch(/^warn: s3:\/\/no-such-bucket: /);
  });

  it('measures freshness with the run’s clock, not the machine’s', async () => {
    const fresh = (later: number) =>
      runScenario({
        dir: tmp.dir,
        yaml: runbook(
          `  - id: noop
    title: nothing
    explain: checks only
    risk: read-only
    run: "true"
`,
          `
  - id: fresh
    title: fresh
    kind: s3.fresh
    severity: warn
    with:
      endpoint: ${s3.server.endpoint}
      access_key: S3RVER
      secret_key: S3RVER
      url: s3://engine/list/new
      max_age: 90m
`,
        ),
        options: { clock: () => new Date(clock().getTime() + later * 3_600_000) },
      }).then((r) =>
        r.events.flatMap((e) => (e.type === 'check-result' ? [`${e.status}: ${e.message}`] : [])),
      );
    // new.tar was stamped 1 h before the harness clock (previous test).
    expect(await fresh(0)).toEqual([
      expect.stringMatching(/^pass: newest backup list\/new\.tar, 1\.0 h old/),
    ]);
    expect(await fresh(4)).toEqual([
      expect.stringMatching(/^warn: the newest object is too old: list\/new\.tar, 5\.0 h old/),
    ]);
  });
});
