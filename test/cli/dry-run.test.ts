/** `run --dry-run` shows every rendered command per host and changes nothing. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startRestoreWorld } from '../../fixtures/loom/restore-world.mjs';
import {
  CLI_TIMEOUT,
  cleanupWorkspaces,
  events,
  localInventory,
  ofType,
  workspace,
} from './helpers.ts';

afterEach(cleanupWorkspaces);

/** A hash of every file's path and bytes under `dir`. */
function treeHash(dir: string): string {
  const hash = createHash('sha256');
  const files = fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  for (const f of files) hash.update(f).update('\0').update(fs.readFileSync(f)).update('\0');
  return hash.digest('hex');
}

describe('--dry-run', { timeout: CLI_TIMEOUT }, () => {
  it('prints each command per host with choice placeholders, and runs none of them', async () => {
    const ws = workspace();
    const inv = ws.write('inventory.yaml', localInventory(['n1', 'n2']));
    const listed = ws.path('choose-list-ran');
    ws.writeRunbook('t/plan', {
      roles: { nodes: { description: 'the nodes' } },
      parameters: { label: { description: 'a label', default: 'nightly' } },
      steps: [
        {
          id: 'pick',
          choose: {
            var: 'colour',
            prompt: 'Which colour?',
            run: `touch ${listed}; printf 'red\\nblue\\n'`,
          },
        },
        {
          id: 'paint',
          on: 'nodes',
          risk: 'changes',
          run: `touch ${ws.dir}/{{ colour }}-{{ host }}-{{ label }}`,
          verify: [{ run: `test -e ${ws.dir}/{{ colour }}-{{ host }}-{{ label }}` }],
        },
        { id: 'wipe', risk: 'destructive', run: `touch ${ws.path('wiped')}` },
      ],
    });
    const before = fs.readdirSync(ws.dir).sort();

    const r = await ws.run(['run', 't/plan', '-i', inv, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('DRY RUN: nothing will be changed');
    expect(r.stdout).toContain(`  choose local: touch ${listed}; printf 'red\\nblue\\n'`);
    for (const host of ['n1', 'n2']) {
      expect(r.stdout).toContain(`  $ ${host}: touch ${ws.dir}/'<colour>'-${host}-nightly`);
      expect(r.stdout).toContain(`  verify ${host}: test -e ${ws.dir}/'<colour>'-${host}-nightly`);
    }
    expect(r.stdout).toContain(`  $ local: touch ${ws.path('wiped')}`);
    expect(r.stdout).toContain('Dry run finished: nothing was changed');

    const json = await ws.run(['run', 't/plan', '-i', inv, '--dry-run', '--json']);
    expect(json.code).toBe(0);
    const list = events(json.stdout);
    expect(ofType(list, 'run-started')[0]?.dryRun).toBe(true);
    expect(ofType(list, 'step-planned').map((e) => `${e.step} ${e.phase} ${e.host}`)).toEqual([
      'pick choose local',
      'paint run n1',
      'paint run n2',
      'paint verify n1',
      'paint verify n2',
      'wipe run local',
    ]);
    expect(ofType(list, 'host-started')).toEqual([]);
    expect(ofType(list, 'decision-requested')).toEqual([]);

    // Nothing ran: no file was made, not even by the choose list, and no run was kept.
    expect(fs.readdirSync(ws.dir).sort()).toEqual(before);
    expect(fs.existsSync(path.join(ws.home, 'runs'))).toBe(false);
  });

  it('plans the Loom restore on a simulated cluster without touching it', async () => {
    const ws = workspace();
    const world = await startRestoreWorld({ dir: ws.path('loom') });
    try {
      const { cluster } = world;
      const before = treeHash(cluster.dir);
      const r = await ws.run(['run', 'loom/restore', '-i', world.inventory, '--dry-run', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const planned = ofType(events(r.stdout), 'step-planned');
      const download = planned.filter((e) => e.step === 'download-data' && e.phase === 'run');
      expect(download.map((e) => e.host)).toEqual(cluster.nodes.map((n) => n.name));
      for (const e of download) {
        expect(e.command).toContain(`s3 download s3://${world.bucket}/<data_backup> →`);
      }
      const restore = planned.filter((e) => e.step === 'restore-data' && e.phase === 'run');
      for (const e of restore) {
        expect(e.command).toMatch(
          /tar xjf stepwise-restore\/\S+\/data\.tar\.bz2 app\.db chaindata/,
        );
      }
      const config = planned.filter((e) => e.step === 'download-config' && e.phase === 'run');
      for (const e of config) expect(e.command).toContain('<config_archive>');
      expect(treeHash(cluster.dir)).toBe(before);
    } finally {
      await world.stop();
    }
  });
});
