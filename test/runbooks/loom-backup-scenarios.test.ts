/**
 * The scenarios loom/backup-node-setup and loom/backup must catch, walked headless over a Loom
 * cluster on real sshd: a live node whose --peers references the backup node (by address, under
 * some other key), and a node whose node_key.json is damaged so that `loom nodekey` prints its
 * error and still exits 0. Nothing may be installed, and the backup node must not be stopped.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ofType } from '../cli/helpers.ts';
import { type LoomWorld, onHost, runLoom, startLoomWorld } from '../fixtures/loom-ssh.ts';

// Real sshd, SSH and s3rver on 2 shared cores: every step is slower than a unit test's.
vi.setConfig({ testTimeout: 60_000 });

let world: LoomWorld;

beforeAll(async () => {
  world = await startLoomWorld({
    dataOlderThanConfig: true,
    backupListedBy: { node: 'node2', by: 'address' },
    nodekeyErrorOn: 'node4',
  });
}, 120_000);

afterAll(async () => {
  await world?.stop();
}, 30_000);

describe('loom/backup-node-setup on a cluster that breaks the procedure', () => {
  it('fails its checks, names the nodes and keys, and installs nothing', async () => {
    const run = await runLoom(world, 'backup-node-setup');
    // A failing check stops a headless run (exit 1); --override CHECK=REASON would go past it.
    expect(run.code).toBe(1);
    // The first failing check stops it; both failed in the preflight.
    expect(ofType(run.events, 'run-finished')[0]?.error).toBe('check backup-peers failed');
    expect(ofType(run.events, 'step-started')).toEqual([]);

    const referenced = run.results('not-referenced').filter((r) => r.status === 'fail');
    expect(referenced.map((r) => r.host)).toEqual(['node2']);
    const backup = world.loom.backupNode!;
    expect(referenced[0]!.message).toMatch(
      new RegExp(
        `references backup node loom-backup by its address ${backup.address.replaceAll('.', '\\.')}`,
      ),
    );
    expect(referenced[0]!.evidence).toMatchObject({
      peer: 'loom-backup',
      peerKey: backup.nodeId,
      peerAddress: backup.address,
    });

    // node4's loom nodekey exits 0 with its error: the backup node's entry for it is not
    // taken on trust.
    const peers = run.results('backup-peers').filter((r) => r.status === 'fail');
    expect(peers.map((r) => r.host).sort()).toEqual(['loom-backup', 'node4']);
    expect(peers.find((r) => r.host === 'node4')!.message).toBe(
      'loom nodekey on live node node4 printed "Error in determining Node Key" (and exited 0, so its exit code cannot be trusted)',
    );
    expect(peers.find((r) => r.host === 'loom-backup')!.message).toContain(
      "cannot verify backup node loom-backup's entry for node4",
    );

    const cron = await onHost(
      world.loom,
      'loom-backup',
      'crontab -l; test -e ~/backup.sh; echo $?',
    );
    expect(cron.stdout).toBe('1\n');
  }, 60_000);
});

describe('loom/backup on a cluster where a live node lists the backup node', () => {
  it('backs up the config but refuses to stop the backup node', async () => {
    const run = await runLoom(world, 'backup');
    expect(run.code).toBe(1);
    expect(ofType(run.events, 'run-finished')[0]?.error).toMatch(/check not-referenced failed/);
    const finished = ofType(run.events, 'step-finished').map((s) => s.step);
    expect(finished).toEqual(['archive-config', 'upload-config']);
    const gate = run.results('not-referenced').filter((r) => r.status === 'fail');
    expect(gate.length).toBeGreaterThanOrEqual(2);
    expect(gate.every((r) => r.host === 'node2')).toBe(true);
    expect(await world.loom.serviceState('loom-backup')).toBe('active');
    const started = await onHost(
      world.loom,
      'loom-backup',
      'test -e /run/loom-sim/loom.started; echo $?',
    );
    expect(started.stdout).toBe('1\n');
  }, 90_000);
});

describe('the fixture with dataOlderThanConfig', () => {
  it('uploads only data backups older than the newest config set', () => {
    const { data, config } = world.loom.s3!.uploaded;
    expect(data).toHaveLength(2);
    expect(data.every((d) => d.date < config[0]!.date)).toBe(true);
    expect(data[0]!.timestamp < config[0]!.timestamp).toBe(true);
  });
});
