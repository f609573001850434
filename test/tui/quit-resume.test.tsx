/**
 * q at a question pauses and saves the run; home lists it as unfinished with the step it stopped
 * at; resuming from home lands on that same step.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupWorlds, KEY, open, world } from './harness.ts';

afterEach(cleanupWorlds);

describe('quit and resume', () => {
  it('saves on q and resumes on the same step from home', async () => {
    const w = world();
    const work = path.join(w.dir, 'work');
    fs.writeFileSync(path.join(work, 'marker-n2'), '');
    const s = open(w, {
      kind: 'overview',
      runbook: 'tuitest/drill',
      inventory: w.inventory,
      sets: { workdir: work },
    });
    await s.waitFor('Role nodes: n1, n2');
    await s.press(KEY.enter);
    // Every check passes: the matrix waits for Enter before the first question.
    await s.waitFor('A step is waiting: press Enter to go on.');
    expect(s.frame()).toMatch(/marker\s+✓\s+✓/);
    await s.press(KEY.enter);
    await s.waitFor('Which flavour?');
    await s.press(KEY.enter);
    await s.waitFor('Touch the nodes [changes]');
    await s.press('q');
    for (let i = 0; i < 200 && s.exits.length === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(s.exits[0]?.message).toMatch(/Resume it with: stepwise resume \S+/);
    s.unmount();
    expect(fs.existsSync(path.join(work, 'touched'))).toBe(false);

    const home = open(w, { kind: 'home' });
    const f = await home.waitFor('stopped at touch');
    expect(f).toContain('↻ tuitest/drill');
    await home.press(KEY.enter);
    await home.waitFor('(resumed)');
    await home.waitFor('A step is waiting: press Enter to go on.');
    await home.press(KEY.enter);
    // The same step, not the choice again: the pick was kept.
    const again = await home.waitFor('Touch the nodes [changes]');
    expect(again).toContain(`$ n1: echo n1 alpha >> ${work}/touched`);
    // The pick made before quitting is listed as done, though the resumed engine passes over it.
    expect(again).toMatch(/✓ Pick a flavour succeeded/);
    await home.press('y');
    await home.waitFor('Type wipe it to run it');
    expect(fs.readFileSync(path.join(work, 'touched'), 'utf8')).toContain('n1 alpha');
    home.unmount();
  }, 30_000);
});
