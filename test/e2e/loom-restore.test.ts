/**
 * The demo's Loom restore in a real terminal (tmux), driving the built CLI as an operator would:
 * from home to the summary with the stale key caught by the preflight, a quit in the middle and
 * a resume from the command line, and a resume from home.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeLoomCluster } from '../../fixtures/loom/make-cluster.mjs';
import { CLI } from '../cli/helpers.ts';
import { ensureTmux, killTerms, type Term, term } from './tmux.ts';

const dirs: string[] = [];
beforeAll(() => ensureTmux());
afterEach(killTerms);
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-e2e-'));
  dirs.push(dir);
  const cluster = await makeLoomCluster({ dir: path.join(dir, 'cluster') });
  const env = { STEPWISE_HOME: path.join(dir, 'home'), TERM: 'xterm-256color' };
  const stepwise = (...args: string[]) => term([process.execPath, CLI, ...args], env);
  return { cluster, stepwise };
}

const pause = (ms = 150) => new Promise((r) => setTimeout(r, ms));

/** Presses a key after a short pause, so Ink reads it on its own (Esc then q is not Alt-q). */
async function key(t: Term, ...keys: string[]) {
  for (const k of keys) {
    await pause();
    t.keys(k);
  }
}

const DESTRUCTIVE: Record<string, string> = {
  'restore loom data': 'Restore chaindata and app.db from the data backup',
  'restore loom config': "Restore each node's own config",
  'restore loom unit': "Restore each node's service unit",
};

/** Waits for a destructive step's question (its title line, then the phrase box). */
function destructive(t: Term, phrase: string) {
  return t.waitFor(new RegExp(`${DESTRUCTIVE[phrase]} \\[destructive\\][^]*Phrase:`));
}

async function typePhrase(t: Term, phrase: string) {
  await destructive(t, phrase);
  await pause();
  t.type(phrase);
  await key(t, 'Enter');
}

/** From the first choice to the step before restore-data, on the Loom restore. */
async function throughStop(t: Term) {
  await t.waitFor('Which data backup should every node get?');
  await key(t, 'Enter');
  await t.waitFor('Which config backup set?');
  await key(t, 'Enter');
  await t.waitFor('Stop loom on every node [changes]');
  await key(t, 'y');
}

/** From restore-config to the summary. */
async function toTheEnd(t: Term) {
  await typePhrase(t, 'restore loom config');
  await typePhrase(t, 'restore loom unit');
  await t.waitFor('Reload systemd [changes]');
  await key(t, 'y');
  await t.waitFor('Start loom on every node [changes]');
  await key(t, 'y');
  return t.waitFor('Report: stepwise report');
}

describe('the Loom restore in a terminal', () => {
  it('walks from home to the summary, and the preflight shows the stale key on node3', async () => {
    const { cluster, stepwise } = await setup();
    const t = stepwise();
    await t.waitFor(/restore\s+Restore a Loom cluster from backups/);
    // Other runbooks come first in the list: narrow it to this one.
    t.type('/');
    await pause();
    t.type('loom/restore');
    await t.waitFor('Filter: loom/restore');
    await key(t, 'Enter', 'Enter');
    // No recent inventory yet: the form starts on it.
    await t.waitFor('Role loom_nodes: no hosts');
    t.type(cluster.inventory);
    await key(t, 'Enter');
    await t.waitFor('Role loom_nodes: node1, node2, node3, node4');
    await pause();
    t.type(cluster.backupStore);
    await key(t, 'Enter', 'Enter');

    // The preflight matrix: peers-match fails on node3 only; its evidence names the stale key.
    let s = await t.waitFor('A step is waiting: press Enter to go on.');
    expect(s).toMatch(/peers-match\s+✓\s+✓\s+✗\s+✓/);
    await key(t, 'Down', 'Right', 'Right');
    s = await t.waitFor('peers-match on node3: fail');
    expect(s).toMatch(
      /node3's --peers lists node1 \([\d.]+\) as \w+…\w+, but node1's loom nodekey is/,
    );
    await key(t, 'Enter');

    await throughStop(t);
    await typePhrase(t, 'restore loom data');
    s = await toTheEnd(t);
    expect(s).toContain('Restore a Loom cluster from backups: succeeded');
    // The gate before the start saw the restored units agree.
    expect(s).toMatch(/Start loom on every node\s+succeeded/);
    await key(t, 'q');
    // The UI leaves its own screen; what to do next stays in the terminal.
    const after = await t.waitFor('[exit 0]');
    expect(after.replace(/\n/g, '')).toMatch(/Run \S+ succeeded\. Journal: \S+journal\.jsonl/);
    expect(after).toMatch(/Report: stepwise report \d{8}-\d{6}-loom-restore-[0-9a-f]{4}/);
  }, 90_000);

  it('quits in the middle and resumes on the same step with stepwise resume', async () => {
    const { cluster, stepwise } = await setup();
    const t = stepwise(
      'run',
      'loom/restore',
      '-i',
      cluster.inventory,
      '--set',
      `backup_store=${cluster.backupStore}`,
    );
    await t.waitFor('Role loom_nodes: node1, node2, node3, node4');
    await key(t, 'Enter');
    await t.waitFor('A step is waiting: press Enter to go on.');
    await key(t, 'Enter');
    await throughStop(t);
    await destructive(t, 'restore loom data');
    await key(t, 'Escape', 'q');
    const s = await t.waitFor('[exit 0]');
    const runId = /stepwise resume (\d{8}-\d{6}-loom-restore-[0-9a-f]{4})/.exec(
      s.replace(/\n/g, ''),
    )?.[1];
    expect(runId).toBeTruthy();
    // Nothing was restored yet: the node's data is still the live one.
    t.kill();

    const r = stepwise('resume', runId!);
    await r.waitFor('(resumed)');
    await r.waitFor('A step is waiting: press Enter to go on.');
    await key(r, 'Enter');
    // The same step it stopped at, not the choices again.
    const again = await destructive(r, 'restore loom data');
    expect(again).not.toContain('Which data backup');
    r.type('restore loom data');
    await key(r, 'Enter');
    const end = await toTheEnd(r);
    expect(end).toContain('Restore a Loom cluster from backups: succeeded');
    expect(end).toMatch(/Choose the data backup\s+succeeded/);
    await key(r, 'Enter');
    await r.waitFor('[exit 0]');
  }, 90_000);

  it('lists the unfinished run on home and resumes it with Enter', async () => {
    const { cluster, stepwise } = await setup();
    const t = stepwise(
      'run',
      'loom/restore',
      '-i',
      cluster.inventory,
      '--set',
      `backup_store=${cluster.backupStore}`,
    );
    await t.waitFor('Role loom_nodes: node1, node2, node3, node4');
    await key(t, 'Enter');
    await t.waitFor('A step is waiting: press Enter to go on.');
    await key(t, 'Enter');
    await throughStop(t);
    await typePhrase(t, 'restore loom data');
    await destructive(t, 'restore loom config');
    await key(t, 'Escape', 'q');
    await t.waitFor('[exit 0]');
    t.kill();

    const h = stepwise();
    const s = await h.waitFor('stopped at restore-config');
    expect(s).toContain('↻ loom/restore');
    await key(h, 'Enter');
    await h.waitFor('(resumed)');
    await h.waitFor('A step is waiting: press Enter to go on.');
    await key(h, 'Enter');
    const end = await toTheEnd(h);
    expect(end).toContain('Restore a Loom cluster from backups: succeeded');
    await key(h, 'q');
    await h.waitFor('[exit 0]');
  }, 90_000);
});
