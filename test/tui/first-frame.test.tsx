/**
 * The TUI's first frame (see src/tui/launch.tsx): the home screen lists the runbooks at once,
 * from a directory listing, and the rest (titles, unfinished runs) comes through the lazily
 * loaded backend a moment later.
 */
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/tui/app.tsx';
import { runbookGroups } from '../../src/tui/groups.ts';
import { lazyCliBackend } from '../../src/tui/lazy-backend.ts';
import { cleanupWorlds, world } from './harness.ts';

afterEach(cleanupWorlds);

async function waitFor(frame: () => string, text: string): Promise<string> {
  const deadline = Date.now() + 8000;
  while (!frame().includes(text)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${text}:\n${frame()}`);
    await new Promise((res) => setTimeout(res, 10));
  }
  return frame();
}

describe('first frame', () => {
  it('lists the runbooks in the very first frame, then fills in their titles', async () => {
    const w = world();
    const initialGroups = await runbookGroups([w.runbooks]);
    const r = render(
      createElement(App, {
        backend: lazyCliBackend(w.io, [w.runbooks]),
        start: { kind: 'home' },
        initialGroups,
        noColor: true,
        onExit: () => {},
      }),
    );
    const first = r.frames[0] ?? '';
    expect(first).toMatch(/tuitest\s+drill/);
    expect(first).toMatch(/loom\s+backup\n\s+backup-node-setup/);
    expect(first).toMatch(/^\s+restore$/m);
    expect(first).not.toContain('Loading runbooks');
    expect(first).not.toContain('Drill the TUI');
    const later = await waitFor(() => r.lastFrame() ?? '', 'Drill the TUI');
    expect(later).toMatch(/tuitest\s+drill\s+Drill the TUI/);
    r.unmount();
  });

  it('without them, the first frame says the runbooks are loading', () => {
    const w = world();
    const r = render(
      createElement(App, {
        backend: lazyCliBackend(w.io, [w.runbooks]),
        start: { kind: 'home' },
        noColor: true,
        onExit: () => {},
      }),
    );
    expect(r.frames[0]).toContain('Loading runbooks');
    r.unmount();
  });

  it('loads the real backend on first use and answers as it does', async () => {
    const w = world();
    const lazy = lazyCliBackend(w.io, [w.runbooks]);
    expect(await lazy.groups()).toEqual(await w.backend.groups());
    // Before loading: no suggestions, and a run's data cannot be asked for yet.
    expect(lazy.recentInventories()).toEqual([]);
    expect(() => lazy.journalPath('x')).toThrow(/before the TUI finished loading/);
    expect(await lazy.unfinished()).toEqual(await w.backend.unfinished());
    expect(lazy.journalPath('some-run')).toBe(w.backend.journalPath('some-run'));
    const o = await lazy.overview('tuitest/drill', w.inventory, {});
    expect(o.runbook.spec.title).toBe('Drill the TUI');
    expect(o.roleHosts.nodes).toEqual(['n1', 'n2']);
  });
});
