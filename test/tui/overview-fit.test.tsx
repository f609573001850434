/**
 * A long runbook's overview fits an 80×24 screen: the title stays on top, the outline is cut with
 * a count of what is left, and the form scrolls a window around the focused field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cleanupWorlds, KEY, open, world } from './harness.ts';

afterEach(cleanupWorlds);

it('keeps the title, counts the steps it cannot list and scrolls the form', async () => {
  const w = world();
  const params = Object.fromEntries(
    Array.from({ length: 10 }, (_, i) => [`param_${i}`, { description: `parameter ${i}` }]),
  );
  const steps = Array.from({ length: 14 }, (_, i) => ({
    id: `step-${i}`,
    title: `Step number ${i}`,
    explain: 'Does a thing.',
    risk: i === 13 ? 'destructive' : 'read-only',
    run: 'true',
  }));
  fs.writeFileSync(
    path.join(w.runbooks, 'tuitest', 'long.yaml'),
    stringify({
      title: 'A long runbook',
      system: 'tuitest',
      summary: 'Many steps and many parameters.',
      source: { document: 'test/tui' },
      parameters: params,
      steps,
    }),
  );
  const s = open(w, { kind: 'overview', runbook: 'tuitest/long', sets: {} });
  let f = await s.waitFor('param_0');
  const lines = f.split('\n');
  expect(lines.length).toBeLessThanOrEqual(24);
  expect(lines[0]).toContain('A long runbook (tuitest/long)');
  expect(f).toMatch(/… \d+ more of 14 steps \(.*1 destructive\)/);
  expect(f).not.toContain('param_9');
  for (let i = 0; i < 10; i++) await s.press(KEY.down);
  f = await s.waitFor(/› param_9/);
  expect(f.split('\n').length).toBeLessThanOrEqual(24);
  expect(f.split('\n')[0]).toContain('A long runbook');
  expect(f).not.toContain('param_0 ');
  s.unmount();
});
