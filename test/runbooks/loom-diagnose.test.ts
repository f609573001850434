/**
 * runbooks/loom/diagnose-peers.yaml walked headless over a Loom cluster on real sshd that has
 * every problem at once: node3 lists node1 under a stale key, node2 lists the backup node by its
 * key (at an old address), node4's node_key.json is damaged (loom nodekey prints its error and
 * exits 0), and the backup node's --peers leaves node1 out. Each must be its own line of the
 * report, naming both nodes and both keys; then a key replaced on disk while loom runs, and a
 * unit edited without daemon-reload.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newNodeKey } from '../../fixtures/loom/node-key.mjs';
import { ofType } from '../cli/helpers.ts';
import { type LoomRun, type LoomWorld, runLoom, startLoomWorld } from '../fixtures/loom-ssh.ts';

// Real sshd, SSH and s3rver on 2 shared cores: every step is slower than a unit test's.
vi.setConfig({ testTimeout: 60_000 });

let world: LoomWorld;
let run: LoomRun;

beforeAll(async () => {
  world = await startLoomWorld({
    uploadBackups: false,
    staleKeyOn: 'node3',
    stalePeer: 'node1',
    backupListedBy: { node: 'node2', by: 'key' },
    nodekeyErrorOn: 'node4',
    backupOmits: ['node1'],
  });
  run = await runLoom(world, 'diagnose-peers');
}, 120_000);

afterAll(async () => {
  await world?.stop();
}, 30_000);

const problems = (r: LoomRun, check: string) => r.results(check).filter((x) => x.status !== 'pass');

describe('loom/diagnose-peers over real sshd', () => {
  it('finishes (it only reports) and changes nothing', async () => {
    expect(run.code, run.stderr).toBe(0);
    expect(ofType(run.events, 'run-finished')[0]?.status).toBe('succeeded');
    for (const n of ['node1', 'node2', 'node3', 'node4', 'loom-backup']) {
      expect(await world.loom.serviceState(n)).toBe('active');
    }
  });

  it('reports the stale key, naming both nodes and both keys', () => {
    const { stale } = world.loom;
    const node1 = world.loom.host('node1');
    const found = problems(run, 'peer-report').filter(
      (r) => r.host === 'node3' && r.evidence.peer === 'node1',
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      status: 'warn',
      evidence: { expected: node1.nodeId, found: stale!.listedAs, peerAddress: node1.address },
    });
    expect(found[0]!.message).toContain("node3's --peers lists node1");
  });

  it('reports the live node that lists the backup node by key', () => {
    const backup = world.loom.backupNode!;
    const found = problems(run, 'peer-report').filter(
      (r) => r.host === 'node2' && r.evidence.peer === 'loom-backup',
    );
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toMatch(/references backup node loom-backup by its key/);
    expect(found[0]!.evidence).toMatchObject({
      peerKey: backup.nodeId,
      found: `tcp://${backup.nodeId}@10.20.30.40:46656`,
    });
  });

  it('reports loom nodekey printing its error with exit 0, in the check and in the report', () => {
    const nodekey = run.results('nodekey').find((r) => r.host === 'node4');
    expect(nodekey).toMatchObject({ status: 'warn' });
    expect(nodekey!.message).toContain('Error in determining Node Key');
    const report = problems(run, 'peer-report').filter((r) => r.host === 'node4');
    expect(
      report.some((r) => r.message.includes('exited 0, so its exit code cannot be trusted')),
    ).toBe(true);
    // The others cannot verify their entries for node4, and say why.
    expect(
      problems(run, 'peer-report').some(
        (r) => r.host === 'node1' && r.message.includes('loom nodekey on node4 gave no node ID'),
      ),
    ).toBe(true);
  });

  it("reports the live node missing from the backup node's --peers", () => {
    const found = problems(run, 'peer-report').filter(
      (r) => r.host === 'loom-backup' && r.evidence.peer === 'node1',
    );
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toBe(
      `backup node loom-backup's --peers does not list live node node1 (${world.loom.host('node1').address})`,
    );
  });

  it('flags nothing that is right', () => {
    // node1 lists node2 and node3 correctly: no line about them.
    const aboutGood = problems(run, 'peer-report').filter(
      (r) => r.host === 'node1' && ['node2', 'node3'].includes(r.evidence.peer ?? ''),
    );
    expect(aboutGood).toEqual([]);
    expect(
      run
        .results('running-key')
        .filter((r) => r.status === 'pass')
        .map((r) => r.host),
    ).toEqual(['node1', 'node2', 'node3', 'loom-backup']);
    expect(run.results('unit-reloaded').every((r) => r.status === 'pass')).toBe(true);
  });

  it('catches a key replaced on disk while loom runs, and a unit edited without daemon-reload', async () => {
    const node1 = world.loom.host('node1');
    writeFileSync(
      join(node1.home, 'chaindata/config/node_key.json'),
      `${JSON.stringify(newNodeKey().json)}\n`,
    );
    writeFileSync(
      world.loom.host('node2').unitFile,
      `${(await import('node:fs')).readFileSync(world.loom.host('node2').unitFile, 'utf8')}\n`,
    );
    const again = await runLoom(world, 'diagnose-peers');
    expect(again.code, again.stderr).toBe(0);
    const running = again.results('running-key').find((r) => r.host === 'node1');
    expect(running).toMatchObject({ status: 'warn' });
    expect(running!.evidence.found).toContain(`running ${node1.nodeId}`);
    const reloaded = again.results('unit-reloaded').find((r) => r.host === 'node2');
    expect(reloaded).toMatchObject({ status: 'warn' });
    expect(again.results('unit-reloaded').find((r) => r.host === 'node1')).toMatchObject({
      status: 'pass',
    });
  }, 60_000);
});
