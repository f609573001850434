/**
 * loom/restore in a real terminal (tmux), driving the built CLI as an operator would.
 *
 * On the Loom cluster on real sshd: a cluster on new addresses restores another cluster's
 * backups from S3, from the form to the summary. The preflight shows the stale key on node3,
 * the NODE_KEYS step shows each unit's old and new ExecStart as a diff before it asks, and the
 * cluster starts with the backed-up identities at its own addresses.
 *
 * On the local simulated cluster (no sshd needed): a quit in the middle and a resume from the
 * command line, and a resume from home.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RestoreWorld, startRestoreWorld } from '../../fixtures/loom/restore-world.mjs';
import { type LoomSshCluster, startLoomCluster } from '../../fixtures/loom/ssh-cluster.mjs';
import { S3RVER_KEY, S3RVER_SECRET } from '../../fixtures/s3/server.ts';
import { CLI } from '../cli/helpers.ts';
import { BUCKET, type LoomWorld, startLoomWorld } from '../fixtures/loom-ssh.ts';
import { ensureTmux, killTerms, type Term, term } from './tmux.ts';

const dirs: string[] = [];
const mkdir = (prefix: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};
beforeAll(() => ensureTmux());
afterEach(killTerms);
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

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
  return t.waitFor(new RegExp(`${DESTRUCTIVE[phrase]} \\[destructive\\][^]*Phrase:`), 60_000);
}

async function typePhrase(t: Term, phrase: string) {
  await destructive(t, phrase);
  await pause();
  t.type(phrase);
  await key(t, 'Enter');
}

/** Waits for a step that changes things and confirms it with y. */
async function confirm(t: Term, title: string) {
  await t.waitFor(new RegExp(`${title} \\[changes\\][^]*y run`), 60_000);
  await key(t, 'y');
}

/** The newest backups, the downloads and the stop: up to the data restore's question. */
async function throughStop(t: Term) {
  await t.waitFor('Which data backup should every node get?', 60_000);
  await key(t, 'Enter');
  await t.waitFor('Which config backup', 60_000);
  await key(t, 'Enter');
  await confirm(t, 'Download the data backup onto every node');
  await confirm(t, "Download each node's config backup");
  await confirm(t, 'Stop loom on every node');
}

/** From restore-config to the summary; returns the install-peers question's screen. */
async function toTheEnd(t: Term) {
  await typePhrase(t, 'restore loom config');
  await typePhrase(t, 'restore loom unit');
  await confirm(t, "Rebuild --peers when the nodes' addresses changed");
  const install = await t.waitFor(/Install the rebuilt --peers \[changes\][\s\S]*y run/, 60_000);
  await key(t, 'y');
  await confirm(t, 'Reload systemd');
  await confirm(t, 'Start loom on every node');
  const end = await t.waitFor('Report: stepwise report', 120_000);
  return { install, end };
}

describe('the Loom restore in a terminal, over sshd, onto new addresses', () => {
  let world: LoomWorld;
  let moved: LoomSshCluster;

  beforeAll(async () => {
    // The backups come from `world`; `moved` is another cluster, on its own subnet, whose
    // node3 lists node1 under a stale key.
    world = await startLoomWorld({ backup: false, staleKeyOn: null });
    moved = await startLoomCluster({
      dir: mkdir('stepwise-e2e-moved-'),
      backup: false,
      staleKeyOn: 'node3',
      stalePeer: 'node1',
      uploadBackups: false,
      s3: {
        endpoint: world.s3.endpoint,
        bucket: BUCKET,
        accessKeyId: S3RVER_KEY,
        secretAccessKey: S3RVER_SECRET,
      },
    });
  }, 240_000);

  afterAll(async () => {
    await moved?.stop();
    await world?.stop();
  }, 60_000);

  it('walks from the form to the summary, showing the stale key and the rebuilt --peers', async () => {
    const dir = mkdir('stepwise-e2e-');
    // OpenSSH (ssh -G) names root's own ~/.ssh/known_hosts, whatever HOME says: the UI runs in a
    // mount namespace of its own with a root home holding this cluster's host keys, so the real
    // one is neither read nor written.
    const rootHome = path.join(dir, 'root');
    fs.mkdirSync(path.join(rootHome, '.ssh'), { recursive: true });
    fs.copyFileSync(moved.knownHosts, path.join(rootHome, '.ssh/known_hosts'));
    const env = { STEPWISE_HOME: path.join(dir, 'home'), TERM: 'xterm-256color' };
    const t = term(
      [
        'unshare',
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        'mount --bind "$0" "$HOME" && exec "$@"',
        rootHome,
        process.execPath,
        CLI,
        'run',
        'loom/restore',
        '-i',
        moved.inventory,
        '--set',
        'backup_node=loom-backup',
      ],
      { ...env, HOME: os.homedir() },
    );
    await t.waitFor('Role loom_nodes: node1, node2, node3, node4', 30_000);
    // Everything else comes from the inventory (s3_*) and the runbook's defaults.
    await t.waitFor(/backup_node\s+loom-backup/);
    await key(t, 'Enter');

    // The preflight matrix: peers-match fails on node3 only; its evidence names the stale key.
    let s = await t.waitFor('A step is waiting: press Enter to go on.', 60_000);
    expect(s).toMatch(/peers-match\s+✓\s+✓\s+✗\s+✓/);
    await key(t, 'Down', 'Down', 'Down', 'Right', 'Right', 'Right');
    s = await t.waitFor('peers-match on node3: fail');
    expect(s).toMatch(
      /node3's --peers lists node1 \([\d.]+\) as \w+…\w+, but node1's loom nodekey is/,
    );
    await key(t, 'Enter');

    await throughStop(t);
    await typePhrase(t, 'restore loom data');
    const { install, end } = await toTheEnd(t);
    // The confirmation showed the diff of the unit: the backed-up address out, the new one in.
    const old = world.loom.host('node2').address;
    const now = moved.host('node2').address;
    expect(install).toContain('Preview on node1');
    expect(install).toMatch(new RegExp(`-ExecStart=.*@${old.replace(/\./g, '\\.')}:46656`));
    expect(install).toMatch(new RegExp(`\\+ExecStart=.*@${now.replace(/\./g, '\\.')}:46656`));
    expect(end).toContain('Restore a Loom cluster from backups: succeeded');
    expect(end).toMatch(/Start loom on every node\s+succeeded/);
    await key(t, 'q');
    const after = await t.waitFor('[exit 0]');
    expect(after).toMatch(/Report: stepwise report \d{8}-\d{6}-loom-restore-[0-9a-f]{4}/);

    // On disk: the backed-up identities at this cluster's addresses.
    for (const n of moved.nodes) {
      const unit = fs.readFileSync(n.unitFile, 'utf8');
      for (const other of moved.nodes.filter((o) => o !== n)) {
        expect(unit).toContain(
          `tcp://${world.loom.host(other.name).nodeId}@${other.address}:46656`,
        );
      }
      expect(await moved.serviceState(n.name)).toBe('active');
    }
  }, 300_000);
});

describe('quitting and resuming the Loom restore (local cluster)', () => {
  let world: RestoreWorld;
  let dir: string;

  beforeAll(async () => {
    dir = mkdir('stepwise-e2e-local-');
    world = await startRestoreWorld({ dir: path.join(dir, 'cluster') });
  }, 60_000);

  afterAll(async () => {
    await world?.stop();
  });

  const stepwise = (home: string, ...args: string[]) =>
    term([process.execPath, CLI, ...args], { STEPWISE_HOME: home, TERM: 'xterm-256color' });

  it('quits in the middle and resumes on the same step with stepwise resume', async () => {
    const home = path.join(dir, 'home-1');
    const t = stepwise(home, 'run', 'loom/restore', '-i', world.inventory);
    await t.waitFor('Role loom_nodes: node1, node2, node3, node4', 30_000);
    await key(t, 'Enter');
    await t.waitFor('A step is waiting: press Enter to go on.', 60_000);
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
    const node1 = world.cluster.nodes[0]!;
    expect(fs.readFileSync(path.join(node1.home, 'app.db/000002.ldb'), 'utf8')).toContain(
      'origin=node1',
    );
    t.kill();

    const r = stepwise(home, 'resume', runId!);
    await r.waitFor('(resumed)', 30_000);
    await r.waitFor('A step is waiting: press Enter to go on.', 60_000);
    await key(r, 'Enter');
    // The same step it stopped at, not the choices again.
    const again = await destructive(r, 'restore loom data');
    expect(again).not.toContain('Which data backup');
    r.type('restore loom data');
    await key(r, 'Enter');
    const { install, end } = await toTheEnd(r);
    // Same addresses as the backup: nothing to rebuild, and the preview says so.
    expect(install).toContain('--peers is already right here: nothing to install');
    expect(end).toContain('Restore a Loom cluster from backups: succeeded');
    expect(end).toMatch(/Choose the data backup\s+succeeded/);
    await key(r, 'Enter');
    await r.waitFor('[exit 0]');
  }, 240_000);

  it('lists the unfinished run on home and resumes it with Enter', async () => {
    const home = path.join(dir, 'home-2');
    const t = stepwise(home, 'run', 'loom/restore', '-i', world.inventory);
    await t.waitFor('Role loom_nodes: node1, node2, node3, node4', 30_000);
    await key(t, 'Enter');
    await t.waitFor('A step is waiting: press Enter to go on.', 60_000);
    await key(t, 'Enter');
    await throughStop(t);
    await typePhrase(t, 'restore loom data');
    await destructive(t, 'restore loom config');
    await key(t, 'Escape', 'q');
    await t.waitFor('[exit 0]');
    t.kill();

    const h = stepwise(home);
    const s = await h.waitFor('stopped at restore-config', 30_000);
    expect(s).toContain('↻ loom/restore');
    await key(h, 'Enter');
    await h.waitFor('(resumed)', 30_000);
    await h.waitFor('A step is waiting: press Enter to go on.', 60_000);
    await key(h, 'Enter');
    const { end } = await toTheEnd(h);
    expect(end).toContain('Restore a Loom cluster from backups: succeeded');
    await key(h, 'q');
    await h.waitFor('[exit 0]');
  }, 240_000);
});
