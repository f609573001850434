import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/engine/events.ts';
import { journalPath } from '../../src/journal/paths.ts';
import { JournalWriter } from '../../src/journal/writer.ts';
import { listRuns } from '../../src/store/list-runs.ts';
import { Store } from '../../src/store/store.ts';
import { crashedRun, newJournal } from '../journal/sample-run.ts';

const dirs: string[] = [];
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-runs-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function journal(home: string, runId: string, extra: RunEvent[] = []): string {
  const file = journalPath(home, runId);
  const writer = JournalWriter.create(file, newJournal({ runId }));
  for (const e of [...crashedRun(), ...extra]) writer.append({ ...e, runId });
  writer.close();
  return file;
}

describe('listRuns', () => {
  it('finds a run whose journal exists but never made it into the index', () => {
    const home = tmp();
    const file = journal(home, '20261121-031502-loom-restore-ab12');
    const runs = listRuns(home);
    expect(runs).toEqual([
      {
        runId: '20261121-031502-loom-restore-ab12',
        runbook: 'loom-restore',
        title: 'Restore a Loom node from snapshot',
        startedAt: expect.any(String),
        status: 'running',
        journal: file,
        inventoryPath: '/inv/prod.yaml',
        currentStep: 'rebuild-index',
        source: 'journal',
        problem: null,
      },
    ]);
  });

  it('merges the index with the journals, newest first, refreshing runs the index calls running', () => {
    const home = tmp();
    const store = Store.open(home);
    const older = '20261120-010101-loom-restore-0001';
    const newer = '20261121-010101-loom-restore-0002';
    const finished: RunEvent = {
      runId: newer,
      at: '2026-11-21T09:00:00.000Z',
      type: 'run-finished',
      status: 'aborted',
    };
    journal(home, older);
    journal(home, newer, [finished]);
    const base = {
      runbook: 'loom-restore',
      title: 'Restore',
      startedAt: 'x',
      currentStep: null,
      status: 'running' as const,
    };
    store.recordRun({
      ...base,
      runId: older,
      journal: journalPath(home, older),
      status: 'succeeded',
    });
    store.recordRun({ ...base, runId: newer, journal: journalPath(home, newer) });
    store.recordRun({
      ...base,
      runId: '20261119-000000-gone-0003',
      journal: path.join(home, 'gone.jsonl'),
    });

    const runs = listRuns(home, store);
    expect(runs.map((r) => [r.runId, r.status, r.source])).toEqual([
      [newer, 'aborted', 'both'],
      [older, 'succeeded', 'both'],
      ['20261119-000000-gone-0003', 'running', 'index'],
    ]);
    expect(runs[2]!.problem).toContain('journal missing');
  });

  it('lists a damaged journal with the problem instead of failing', () => {
    const home = tmp();
    const file = journal(home, '20261121-031502-loom-restore-ab12');
    fs.writeFileSync(file, 'not a journal\n');
    const [run] = listRuns(home);
    expect(run).toMatchObject({ status: 'unknown', source: 'journal' });
    expect(run!.problem).toContain(`${file}:1`);
  });

  it('is empty for a fresh state home', () => {
    expect(listRuns(tmp())).toEqual([]);
  });
});
