/**
 * A terminal resized under the TUI: the screen is laid out again for the new size, with nothing
 * left over from the old layout, and 80×24 stays usable.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { makeLoomCluster } from '../../fixtures/loom/make-cluster.mjs';
import { CLI } from '../cli/helpers.ts';
import { ensureTmux, killTerms, term } from './tmux.ts';

let dir = '';
beforeAll(() => {
  ensureTmux();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-resize-'));
});
afterEach(killTerms);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const widest = (screen: string) => Math.max(...screen.split('\n').map((l) => [...l].length));
const count = (screen: string, text: string) => screen.split(text).length - 1;

it('re-lays out the overview when the terminal shrinks to 80×24 and grows again', async () => {
  const cluster = await makeLoomCluster({ dir: path.join(dir, 'cluster') });
  const env = { STEPWISE_HOME: path.join(dir, 'home'), TERM: 'xterm-256color' };
  // Every required parameter given, so the form opens on Start.
  const t = term(
    [
      process.execPath,
      CLI,
      'run',
      'loom/restore',
      '-i',
      cluster.inventory,
      '--set',
      's3_bucket=loom-backups',
      '--set',
      'backup_node=loom-backup',
    ],
    env,
    { cols: 120, rows: 40 },
  );
  const wide = await t.waitFor('Restore a Loom cluster from backups');
  expect(count(wide, 'Restore a Loom cluster from backups')).toBe(1);

  t.resize(80, 24);
  // The old 120-column frame must not linger: every line fits, each line of the frame shows
  // once. (The 13 steps and 10 parameters of loom/restore are taller than 24 rows, so the top
  // of the overview, its title, is above the screen: the form at the bottom is what shows.)
  const narrow = await t.waitFor(
    (() => {
      const re = /Reload systemd/;
      return { test: (s: string) => re.test(s) && widest(s) <= 80 } as RegExp;
    })(),
  );
  expect(count(narrow, 'Reload systemd')).toBe(1);
  expect(count(narrow, 'backup_node')).toBe(1);
  expect(narrow.trimEnd().split('\n').length).toBeLessThanOrEqual(24);
  // The keys of the screen are still shown at the bottom.
  expect(narrow.trimEnd().split('\n').at(-1)).toMatch(/Enter start.*Esc back/);

  t.resize(100, 30);
  // Laid out again within a moment, with no line of the 80-column frame left above it.
  const again = await t
    .waitFor(
      {
        test: (s: string) =>
          count(s, 'Reload systemd') === 1 &&
          count(s, 'backup_node') === 1 &&
          /Restore chaindata and app\.db from the data backup/.test(s),
      } as RegExp,
      3000,
    )
    .catch((error: Error) => error.message);
  expect(again).not.toMatch(/^timed out/);
}, 30_000);
