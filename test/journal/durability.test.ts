/** Which events are fsync'd before append returns: those that change what a resume does. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import type { RunEvent } from '../../src/engine/events.ts';
import { journalPath } from '../../src/journal/paths.ts';
import { readJournal } from '../../src/journal/reader.ts';
import { JournalWriter } from '../../src/journal/writer.ts';
import { newJournal, RUN_ID } from './sample-run.ts';

afterEach(() => vi.restoreAllMocks());

const at = '2026-11-21T03:15:03.000Z';

it('fsyncs a step start and a decision, and only writes a check result and a host end', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-durable-'));
  const file = journalPath(dir, RUN_ID);
  const writer = JournalWriter.create(file, newJournal());
  const fsync = vi.spyOn(fs, 'fsyncSync');
  const events: RunEvent[] = [
    {
      type: 'check-result',
      runId: RUN_ID,
      at,
      check: 'c',
      host: 'h',
      status: 'pass',
      message: 'ok',
      evidence: {},
    },
    {
      type: 'host-finished',
      runId: RUN_ID,
      at,
      step: 's',
      host: 'h',
      phase: 'run',
      status: 'ok',
      exitCode: 0,
      signal: null,
      durationMs: 1,
    },
  ];
  for (const e of events) writer.append(e);
  expect(fsync).not.toHaveBeenCalled();
  // Written all the same: a killed process loses none of them.
  expect(readJournal(file).events).toEqual(events);
  const started: RunEvent = {
    type: 'step-started',
    runId: RUN_ID,
    at,
    step: 's',
    title: 'S',
    risk: 'changes',
    hosts: ['h'],
    attempt: 1,
  };
  writer.append(started);
  expect(fsync).toHaveBeenCalled();
  fsync.mockClear();
  writer.append({ type: 'decision', runId: RUN_ID, at, kind: 'confirm', answer: 'run', by: 'me' });
  expect(fsync).toHaveBeenCalled();
  writer.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
