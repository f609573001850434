/**
 * loom/restore walked headless end to end over the Loom cluster on real sshd, with its backups
 * in s3rver: a data backup older than the config backup (refused before anything changes), a
 * restore onto the hosts the backups came from (no --peers change), a stale key in a backed-up
 * unit (caught by the gate before the start), and a restore onto hosts with other addresses
 * (NODE_KEYS: --peers rebuilt and shown as a diff).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoomSshCluster, startLoomCluster } from '../../fixtures/loom/ssh-cluster.mjs';
import { S3RVER_KEY, S3RVER_SECRET } from '../../fixtures/s3/server.ts';
import { BUCKET, type LoomWorld, onHost, startLoomWorld } from '../fixtures/loom-ssh.ts';
import { rewriteInArchive, runRestore, type S3Access, STALE_ID } from './loom-restore-run.ts';

let world: LoomWorld;
let home: string;
let s3: S3Access;

beforeAll(async () => {
  world = await startLoomWorld({ backup: false, staleKeyOn: null });
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-restore-home-'));
  s3 = {
    endpoint: world.s3.endpoint,
    bucket: BUCKET,
    accessKeyId: S3RVER_KEY,
    secretAccessKey: S3RVER_SECRET,
  };
}, 180_000);

afterAll(async () => {
  await world?.stop();
  if (home) fs.rmSync(home, { recursive: true, force: true });
}, 60_000);

/** The newest data archive, and the newest config set's archive of node2. */
function newest(loom: LoomSshCluster) {
  const up = loom.s3!.uploaded;
  const config = up.config[0]!.objects.find((o) => o.host === 'node2')!.key;
  return { data: up.data[0]!.objects[0]!.key, older: up.data[1]!.objects[0]!.key, config };
}

async function states(loom: LoomSshCluster) {
  return Promise.all(loom.nodes.map((n) => loom.serviceState(n.name)));
}

const restore = (loom: LoomSshCluster, data: string, config: string) =>
  runRestore({ home, inventory: loom.inventory, knownHosts: loom.knownHosts, data, config });

describe('loom/restore over sshd', () => {
  it('refuses a data backup older than the config backup before stopping or downloading anything', async () => {
    const { loom } = world;
    const { older, config } = newest(loom);
    const r = await restore(loom, older, config);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      /✗ data-newer-than-config · local: .*found exit 1: data \d{4}-\d{2}-\d{2}--\d{6}, config \d{4}-\d{2}-\d{2}--\d{6}/,
    );
    expect(r.stdout).toContain(
      'check data-newer-than-config failed before step find-config-archives',
    );
    expect(await states(loom)).toEqual(['active', 'active', 'active', 'active']);
    for (const n of loom.nodes)
      expect(fs.existsSync(path.join(n.home, 'stepwise-restore'))).toBe(false);
  }, 240_000);

  it('restores onto the hosts the backups came from without touching --peers', async () => {
    const { loom } = world;
    const { data, config } = newest(loom);
    const units = loom.nodes.map((n) => fs.readFileSync(n.unitFile, 'utf8'));
    const r = await restore(loom, data, config);
    expect(r.code, r.stdout.slice(-3000) + r.stderr).toBe(0);
    for (const n of loom.nodes) {
      expect(r.stdout).toContain(`${n.name} | ${n.name}: --peers already names`);
      expect(r.stdout).toContain(`${n.name} | --peers is already right here: nothing to install`);
      // The backup node's chain data, this node's own identity, and the same unit as before.
      expect(fs.readFileSync(path.join(n.home, 'app.db/000002.ldb'), 'utf8')).toContain(
        'origin=loom-backup',
      );
      const key = await onHost(loom, n.name, 'cd /home/ubuntu && loom nodekey');
      expect(key.stdout).toBe(`${n.nodeId}\n`);
    }
    expect(loom.nodes.map((n) => fs.readFileSync(n.unitFile, 'utf8'))).toEqual(units);
    expect(await states(loom)).toEqual(['active', 'active', 'active', 'active']);
    expect(r.stdout).toMatch(
      /verify node4 ✓ the block height advances: ok \(latest_block_height \d+ -> \d+\)/,
    );
    expect(r.stdout).toMatch(/redis-reachable · node1: node1 reaches 127\.\d+\.\d+\.100:6379/);
  }, 240_000);

  it('stops at the gate before the start when a backed-up unit lists a stale key', async () => {
    const { loom } = world;
    const { data, config } = newest(loom);
    const node1 = loom.host('node1');
    const node3Archive = loom.s3!.uploaded.config[0]!.objects.find((o) => o.host === 'node3')!.key;
    await rewriteInArchive(s3, node3Archive, 'etc/systemd/system/loom.service', (unit) =>
      unit.replace(node1.nodeId, STALE_ID),
    );
    const r = await restore(loom, data, config);
    expect(r.code, r.stdout.slice(-3000)).toBe(1);
    // The rebuild leaves it (the addresses are the backed-up ones) but says why it looks wrong.
    expect(r.stdout).toContain(
      `node3 | node3: but it lists node1 as deadbe…beef while node1's loom nodekey is`,
    );
    expect(r.stdout).toMatch(
      new RegExp(
        `✗ peers-match · node3: node3's --peers lists node1 \\(${node1.address.replace(/\./g, '\\.')}\\) as deadbe…beef, but node1's loom nodekey is ${node1.nodeId.slice(0, 6)}…`,
      ),
    );
    expect(r.stdout).toContain(`expected: ${node1.nodeId}`);
    expect(r.stdout).toContain(`found:    ${STALE_ID}`);
    expect(r.stdout).toContain('check peers-match failed before step start-service');
    // Nothing was started with the bad unit.
    expect(await states(loom)).toEqual(['inactive', 'inactive', 'inactive', 'inactive']);
  }, 240_000);
});

describe('loom/restore onto hosts with other addresses', () => {
  let moved: LoomSshCluster | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-loom-moved-'));

  afterAll(async () => {
    await moved?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('rebuilds every --peers from the new addresses and the restored keys, shown as a diff', async () => {
    // A second cluster on its own subnet, restoring the first one's backups from its bucket.
    moved = await startLoomCluster({
      dir,
      backup: false,
      staleKeyOn: null,
      uploadBackups: false,
      s3: { ...s3, directory: world.s3.directory },
    });
    const old = world.loom;
    const { data } = newest(old);
    // The newest config set, fixed before the stale-key test may have rewritten node3's:
    // the older set is untouched.
    const config = old.s3!.uploaded.config[1]!.objects.find((o) => o.host === 'node1')!.key;
    const r = await restore(moved, data, config);
    expect(r.code, r.stdout.slice(-3000) + r.stderr).toBe(0);
    for (const n of moved.nodes) {
      const was = old.host(n.name);
      // Identity from the backup, addresses of this cluster.
      const key = await onHost(moved, n.name, 'cd /home/ubuntu && loom nodekey');
      expect(key.stdout).toBe(`${was.nodeId}\n`);
      const unit = fs.readFileSync(n.unitFile, 'utf8');
      for (const other of moved.nodes.filter((o) => o !== n)) {
        expect(unit).toContain(`tcp://${old.host(other.name).nodeId}@${other.address}:46656`);
      }
      expect(unit).not.toContain(was.address);
      // The confirmation showed the change as a diff of the unit.
      expect(r.stdout).toMatch(
        new RegExp(
          `${n.name} \\| -ExecStart=.*@${old.nodes[n.name === 'node1' ? 1 : 0]!.address.replace(/\./g, '\\.')}:46656`,
        ),
      );
      expect(r.stdout).toMatch(
        new RegExp(
          `${n.name} \\| \\+ExecStart=.*@${moved.nodes[n.name === 'node1' ? 1 : 0]!.address.replace(/\./g, '\\.')}:46656`,
        ),
      );
    }
    expect(r.stdout).toMatch(
      /✓ peers-match · node1: node1's --peers lists node2, node3, node4 with their current node IDs/,
    );
    expect(await states(moved)).toEqual(['active', 'active', 'active', 'active']);
  }, 300_000);
});
