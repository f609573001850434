/** Re-checking a failed check instead of overriding it: the operator fixes the host, the check runs again. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { HEADER, runScenario, ScriptedDecider } from './harness.ts';

const runbook = (dir: string) => `${HEADER}
checks:
  - id: marker
    title: the marker file exists
    run: test -e ${dir}/marker
steps:
  - id: go
    title: Go
    explain: Runs once the marker is there.
    risk: read-only
    run: echo went
`;

test('a check fixed by the operator passes on re-check, with no override recorded', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-recheck-'));
  // The operator reads the failure, fixes the host, then asks for the check again.
  const decider = new ScriptedDecider({ override: [{ action: 'recheck' }] }, (r) => {
    if (r.kind === 'override') fs.writeFileSync(path.join(dir, 'marker'), '');
  });
  const r = await runScenario({ yaml: runbook(dir), decider });
  expect(r.outcome).toBe('succeeded');
  expect(r.log).toContain('answer override recheck by tester');
  expect(r.log.filter((l) => l.startsWith('check-result marker@local'))).toEqual([
    expect.stringMatching(/^check-result marker@local fail/),
    expect.stringMatching(/^check-result marker@local pass/),
  ]);
  expect(r.log.some((l) => l.startsWith('check-overridden'))).toBe(false);
});

test('a check still failing on re-check is asked about again, with the new results', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-recheck-'));
  const decider = new ScriptedDecider({
    override: [{ action: 'recheck' }, { action: 'override', reason: 'checked by hand' }],
  });
  const r = await runScenario({ yaml: runbook(dir), decider });
  expect(r.outcome).toBe('succeeded');
  expect(decider.requests.filter((q) => q.kind === 'override')).toHaveLength(2);
  expect(r.log).toContain('check-overridden marker by tester: checked by hand');
});
