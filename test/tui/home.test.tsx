/** Home: runbooks grouped by system, the type-to-filter box, and help. */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupWorlds, KEY, open, world } from './harness.ts';

afterEach(cleanupWorlds);

describe('home', () => {
  it('groups runbooks by system and filters them as you type', async () => {
    const w = world();
    const s = open(w, { kind: 'home' });
    let f = await s.waitFor('Drill the TUI');
    // The system heads its first runbook; the others line up under it, titles in one column.
    expect(f).toMatch(/loom\s+backup\s+Back up a Loom cluster/);
    expect(f).toMatch(/^ {15}restore {12}Restore a Loom cluster/m);
    expect(f).toMatch(/tuitest\s+drill\s+Drill the TUI/);
    await s.press('/');
    await s.press('dri');
    f = await s.waitFor(/Filter: dri/);
    expect(f).not.toContain('Restore a Loom cluster');
    expect(f).toContain('Drill the TUI');
    await s.press(KEY.enter);
    await s.press(KEY.enter);
    f = await s.waitFor('Role nodes:');
    expect(f).toContain('Drill the TUI (tuitest/drill)');
    s.unmount();
  });

  it('shows every keybinding on ?', async () => {
    const w = world();
    const s = open(w, { kind: 'home' });
    await s.waitFor('Drill the TUI');
    await s.press('?');
    const f = await s.waitFor('Keys');
    expect(f).toContain('quit and save');
    expect(f).toContain('Ctrl-C');
    await s.press('x');
    await s.waitFor('Filter:');
    s.unmount();
  });
});
