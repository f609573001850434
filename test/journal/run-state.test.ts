import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/engine/events.ts';
import { foldRun } from '../../src/journal/run-state.ts';
import { CAPTURED_SECRET, crashedRun, diskGate, header, RUN_ID } from './sample-run.ts';

const later = (type: 'run-paused' | 'run-resumed', extra = {}): RunEvent =>
  ({
    runId: RUN_ID,
    at: '2026-11-21T05:00:00.000Z',
    type,
    ...(type === 'run-resumed' ? { changed: null } : {}),
    ...extra,
  }) as RunEvent;

describe('foldRun', () => {
  it('reports a step that started and never finished as interrupted, never running', () => {
    const state = foldRun(header(), crashedRun());
    expect(state.status).toBe('running');
    expect(state.steps['rebuild-index']).toMatchObject({
      status: 'interrupted',
      attempts: 1,
      endedAt: null,
    });
    expect(Object.values(state.steps).some((s) => s.status === 'running')).toBe(false);
    // What each host got to: node1 finished, node2 started and never reported.
    expect(state.steps['rebuild-index']!.hosts).toEqual({
      node1: {
        status: 'ok',
        command: 'loom reindex',
        exitCode: 0,
        signal: null,
        durationMs: 5000,
        error: null,
      },
      node2: {
        status: 'unknown',
        command: 'loom reindex',
        exitCode: null,
        signal: null,
        durationMs: null,
        error: null,
      },
    });
    expect(state.currentStep).toBe('rebuild-index');
    expect(state.steps['start-loom']!.status).toBe('pending');
  });

  it('derives the run status from its lifecycle events', () => {
    const events = crashedRun();
    expect(foldRun(header(), [...events, later('run-paused')]).status).toBe('paused');
    expect(foldRun(header(), [...events, later('run-paused'), later('run-resumed')]).status).toBe(
      'running',
    );
    const failed = foldRun(header(), [
      ...events,
      {
        runId: RUN_ID,
        at: '2026-11-21T06:00:00.000Z',
        type: 'run-finished',
        status: 'failed',
        error: 'boom',
      },
    ]);
    expect(failed).toMatchObject({
      status: 'failed',
      error: 'boom',
      finishedAt: '2026-11-21T06:00:00.000Z',
    });
    const resumed = foldRun(header(), [...events, later('run-paused'), later('run-resumed')]);
    expect(resumed.resumes).toBe(1);
  });

  it('keeps step statuses, attempts, durations and who confirmed', () => {
    const state = foldRun(header(), crashedRun());
    expect(state.steps['stop-loom']).toMatchObject({
      status: 'succeeded',
      title: 'Stop Loom',
      risk: 'changes',
      attempts: 1,
      durationMs: 3000,
      confirmedBy: 'alice',
      verify: [{ index: 0, host: 'node1', status: 'pass', message: 'loom is inactive' }],
    });
    expect(state.steps['restore-data']).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      reason: null,
    });
    expect(state.steps['restore-data']!.hosts.node1).toMatchObject({ status: 'ok', exitCode: 0 });
  });

  it('records overrides, decisions, choices and preflight results (last per check and host)', () => {
    const events = crashedRun();
    // A result with no check-started of its own belongs to the preflight it follows.
    const recheck: RunEvent = {
      runId: RUN_ID,
      at: '2026-11-21T05:00:00.000Z',
      type: 'check-result',
      check: 'peers-match',
      host: 'local',
      status: 'pass',
      message: 'all known',
      evidence: {},
    };
    const state = foldRun(header(), [...events, recheck]);
    expect(state.overrides).toEqual([
      {
        check: 'disk-free',
        step: null,
        reason: 'old snapshots pruned by hand',
        by: 'alice',
        at: expect.any(String),
      },
    ]);
    expect(state.decisions.map((d) => `${d.kind}:${d.answer}`)).toEqual([
      'override:override',
      'after-failure:retry',
    ]);
    expect(state.choices).toEqual({ snapshot_id: 'snap-7' });
    expect(state.preflight).toBe('fail');
    const disk = state.checks.find((c) => c.id === 'disk-free')!;
    expect(disk.title).toBe('Enough disk for the snapshot');
    expect(disk.preflight.map((r) => `${r.host}:${r.status}`)).toEqual([
      'node1:pass',
      'node2:fail',
    ]);
    expect(disk.gates).toEqual([]);
    const peers = state.checks.find((c) => c.id === 'peers-match')!;
    expect(peers.preflight.map((r) => `${r.host}:${r.status}`)).toEqual(['local:pass']);
  });

  it('keeps a check failing in the preflight and passing as a gate apart: both show', () => {
    const at = '2026-11-21T05:00:00.000Z';
    const again = '2026-11-21T05:01:00.000Z';
    const state = foldRun(header(), [...crashedRun(), ...diskGate(at), ...diskGate(again)]);
    const disk = state.checks.find((c) => c.id === 'disk-free')!;
    // The preflight as it was: the gate's pass does not overwrite node2's failure.
    expect(disk.preflight.map((r) => `${r.host}:${r.status}`)).toEqual([
      'node1:pass',
      'node2:fail',
    ]);
    expect(disk.gates.map((g) => ({ step: g.step, attempt: g.attempt, at: g.at }))).toEqual([
      { step: 'start-loom', attempt: 1, at },
      { step: 'start-loom', attempt: 2, at: again },
    ]);
    expect(disk.gates[0]!.results).toEqual([
      {
        host: 'node1',
        status: 'pass',
        message: '40 GiB free',
        evidence: { expected: '>= 10 GiB', found: '40 GiB' },
        at,
      },
      {
        host: 'node2',
        status: 'pass',
        message: '20 GiB free',
        evidence: { expected: '>= 10 GiB', found: '20 GiB' },
        at,
      },
    ]);
  });

  it('records skips with their reasons', () => {
    const skip: RunEvent = {
      runId: RUN_ID,
      at: '2026-11-21T05:00:00.000Z',
      type: 'step-finished',
      step: 'start-loom',
      status: 'skipped',
      durationMs: 0,
      reason: 'node is being replaced',
      confirmedBy: 'bob',
    };
    const state = foldRun(header(), [...crashedRun(), skip]);
    expect(state.skips).toEqual([
      {
        step: 'start-loom',
        reason: 'node is being replaced',
        by: 'bob',
        at: '2026-11-21T05:00:00.000Z',
      },
    ]);
    expect(state.steps['start-loom']!.status).toBe('skipped');
  });

  it('keeps captures, with secret ones present but masked', () => {
    const state = foldRun(header(), crashedRun());
    expect(state.captures.map(({ name, value, secret }) => ({ name, value, secret }))).toEqual([
      { name: 'height', value: '81234', secret: false },
      { name: 'token', value: '••••••', secret: true },
    ]);
    expect(JSON.stringify(state)).not.toContain(CAPTURED_SECRET);
  });

  it('is plain data: JSON round-trips it unchanged', () => {
    const state = foldRun(header(), crashedRun());
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('has no current step once every step succeeded or was skipped', () => {
    const h = { ...header(), stepHashes: { a: '1', '10': '2' }, stepOrder: ['a', '10'] };
    const events: RunEvent[] = [
      {
        runId: RUN_ID,
        at: 't1',
        type: 'step-started',
        step: 'a',
        title: 'A',
        risk: 'read-only',
        hosts: [],
        attempt: 1,
      },
      {
        runId: RUN_ID,
        at: 't2',
        type: 'step-finished',
        step: 'a',
        status: 'succeeded',
        durationMs: 1,
      },
    ];
    const partial = foldRun(h, events);
    // Order comes from stepOrder, not from the object's keys (which would put "10" first).
    expect(partial.stepOrder).toEqual(['a', '10']);
    expect(partial.currentStep).toBe('10');
    const done = foldRun(h, [
      ...events,
      {
        runId: RUN_ID,
        at: 't3',
        type: 'step-finished',
        step: '10',
        status: 'skipped',
        durationMs: 0,
      },
      { runId: RUN_ID, at: 't4', type: 'run-finished', status: 'succeeded' },
    ]);
    expect(done.currentStep).toBeNull();
    expect(done.status).toBe('succeeded');
  });

  it('a header with no events is a run that stopped before it began', () => {
    const state = foldRun(header(), []);
    expect(state.status).toBe('running');
    expect(state.currentStep).toBe('stop-loom');
    expect(state.startedAt).toBe(header().createdAt);
  });
});
