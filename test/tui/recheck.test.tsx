/**
 * `r` on a failed preflight: the operator fixes the host, presses r, the check runs again and
 * the run goes on without an override.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cleanupWorlds, KEY, open, world } from './harness.ts';

afterEach(cleanupWorlds);

it('re-runs a failed check after the host was fixed, and needs no override', async () => {
  const w = world();
  const work = path.join(w.dir, 'work');
  const s = open(w, {
    kind: 'overview',
    runbook: 'tuitest/drill',
    inventory: w.inventory,
    sets: { workdir: work },
  });
  await s.waitFor('Role nodes: n1, n2');
  await s.press(KEY.enter);
  let f = await s.waitFor('Override it only with a reason');
  expect(f).toMatch(/marker\s+✓\s+✗/);
  expect(f).toContain('r re-check');
  // Fixed on the host, then checked again.
  fs.writeFileSync(path.join(work, 'marker-n2'), '');
  await s.press('r');
  f = await s.waitFor(/marker\s+✓\s+✓/);
  expect(f).not.toContain('Override it only with a reason');
  const journal = fs.readFileSync(
    path.join(w.home, 'runs', fs.readdirSync(path.join(w.home, 'runs'))[0]!, 'journal.jsonl'),
    'utf8',
  );
  expect(journal).toContain('"answer":"recheck"');
  expect(journal).not.toContain('check-overridden');
});
