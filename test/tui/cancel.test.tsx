/** Ctrl-C while a step runs asks first; n keeps it running, y cancels it and the run stops. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cleanupWorlds, KEY, open, world } from './harness.ts';

afterEach(cleanupWorlds);

describe('Ctrl-C during a running step', () => {
  it('asks before cancelling, and cancels on y', async () => {
    const w = world();
    const marker = path.join(w.dir, 'finished');
    fs.writeFileSync(
      path.join(w.runbooks, 'tuitest', 'slow.yaml'),
      stringify({
        format: 1,
        title: 'Slow',
        system: 'tuitest',
        summary: 'One slow step.',
        source: { document: 'test/tui' },
        steps: [
          {
            id: 'slow',
            title: 'Sleep a while',
            explain: 'Sleeps.',
            risk: 'read-only',
            run: `echo started; sleep 20; touch ${marker}`,
          },
        ],
      }),
    );
    const s = open(w, { kind: 'overview', runbook: 'tuitest/slow', sets: {} });
    await s.waitFor('Sleep a while');
    await s.press(KEY.enter);
    await s.press(KEY.enter);
    await s.waitFor('│ started');
    await s.press(KEY.ctrlC);
    await s.waitFor('Cancel the running step?');
    await s.press('n');
    await new Promise((r) => setTimeout(r, 300));
    expect(s.frame()).not.toContain('Cancel the running step?');
    expect(s.frame()).toContain('Sleep a while [read-only]');
    await s.press(KEY.ctrlC);
    await s.waitFor('Cancel the running step?');
    await s.press('y');
    const f = await s.waitFor('Report: stepwise report');
    expect(f).toContain('Slow: aborted');
    expect(fs.existsSync(marker)).toBe(false);
    s.unmount();
  }, 30_000);
});
