/**
 * The backup-node check kinds integration-tested on the Loom cluster on real sshd, with the
 * real inventory (parent group `loom`) and real SSH transports: loom.caught-up against real RPC
 * heights (behind, stuck, stopped, caught up), and loom.backup-peers / loom.not-referenced on
 * units written by the fixture.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CheckContext } from '../../src/engine/checks/kind.ts';
import { loomBackupPeers } from '../../src/engine/checks/loom-backup-peers.ts';
import { loomCaughtUp } from '../../src/engine/checks/loom-caught-up.ts';
import { loomNotReferenced } from '../../src/engine/checks/loom-not-referenced.ts';
import { loadInventory } from '../../src/inventory/load.ts';
import type { Host } from '../../src/inventory/types.ts';
import { checkSchema } from '../../src/runbook/schema.ts';
import { renderCommand, renderText } from '../../src/runbook/template.ts';
import { sshTransports } from '../../src/transports/ssh/ssh-transport.ts';
import type { Transport } from '../../src/transports/transport.ts';
import { type LoomWorld, onHost, startLoomWorld } from '../fixtures/loom-ssh.ts';
import { emptyHome, run, ScriptedDecider } from '../ssh/helpers.ts';

// Real sshd, SSH and s3rver on 2 shared cores: every step is slower than a unit test's.
vi.setConfig({ testTimeout: 60_000 });

let world: LoomWorld;
let hosts: Host[];
const open = new Map<string, Transport>();

beforeAll(async () => {
  world = await startLoomWorld({
    uploadBackups: false,
    backupListedBy: { node: 'node3', by: 'entry' },
    backupOmits: ['node4'],
  });
  const inventory = await loadInventory(world.loom.inventory);
  hosts = inventory.groups.get('loom')!.map((n) => inventory.hosts.get(n)!);
}, 120_000);

afterAll(async () => {
  for (const t of open.values()) await t.close?.();
  await world?.stop();
}, 30_000);

function context(): CheckContext {
  const make = sshTransports({
    env: { HOME: emptyHome(), PATH: process.env.PATH ?? '' },
    knownHostsFile: world.loom.knownHosts,
    decider: new ScriptedDecider(() => ({ action: 'abort' })),
  });
  const lookup = (h: Host) => (name: string) => {
    if (name === 'loom_dir') return '/home/ubuntu';
    if (name === 'unit_file') return '/etc/systemd/system/loom.service';
    const v = h.vars[name];
    return v === undefined ? undefined : String(v);
  };
  return {
    hosts,
    now: () => new Date(),
    async exec(h, command) {
      let t = open.get(h.name);
      if (!t) {
        t = make(h);
        open.set(h.name, t);
      }
      const r = await run(t, command);
      return { exitCode: r.exitCode ?? null, stdout: r.stdout, stderr: r.stderr };
    },
    command: (t, h) => renderCommand(t, lookup(h)),
    text: (t, h) => renderText(t, lookup(h)),
  };
}

const spec = checkSchema.parse({ id: 'k', title: 't', on: 'loom', kind: 'loom.caught-up' });
const backupVerdict = async () => {
  const r = await loomCaughtUp.run(context(), loomCaughtUp.args.parse({}), spec);
  return r.find((x) => x.host === 'loom-backup')!;
};

describe('loom.caught-up on real RPC heights', () => {
  it('passes a backup node in step with the chain', async () => {
    expect(await backupVerdict()).toMatchObject({ status: 'pass' });
  });

  it('fails a backup node that is behind, and one that is stuck, naming the live node ahead', async () => {
    await world.loom.setLag('loom-backup', { blocks: 50, catchUpMs: null });
    const v = await backupVerdict();
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(
      /^backup node loom-backup is at block \d+, (\d+) behind node\d \(\d+\)$/,
    );
    expect(Number(/, (\d+) behind/.exec(v.message)![1])).toBeGreaterThanOrEqual(50);
    await new Promise((r) => setTimeout(r, 1500));
    const later = await backupVerdict();
    expect(Number(/, (\d+) behind/.exec(later.message)![1])).toBeGreaterThan(
      Number(/, (\d+) behind/.exec(v.message)![1]),
    );
  });

  it('passes again once it has caught up', async () => {
    await world.loom.setLag('loom-backup', { blocks: 20, catchUpMs: 1000 });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await backupVerdict()).toMatchObject({ status: 'pass' });
  });

  it('fails while loom is stopped on the backup node: connection refused', async () => {
    // Stopped, and its port closed (the fixture notices a stop within 50 ms, more under load).
    const rpc = world.loom.host('loom-backup').rpc;
    await onHost(
      world.loom,
      'loom-backup',
      `sudo -n systemctl stop loom && for i in $(seq 100); do curl -s ${rpc}/status >/dev/null; [ $? = 7 ] && break; sleep 0.1; done`,
    );
    const v = await backupVerdict();
    expect(v).toMatchObject({ status: 'fail' });
    expect(v.message).toContain('connection refused (curl exit 7)');
    await onHost(world.loom, 'loom-backup', 'sudo -n systemctl start loom');
  });
});

describe('loom.backup-peers and loom.not-referenced on the fixture units', () => {
  it('finds the live node missing from the backup node and the live node listing it', async () => {
    const ctx = context();
    const peers = await loomBackupPeers.run(ctx, loomBackupPeers.args.parse({}), spec);
    const missing = peers.filter((r) => r.status === 'fail');
    expect(missing.map((r) => r.message)).toEqual([
      `backup node loom-backup's --peers does not list live node node4 (${world.loom.host('node4').address})`,
    ]);
    const refs = await loomNotReferenced.run(ctx, loomNotReferenced.args.parse({}), spec);
    const bad = refs.filter((r) => r.status === 'fail');
    expect(bad.map((r) => r.host)).toEqual(['node3']);
    expect(bad[0]!.evidence.peerKey).toBe(world.loom.backupNode!.nodeId);
  });
});
