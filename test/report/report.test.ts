import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/engine/events.ts';
import { foldRun } from '../../src/journal/run-state.ts';
import { renderReport } from '../../src/report/report.ts';
import {
  CAPTURED_SECRET,
  crashedRun,
  diskGate,
  header,
  RUN_ID,
  SECRET,
} from '../journal/sample-run.ts';

function run(): { state: ReturnType<typeof foldRun>; events: RunEvent[] } {
  const events: RunEvent[] = [
    ...crashedRun(),
    ...diskGate('2026-11-21T03:59:00.000Z'),
    {
      runId: RUN_ID,
      at: '2026-11-21T04:00:00.000Z',
      type: 'warning',
      message: 'clock skew on node2',
      host: 'node2',
    },
    {
      runId: RUN_ID,
      at: '2026-11-21T04:00:01.000Z',
      type: 'step-finished',
      step: 'start-loom',
      status: 'skipped',
      durationMs: 0,
      reason: 'node is being replaced',
      confirmedBy: 'bob',
    },
    {
      runId: RUN_ID,
      at: '2026-11-21T04:00:02.000Z',
      type: 'run-finished',
      status: 'failed',
      error: 'interrupted',
    },
  ];
  return { state: foldRun(header(), events), events };
}

describe('renderReport', () => {
  it('markdown has every section, in order', () => {
    const { state, events } = run();
    const md = renderReport(state, events, 'md', { journalPath: '/state/runs/x/journal.jsonl' });
    const sections = [...md.matchAll(/^##? .*$/gm)].map((m) => m[0]);
    expect(sections).toEqual([
      '# Run report: Restore a Loom node from snapshot',
      '## Parameters',
      '## Hosts',
      '## Preflight checks',
      '## Gates',
      '## Steps',
      '## Overrides',
      '## Skipped steps',
      '## Warnings',
      '## Journal',
    ]);
    expect(md).toContain(`| Run | \`${RUN_ID}\` |`);
    expect(md).toContain('| Status | **failed**: interrupted |');
    expect(md).toContain('| Stopped at | step `rebuild-index` |');
    // The check matrix, a verdict per host, with the message's pipe escaped.
    expect(md).toContain('| Check | `node1` | `node2` | `local` |');
    expect(md).toMatch(
      /\| `disk-free` Enough disk for the snapshot \| pass \| \*\*fail\*\* \| — \|/,
    );
    expect(md).toContain('**fail**: only 3 GiB free | low (expected: `>= 10 GiB`, found: `3 GiB`)');
    // The same check passing later as a gate does not hide its preflight failure: both show.
    expect(md).toContain(
      '| `disk-free` Enough disk for the snapshot | `start-loom` | `node2` | pass | 20 GiB free (expected: `>= 10 GiB`, found: `20 GiB`) |',
    );
    // Steps with status, who confirmed, per-host exit codes, verification and captures.
    expect(md).toContain('### 1. Stop Loom (`stop-loom`): succeeded');
    expect(md).toContain('Confirmed by: alice');
    expect(md).toMatch(/\| `node2` \| ok \| 0 \| 1\.5 s \| `systemctl stop loom` \|/);
    expect(md).toContain('- #1 on `node1`: **pass**: loom is inactive');
    expect(md).toContain('- `height` on `node1` = `81234`');
    expect(md).toContain('- `token` on `node1` = `••••••` (secret)');
    expect(md).toContain('### 3. Rebuild the index (`rebuild-index`): interrupted');
    expect(md).toMatch(/\| `node2` \| \*\*unknown\*\* \| — \| — \| `loom reindex` \|/);
    expect(md).toContain('- attempt 1 at 2026-11-21T03:15:');
    // Overrides and skips with their reasons.
    expect(md).toContain('| `disk-free` | — | old snapshots pruned by hand | alice |');
    expect(md).toContain('| `start-loom` | node is being replaced | bob |');
    expect(md).toContain('`/state/runs/x/journal.jsonl`');
    expect(md).toContain('| `snapshot_id` | `snap-7` |');
    expect(md).toContain('(on `node2`): clock skew on node2');
  });

  it('never contains a secret value', () => {
    const { state, events } = run();
    for (const format of ['md', 'json'] as const) {
      const out = renderReport(state, events, format);
      expect(out).not.toContain(SECRET);
      expect(out).not.toContain(CAPTURED_SECRET);
      expect(out).toContain('••••••');
    }
  });

  it('json is the same content as one object', () => {
    const { state, events } = run();
    const report = JSON.parse(renderReport(state, events, 'json', { journalPath: '/j.jsonl' }));
    expect(report).toMatchObject({
      report: 'stepwise-run',
      version: 1,
      run: { id: RUN_ID, status: 'failed', currentStep: 'rebuild-index' },
      parameters: { snapshot: 'snap-2026-11-20', s3_secret_key: '••••••' },
      preflight: { status: 'fail', hosts: ['node1', 'node2', 'local'] },
      journal: '/j.jsonl',
    });
    expect(report.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual([
      'stop-loom:succeeded',
      'restore-data:succeeded',
      'rebuild-index:interrupted',
      'start-loom:skipped',
    ]);
    const restore = report.steps[1];
    expect(restore.attemptHistory.map((a: { status: string }) => a.status)).toEqual([
      'failed',
      'succeeded',
    ]);
    expect(restore.attemptHistory[0].commands[0]).toMatchObject({
      host: 'node1',
      exitCode: 2,
      command: 'loom restore snap',
    });
    // The preflight as it was, and the gate evaluation before its step, side by side.
    const disk = report.preflight.checks.find((c: { id: string }) => c.id === 'disk-free');
    expect(
      disk.results.map((r: { host: string; status: string }) => `${r.host}:${r.status}`),
    ).toEqual(['node1:pass', 'node2:fail']);
    expect(report.gates).toMatchObject([
      {
        check: 'disk-free',
        step: 'start-loom',
        attempt: 1,
        results: [
          { host: 'node1', status: 'pass' },
          { host: 'node2', status: 'pass' },
        ],
      },
    ]);
    expect(report.skips).toHaveLength(1);
    expect(report.overrides).toHaveLength(1);
  });

  it('escapes markup and fences code that contains backticks', () => {
    const { state, events } = run();
    state.params.weird = 'a`b|c';
    state.title = '<script> *boom*';
    const md = renderReport(state, events, 'md');
    expect(md).toContain('# Run report: \\<script\\> \\*boom\\*');
    expect(md).toContain('| `weird` | ``a`b\\|c`` |');
  });
});
