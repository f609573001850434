/**
 * A whole run through the TUI on local hosts: overview form, preflight matrix with an override
 * and its typed reason, a choice, a confirmation, the typed destructive phrase (wrong, then
 * right), a failed step with its full output and a skip with a reason, a manual step, and the
 * summary read back from the journal.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupWorlds, KEY, open, world } from './harness.ts';

afterEach(cleanupWorlds);

describe('a run in the TUI', () => {
  it('goes from the overview to the summary, recording the override and the skip', async () => {
    const w = world();
    const work = path.join(w.dir, 'work');
    const s = open(w, {
      kind: 'overview',
      runbook: 'tuitest/drill',
      inventory: w.inventory,
      sets: { workdir: work },
    });
    // Overview: roles with their hosts, steps with risk, the form prefilled, the secret empty.
    let f = await s.waitFor('Role nodes: n1, n2');
    expect(f).toContain('Wipe the drill');
    expect(f).toMatch(/Wipe the drill\s+destructive/);
    expect(f).toContain(`workdir       ${work}`);
    expect(f).toContain('secret: typed, never saved');
    expect(f).toContain('Source: test/tui § Drill');
    await s.press(KEY.enter);

    // Preflight: the marker check fails on n2 and blocks the run until overridden.
    f = await s.waitFor('Override it only with a reason');
    expect(f).toMatch(/marker\s+✓\s+✗/);
    expect(f).toContain('marker on n2: fail');
    expect(f).toContain('no marker for n2');
    await s.press('o');
    await s.waitFor('Reason to override');
    await s.press(KEY.enter);
    await s.waitFor('A reason is needed');
    await s.press('n2 marker is made later');
    await s.press(KEY.enter);
    // The matrix stays until the operator has seen it.
    await s.waitFor('A step is waiting: press Enter to go on.');
    await s.press(KEY.enter);

    // Choose: the pick becomes the variable.
    await s.waitFor('Which flavour?');
    await s.press(KEY.down);
    await s.press(KEY.enter);

    // A step that changes things shows each host's exact command and asks y/n.
    f = await s.waitFor('Touch the nodes [changes]');
    expect(f).toContain(`$ n1: echo n1 beta >> ${work}/touched`);
    expect(f).toContain(`$ n2: echo n2 beta >> ${work}/touched`);
    await s.press('y');

    // Destructive: the phrase must be typed exactly.
    await s.waitFor('Type wipe it to run it');
    await s.press('wipe');
    await s.press(KEY.enter);
    await s.waitFor('That is not “wipe it”');
    expect(fs.existsSync(path.join(work, 'wiped'))).toBe(false);
    await s.press(' it');
    await s.press(KEY.enter);

    // A failed step: its full output opens from the journal, then it is skipped with a reason.
    f = await s.waitFor('A step that fails failed.');
    expect(fs.readFileSync(path.join(work, 'wiped'), 'utf8')).toBe('wiped\n');
    await s.press('o');
    f = await s.waitFor('Output of flaky');
    expect(f).toContain('local: flaky-output-line');
    await s.press(KEY.esc);
    await s.waitFor('A step that fails failed.');
    await s.press('s');
    await s.waitFor('Reason to skip');
    await s.press('known to fail in drills');
    await s.press(KEY.enter);

    // Manual: waits for an explicit done.
    await s.waitFor('Post in the channel that the drill is done.');
    await s.press('d');

    f = await s.waitFor('Report: stepwise report');
    expect(f).toContain('Drill the TUI: succeeded');
    expect(f).toMatch(/Touch the nodes\s+succeeded.*by tester/);
    expect(f).toMatch(/Wipe the drill\s+succeeded.*by tester \(typed\)/);
    expect(f).toContain('Override marker by tester: n2 marker is made later');
    expect(f).toContain('Skipped flaky by tester: known to fail in drills');
    expect(f).toMatch(/Journal: .*journal\.jsonl/);
    expect(fs.readFileSync(path.join(work, 'touched'), 'utf8').split('\n').sort()).toEqual([
      '',
      'n1 beta',
      'n2 beta',
    ]);
    s.unmount();
  }, 30_000);
});
