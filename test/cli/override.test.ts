/** `--override CHECK=REASON` goes past a failing check and records why. */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLI_TIMEOUT,
  cleanupWorkspaces,
  events,
  journalEvents,
  ofType,
  workspace,
} from './helpers.ts';

afterEach(cleanupWorkspaces);

interface Report {
  overrides: { check: string; step: string | null; reason: string; by: string }[];
  steps: { id: string; status: string }[];
}

describe('--override', { timeout: CLI_TIMEOUT }, () => {
  it('passes a failing preflight check; the reason is in the journal and the report', async () => {
    const ws = workspace();
    const ran = ws.path('ran');
    ws.writeRunbook('t/gated', {
      checks: [
        { id: 'backup-fresh', title: 'the backup is fresh', run: 'echo 3 days old; exit 1' },
        { id: 'disk-ok', title: 'the disk is fine', run: 'true' },
      ],
      steps: [{ id: 'restore', run: `touch ${ran}` }],
    });
    const reason = 'checked by hand: the backup from 3 days ago is the one we want';
    const r = await ws.run(['run', 't/gated', '--json', '--override', `backup-fresh=${reason}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(ran)).toBe(true);
    const runId = events(r.stdout)[0]!.runId;

    const journal = journalEvents(ws, runId);
    expect(ofType(journal, 'check-result')).toMatchObject([
      { check: 'backup-fresh', status: 'fail' },
      { check: 'disk-ok', status: 'pass' },
    ]);
    expect(ofType(journal, 'check-overridden')).toEqual([
      {
        type: 'check-overridden',
        check: 'backup-fresh',
        reason,
        by: '--override',
        runId,
        at: expect.any(String),
      },
    ]);

    const json = await ws.run(['report', runId, '--format', 'json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as Report;
    expect(report.overrides).toMatchObject([{ check: 'backup-fresh', reason, by: '--override' }]);
    expect(report.steps).toMatchObject([{ id: 'restore', status: 'succeeded' }]);

    const md = await ws.run(['report', runId]);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain(reason);
  });

  it('passes a failing gate right before the step it gates', async () => {
    const ws = workspace();
    ws.writeRunbook('t/gate', {
      checks: [{ id: 'ready', title: 'ready', preflight: false, run: 'exit 1' }],
      steps: [
        { id: 'before', run: 'true' },
        { id: 'gated', requires: ['ready'], run: 'echo gated ran' },
      ],
    });
    const refused = await ws.run(['run', 't/gate', '--json']);
    expect(refused.code).toBe(1);
    expect(events(refused.stdout).at(-1)).toMatchObject({
      type: 'run-finished',
      status: 'failed',
      error: 'check ready failed before step gated',
    });

    const r = await ws.run(['run', 't/gate', '--json', '--override', 'ready=known flaky']);
    expect(r.code).toBe(0);
    expect(ofType(events(r.stdout), 'check-overridden')).toMatchObject([
      { check: 'ready', step: 'gated', reason: 'known flaky' },
    ]);
  });

  it('needs a reason', async () => {
    const ws = workspace();
    ws.writeRunbook('t/gated', {
      checks: [{ id: 'c', title: 'c', run: 'exit 1' }],
      steps: [{ id: 'a', run: 'true' }],
    });
    const r = await ws.run(['run', 't/gated', '--override', 'c=']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--override c=: expected CHECK=REASON');
  });
});
