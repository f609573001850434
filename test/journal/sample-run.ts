/**
 * A small run of a Loom restore, as a journal would hold it: a preflight with a failing check
 * that is overridden, a step with a secret capture, a skipped step and an interrupted one.
 */
import type { RunEvent } from '../../src/engine/events.ts';
import type { JournalHeader } from '../../src/journal/header.ts';
import type { NewJournal } from '../../src/journal/writer.ts';

export const RUN_ID = '20261121-031502-loom-restore-ab12';
export const SECRET = 's3cr3t-hunter2';
export const CAPTURED_SECRET = 'tok-0xDEADBEEF';

export function newJournal(overrides: Partial<NewJournal> = {}): NewJournal {
  return {
    runId: RUN_ID,
    runbook: 'loom-restore',
    runbookPath: '/rb/loom/restore.yaml',
    runbookHash: 'sha256:abc',
    stepHashes: {
      'stop-loom': 'h1',
      'restore-data': 'h2',
      'rebuild-index': 'h3',
      'start-loom': 'h4',
    },
    stepOrder: ['stop-loom', 'restore-data', 'rebuild-index', 'start-loom'],
    params: { snapshot: 'snap-2026-11-20', s3_secret_key: SECRET },
    secretParams: ['s3_secret_key'],
    inventoryPath: '/inv/prod.yaml',
    createdAt: '2026-11-21T03:15:02.000Z',
    ...overrides,
  };
}

export function header(): JournalHeader {
  return {
    type: 'journal',
    version: 1,
    runId: RUN_ID,
    runbook: 'loom-restore',
    runbookPath: '/rb/loom/restore.yaml',
    runbookHash: 'sha256:abc',
    stepHashes: {
      'stop-loom': 'h1',
      'restore-data': 'h2',
      'rebuild-index': 'h3',
      'start-loom': 'h4',
    },
    stepOrder: ['stop-loom', 'restore-data', 'rebuild-index', 'start-loom'],
    params: { snapshot: 'snap-2026-11-20', s3_secret_key: '••••••' },
    sets: {},
    inventoryPath: '/inv/prod.yaml',
    createdAt: '2026-11-21T03:15:02.000Z',
  };
}

let second = 0;
function at(): string {
  second++;
  return new Date(Date.UTC(2026, 10, 21, 3, 15, 2 + second)).toISOString();
}

type Body = RunEvent extends infer E
  ? E extends RunEvent
    ? Omit<E, 'runId' | 'at'>
    : never
  : never;

/** Stamps events with the run id and increasing times. */
export function stamp(bodies: Body[]): RunEvent[] {
  second = 0;
  return bodies.map((b) => ({ runId: RUN_ID, at: at(), ...b }) as RunEvent);
}

/** A run that crashed in `rebuild-index` (started, never finished). */
export function crashedRun(): RunEvent[] {
  return stamp([
    {
      type: 'run-started',
      runbook: 'loom-restore',
      title: 'Restore a Loom node from snapshot',
      runbookPath: '/rb/loom/restore.yaml',
      runbookHash: 'sha256:abc',
      params: { snapshot: 'snap-2026-11-20', s3_secret_key: '••••••' },
      hosts: [
        { name: 'node1', address: '10.0.0.1', connection: 'ssh', groups: ['loom'] },
        { name: 'node2', address: '10.0.0.2', connection: 'ssh', groups: ['loom'] },
      ],
      dryRun: false,
    },
    { type: 'preflight-started', checks: ['disk-free', 'peers-match'] },
    {
      type: 'check-started',
      check: 'disk-free',
      title: 'Enough disk for the snapshot',
      hosts: ['node1', 'node2'],
    },
    {
      type: 'check-result',
      check: 'disk-free',
      host: 'node1',
      status: 'pass',
      message: '42 GiB free',
      evidence: { expected: '>= 10 GiB', found: '42 GiB' },
    },
    {
      type: 'check-result',
      check: 'disk-free',
      host: 'node2',
      status: 'fail',
      message: 'only 3 GiB free | low',
      evidence: { expected: '>= 10 GiB', found: '3 GiB' },
    },
    {
      type: 'check-started',
      check: 'peers-match',
      title: 'Peers match node keys',
      hosts: ['local'],
    },
    {
      type: 'check-result',
      check: 'peers-match',
      host: 'local',
      status: 'warn',
      message: 'node3 unknown',
      evidence: {},
    },
    { type: 'preflight-finished', status: 'fail' },
    { type: 'decision-requested', check: 'disk-free', kind: 'override' },
    {
      type: 'decision',
      check: 'disk-free',
      kind: 'override',
      answer: 'override',
      reason: 'old snapshots pruned by hand',
      by: 'alice',
    },
    {
      type: 'check-overridden',
      check: 'disk-free',
      reason: 'old snapshots pruned by hand',
      by: 'alice',
    },
    // Step 1: succeeds on both hosts, with a secret and a plain capture.
    {
      type: 'step-started',
      step: 'stop-loom',
      title: 'Stop Loom',
      risk: 'changes',
      hosts: ['node1', 'node2'],
      attempt: 1,
    },
    {
      type: 'step-planned',
      step: 'stop-loom',
      host: 'node1',
      command: 'systemctl stop loom',
      phase: 'run',
    },
    {
      type: 'host-started',
      step: 'stop-loom',
      host: 'node1',
      command: 'systemctl stop loom',
      phase: 'run',
    },
    { type: 'output', step: 'stop-loom', host: 'node1', stream: 'stdout', data: 'stopped\n' },
    {
      type: 'host-finished',
      step: 'stop-loom',
      host: 'node1',
      phase: 'run',
      status: 'ok',
      exitCode: 0,
      signal: null,
      durationMs: 1200,
    },
    {
      type: 'host-started',
      step: 'stop-loom',
      host: 'node2',
      command: 'systemctl stop loom',
      phase: 'run',
    },
    {
      type: 'host-finished',
      step: 'stop-loom',
      host: 'node2',
      phase: 'run',
      status: 'ok',
      exitCode: 0,
      signal: null,
      durationMs: 1500,
    },
    {
      type: 'capture',
      step: 'stop-loom',
      host: 'node1',
      name: 'height',
      value: '81234',
      secret: false,
    },
    // A secret capture that (wrongly) arrives unredacted: the fold must still mask it.
    {
      type: 'capture',
      step: 'stop-loom',
      host: 'node1',
      name: 'token',
      value: CAPTURED_SECRET,
      secret: true,
    },
    {
      type: 'verify-result',
      step: 'stop-loom',
      host: 'node1',
      index: 0,
      status: 'pass',
      message: 'loom is inactive',
    },
    {
      type: 'step-finished',
      step: 'stop-loom',
      status: 'succeeded',
      durationMs: 3000,
      confirmedBy: 'alice',
    },
    // Step 2: fails once, then succeeds on retry.
    {
      type: 'step-started',
      step: 'restore-data',
      title: 'Restore the data',
      risk: 'destructive',
      hosts: ['node1'],
      attempt: 1,
    },
    {
      type: 'host-started',
      step: 'restore-data',
      host: 'node1',
      command: 'loom restore snap',
      phase: 'run',
    },
    {
      type: 'host-finished',
      step: 'restore-data',
      host: 'node1',
      phase: 'run',
      status: 'failed',
      exitCode: 2,
      signal: null,
      durationMs: 900,
      error: 'Command failed with exit code 2: loom restore snap\nno such snapshot',
    },
    {
      type: 'step-finished',
      step: 'restore-data',
      status: 'failed',
      durationMs: 950,
      reason: 'exit 2 on node1',
    },
    { type: 'decision', step: 'restore-data', kind: 'after-failure', answer: 'retry', by: 'alice' },
    {
      type: 'step-started',
      step: 'restore-data',
      title: 'Restore the data',
      risk: 'destructive',
      hosts: ['node1'],
      attempt: 2,
    },
    {
      type: 'host-started',
      step: 'restore-data',
      host: 'node1',
      command: 'loom restore snap',
      phase: 'run',
    },
    {
      type: 'host-finished',
      step: 'restore-data',
      host: 'node1',
      phase: 'run',
      status: 'ok',
      exitCode: 0,
      signal: null,
      durationMs: 60_000,
    },
    { type: 'choice', step: 'restore-data', var: 'snapshot_id', value: 'snap-7' },
    {
      type: 'step-finished',
      step: 'restore-data',
      status: 'succeeded',
      durationMs: 61_000,
      confirmedBy: 'alice',
    },
    // Step 3: started on two hosts, node1 finished, node2 never reported: the process died.
    {
      type: 'step-started',
      step: 'rebuild-index',
      title: 'Rebuild the index',
      risk: 'changes',
      hosts: ['node1', 'node2'],
      attempt: 1,
    },
    {
      type: 'host-started',
      step: 'rebuild-index',
      host: 'node1',
      command: 'loom reindex',
      phase: 'run',
    },
    {
      type: 'host-finished',
      step: 'rebuild-index',
      host: 'node1',
      phase: 'run',
      status: 'ok',
      exitCode: 0,
      signal: null,
      durationMs: 5000,
    },
    {
      type: 'host-started',
      step: 'rebuild-index',
      host: 'node2',
      command: 'loom reindex',
      phase: 'run',
    },
    {
      type: 'output',
      step: 'rebuild-index',
      host: 'node2',
      stream: 'stdout',
      data: 'reindexing 10%\n',
    },
  ]);
}

/** `disk-free` judged again right before `start-loom`: node2, failing in the preflight, passes. */
export function diskGate(at: string): RunEvent[] {
  const base = { runId: RUN_ID, at, check: 'disk-free' };
  const result = (host: string, free: string): RunEvent => ({
    ...base,
    type: 'check-result',
    host,
    status: 'pass',
    message: `${free} free`,
    evidence: { expected: '>= 10 GiB', found: free },
  });
  return [
    {
      ...base,
      type: 'check-started',
      title: 'Enough disk for the snapshot',
      hosts: ['node1', 'node2'],
      gateFor: 'start-loom',
    },
    result('node1', '40 GiB'),
    result('node2', '20 GiB'),
  ];
}
