/**
 * runbooks/loom/backup.yaml walked headless end to end over the Loom cluster on real sshd: the
 * backup node starts behind and loom.caught-up waits for it (real RPC heights), loom is stopped
 * for the copy and running again at the end, config archives from the live nodes (taken
 * without stopping them) and the data archive are in s3rver with the sizes made on the hosts,
 * the data backup is newer than the config backup, and /tmp is clean.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ofType } from '../cli/helpers.ts';
import {
  BUCKET,
  type LoomRun,
  type LoomWorld,
  onHost,
  runLoom,
  startLoomWorld,
} from '../fixtures/loom-ssh.ts';

// Real sshd, SSH and s3rver on 2 shared cores: every step is slower than a unit test's.
vi.setConfig({ testTimeout: 60_000 });

let world: LoomWorld;
let run: LoomRun;

beforeAll(async () => {
  world = await startLoomWorld({
    uploadBackups: false,
    // Behind by 40 blocks, caught up 20 s after the start (a block a second meanwhile): long
    // enough that the gate before the stop finds it behind even on a slow machine.
    backupLag: { blocks: 40, catchUpMs: 20_000 },
  });
  run = await runLoom(world, 'backup');
}, 120_000);

afterAll(async () => {
  await world?.stop();
}, 30_000);

const captured = (name: string) =>
  ofType(run.events, 'capture')
    .filter((c) => c.name === name)
    .map((c) => ({ host: c.host, value: c.value }));

describe('loom/backup over real sshd', () => {
  it('succeeds', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(ofType(run.events, 'run-finished')[0]?.status).toBe('succeeded');
  });

  it('waits until the backup node has caught up before stopping it', () => {
    const waits = ofType(run.events, 'waiting').filter((w) => w.check === 'caught-up');
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0]!.message).toMatch(/loom-backup is at block \d+, \d+ behind node\d \(\d+\)/);
    const final = run
      .results('caught-up')
      .filter((r) => r.host === 'loom-backup')
      .at(-1);
    expect(final).toMatchObject({ status: 'pass' });
    expect(final!.message).toMatch(/caught up with node\d/);
    // The stop came after the gate passed.
    const passAt = run.events.indexOf(final!);
    const stopAt = run.events.findIndex(
      (e) => e.type === 'step-started' && e.step === 'stop-service',
    );
    expect(stopAt).toBeGreaterThan(passAt);
  });

  it('stops loom on the backup node only, and starts it again', async () => {
    const stop = ofType(run.events, 'verify-result').find((v) => v.step === 'stop-service');
    expect(stop).toMatchObject({ host: 'loom-backup', status: 'pass' });
    const started = await onHost(world.loom, 'loom-backup', 'cat /run/loom-sim/loom.started');
    expect(started.code).toBe(0);
    for (const node of ['node1', 'node2', 'node3', 'node4']) {
      const r = await onHost(world.loom, node, 'test -e /run/loom-sim/loom.started; echo $?');
      expect(r.stdout, `${node} was never restarted`).toBe('1\n');
    }
    expect(await world.loom.serviceState('loom-backup')).toBe('active');
    const heights = await world.loom.heights();
    expect(heights['loom-backup']).toBeGreaterThan(1000);
  });

  it('puts the data archive and one config archive per live node in the bucket, sizes matching', async () => {
    const [data] = captured('data_name');
    expect(data!.host).toBe('loom-backup');
    expect(data!.value).toMatch(/^\d{4}-\d\d-\d\d--\d{6}-loom-backup\.tar\.bz2$/);
    const configs = captured('config_name');
    expect(configs.map((c) => c.host)).toEqual(['node1', 'node2', 'node3', 'node4']);
    const sizes = new Map(captured('config_size').map((c) => [c.host, c.value]));
    const listing = await onHost(world.loom, 'node1', `aws s3 ls s3://${BUCKET}/`);
    for (const c of configs) {
      expect(c.value).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d--\\d{6}-${c.host}\\.tar\\.bz2$`));
      expect(listing.stdout).toContain(` ${sizes.get(c.host)!.padStart(10)} ${c.value}\n`);
    }
    const dataSize = captured('data_size')[0]!.value;
    expect(listing.stdout).toContain(` ${dataSize.padStart(10)} ${data!.value}\n`);
    expect(run.results('data-uploaded')[0]).toMatchObject({ status: 'pass' });
    expect(run.results('config-uploaded').map((r) => r.status)).toEqual([
      'pass',
      'pass',
      'pass',
      'pass',
    ]);
    // The data backup is newer than the config backup, as a restore needs.
    expect(data!.value.slice(0, 18) > configs[0]!.value.slice(0, 18)).toBe(true);
  });

  it('archives what a restore needs', async () => {
    const [data] = captured('data_name');
    const [config] = captured('config_name');
    const r = await onHost(
      world.loom,
      'node2',
      `cd /tmp && curl -sf ${world.s3.endpoint}/${BUCKET}/${data!.value} | tar -tjf - | grep -c -x -e chaindata/ -e app.db/ -e chaindata/config/node_key.json; curl -sf ${world.s3.endpoint}/${BUCKET}/${config!.value} | tar -tjf -`,
    );
    expect(r.stdout).toMatch(/^3\n/);
    for (const member of [
      'genesis.json',
      'loom.yml',
      'etc/systemd/system/loom.service',
      'chaindata/config/node_key.json',
    ]) {
      expect(r.stdout).toContain(`\n${member}\n`);
    }
  });

  it('uploads with progress and leaves nothing in /tmp', async () => {
    const progress = ofType(run.events, 'progress').filter((p) => p.step === 'upload-data');
    expect(progress.at(-1)).toMatchObject({ done: true });
    for (const host of ['node1', 'loom-backup']) {
      const r = await onHost(world.loom, host, 'ls /tmp/*.tar.bz2 2>/dev/null | wc -l');
      expect(r.stdout, host).toBe('0\n');
    }
  });
});
