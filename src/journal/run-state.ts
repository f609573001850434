/**
 * The state of a run, folded from its journal. Pure and plain: the same header and events
 * always give the same state, and the state is JSON as it is (for `stepwise runs --json`, the
 * report and resume).
 *
 * THE rule: a step that started and never finished is `interrupted`. The fold never reports it
 * as running or pending, so nothing downstream can re-run it silently.
 */
import type {
  DecisionKind,
  Evidence,
  HostStatus,
  RunbookChanges,
  RunEvent,
  RunStatus,
  StepStatus,
  Verdict,
} from '../engine/events.ts';
import { MASK } from '../engine/redact.ts';
import type { Risk } from '../runbook/schema.ts';
import { headerStepOrder, type JournalHeader } from './header.ts';

/**
 * Where a run is. `running` means it has not ended: either it is still going, or it stopped
 * without a word (a crash, a lost terminal) and can be resumed.
 */
export type RunProgress = 'running' | 'paused' | RunStatus;

/**
 * How a step's command went on one host. `pending`: not started; `running`: started, no result
 * yet; `unknown`: started, and the step ended or the run stopped without a result for it.
 */
export type HostRunStatus = HostStatus | 'pending' | 'running' | 'unknown';

/** A step's `run` command on one host, in the step's latest attempt. */
export interface HostRun {
  status: HostRunStatus;
  /** The command as rendered (secrets already redacted); null until planned. */
  command: string | null;
  exitCode: number | null;
  signal: string | null;
  durationMs: number | null;
  /** Why it failed, with the tail of stderr. */
  error: string | null;
}

/** One verification of a step on one host. `index` is its position in the step's `verify` list. */
export interface VerifyOutcome {
  index: number;
  host: string;
  status: 'pass' | 'fail';
  message: string;
}

/** A step as the journal tells it. Fields describe the latest attempt. */
export interface StepState {
  id: string;
  /** Null for a step the run never reached. */
  title: string | null;
  risk: Risk | null;
  /** Never `running`: a step that started and did not finish is `interrupted`. */
  status: StepStatus;
  attempts: number;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  reason: string | null;
  confirmedBy: string | null;
  /** Host → how the step's command went there, in inventory order. */
  hosts: Record<string, HostRun>;
  verify: VerifyOutcome[];
}

/** A captured value. Secret ones are kept as present, with the value replaced by `••••••`. */
export interface CaptureState {
  step: string;
  host: string;
  name: string;
  value: string;
  secret: boolean;
  at: string;
}

/** A failing check the operator chose to go past, and why. */
export interface OverrideState {
  check: string;
  step: string | null;
  reason: string;
  by: string;
  at: string;
}

/** A step that was skipped, and why. */
export interface SkipState {
  step: string;
  reason: string | null;
  by: string | null;
  at: string;
}

/** An answer to one of the engine's questions. */
export interface DecisionState {
  step: string | null;
  check: string | null;
  kind: DecisionKind;
  answer: string;
  reason: string | null;
  by: string;
  at: string;
}

/** A check's verdict on one host. */
export interface CheckHostResult {
  host: string;
  status: Verdict;
  message: string;
  evidence: Evidence;
  at: string;
}

/** One evaluation of a check right before a step it gates (`requires`). */
export interface GateEvaluation {
  step: string;
  /** 1 for the check's first evaluation before this step; more after a resume or a late pick. */
  attempt: number;
  /** When the evaluation started. */
  at: string;
  results: CheckHostResult[];
}

/**
 * A check and its verdicts. The preflight and each gate evaluation are kept apart: a check that
 * failed in the preflight and passed right before its step must show both, never just the last.
 */
export interface CheckState {
  id: string;
  /** Null when a result arrived without a check-started (should not happen). */
  title: string | null;
  /** Verdict per host in the preflight (the last preflight, as a resume runs it again). */
  preflight: CheckHostResult[];
  /** Every gate evaluation, in the order they ran. */
  gates: GateEvaluation[];
}

/** A host of the run, as the inventory gave it. */
export interface HostInfo {
  name: string;
  address: string;
  connection: string;
  groups: string[];
}

export interface WarningState {
  message: string;
  step: string | null;
  host: string | null;
  at: string;
}

/** Everything known about a run from its journal. */
export interface RunState {
  runId: string;
  /** The runbook's id. */
  runbook: string;
  /** The runbook's title; null if the run stopped before `run-started`. */
  title: string | null;
  runbookPath: string;
  runbookHash: string;
  stepHashes: Record<string, string>;
  /** Step ids in runbook order, then any step the journal names that the header did not. */
  stepOrder: string[];
  /** Non-secret parameter values; secret ones read `••••••`. */
  params: Record<string, string>;
  inventoryPath: string | null;
  hosts: HostInfo[];
  dryRun: boolean;
  status: RunProgress;
  /** Why the run failed or was aborted. */
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
  /** Time of the last event: when a crashed run was last heard from. */
  lastEventAt: string;
  /** How many times the run was resumed, and what changed in the runbook at the last resume. */
  resumes: number;
  runbookChanges: RunbookChanges | null;
  preflight: 'pass' | 'warn' | 'fail' | null;
  steps: Record<string, StepState>;
  /** The first step that did not succeed or get skipped: where the run stopped. Null when all did. */
  currentStep: string | null;
  captures: CaptureState[];
  /** Variable → value picked in a `choose` step. */
  choices: Record<string, string>;
  overrides: OverrideState[];
  skips: SkipState[];
  decisions: DecisionState[];
  checks: CheckState[];
  warnings: WarningState[];
}

/** Folds a journal into the state of its run. Pure: no clock, no files. */
export function foldRun(header: JournalHeader, events: readonly RunEvent[]): RunState {
  const state: RunState = {
    runId: header.runId,
    runbook: header.runbook,
    title: null,
    runbookPath: header.runbookPath,
    runbookHash: header.runbookHash,
    stepHashes: { ...header.stepHashes },
    stepOrder: [...headerStepOrder(header)],
    params: { ...header.params },
    inventoryPath: header.inventoryPath ?? null,
    hosts: [],
    dryRun: false,
    status: 'running',
    error: null,
    startedAt: header.createdAt,
    finishedAt: null,
    lastEventAt: header.createdAt,
    resumes: 0,
    runbookChanges: null,
    preflight: null,
    steps: {},
    currentStep: null,
    captures: [],
    choices: {},
    overrides: [],
    skips: [],
    decisions: [],
    checks: [],
    warnings: [],
  };
  for (const id of state.stepOrder) state.steps[id] = newStep(id);
  // Where each check's results go: check-result does not say whether it is a gate's.
  const open = new Map<string, CheckHostResult[]>();
  for (const event of events) apply(state, event, open);
  finish(state);
  return state;
}

function apply(state: RunState, e: RunEvent, open: Map<string, CheckHostResult[]>): void {
  state.lastEventAt = e.at;
  switch (e.type) {
    case 'run-started':
      state.title = e.title;
      state.hosts = e.hosts.map((h) => ({ ...h, groups: [...h.groups] }));
      state.dryRun = e.dryRun;
      state.startedAt = e.at;
      return;
    case 'run-resumed':
      state.status = 'running';
      state.error = null;
      state.finishedAt = null;
      state.resumes++;
      state.runbookChanges = e.changed;
      return;
    case 'preflight-finished':
      state.preflight = e.status;
      return;
    case 'check-started': {
      const check = checkOf(state, e.check);
      check.title = e.title;
      if (e.gateFor === undefined) {
        open.set(e.check, check.preflight);
        return;
      }
      const step = e.gateFor;
      const attempt = check.gates.filter((g) => g.step === step).length + 1;
      const gate: GateEvaluation = { step, attempt, at: e.at, results: [] };
      check.gates.push(gate);
      open.set(e.check, gate.results);
      return;
    }
    case 'check-result': {
      const check = checkOf(state, e.check);
      const result: CheckHostResult = {
        host: e.host,
        status: e.status,
        message: e.message,
        evidence: { ...e.evidence },
        at: e.at,
      };
      // A result with no check-started before it is counted as the preflight's.
      const results = open.get(e.check) ?? check.preflight;
      replaceOrAdd(results, (r) => r.host === e.host, result);
      return;
    }
    case 'check-overridden':
      state.overrides.push({
        check: e.check,
        step: e.step ?? null,
        reason: e.reason,
        by: e.by,
        at: e.at,
      });
      return;
    case 'step-started': {
      const step = stepOf(state, e.step);
      step.title = e.title;
      step.risk = e.risk;
      // Provisional: a step still `running` when the events run out becomes `interrupted`.
      step.status = 'running';
      step.attempts = Math.max(step.attempts + 1, e.attempt);
      step.startedAt = e.at;
      step.endedAt = null;
      step.durationMs = null;
      step.reason = null;
      step.confirmedBy = null;
      step.hosts = {};
      for (const host of e.hosts) setOwn(step.hosts, host, newHostRun());
      step.verify = [];
      return;
    }
    case 'step-planned':
      if (e.phase === 'run') hostRunOf(stepOf(state, e.step), e.host).command = e.command;
      return;
    case 'host-started':
      if (e.phase === 'run') {
        const run = hostRunOf(stepOf(state, e.step), e.host);
        run.status = 'running';
        run.command = e.command;
      }
      return;
    case 'host-finished':
      if (e.phase === 'run') {
        const run = hostRunOf(stepOf(state, e.step), e.host);
        run.status = e.status;
        run.exitCode = e.exitCode;
        run.signal = e.signal;
        run.durationMs = e.durationMs;
        run.error = e.error ?? null;
      }
      return;
    case 'capture': {
      const capture: CaptureState = {
        step: e.step,
        host: e.host,
        name: e.name,
        // The engine already redacts; this keeps a secret out even if one slipped through.
        value: e.secret ? MASK : e.value,
        secret: e.secret,
        at: e.at,
      };
      replaceOrAdd(
        state.captures,
        (c) => c.step === e.step && c.host === e.host && c.name === e.name,
        capture,
      );
      return;
    }
    case 'choice':
      setOwn(state.choices, e.var, e.value);
      return;
    case 'verify-result':
      replaceOrAdd(stepOf(state, e.step).verify, (v) => v.index === e.index && v.host === e.host, {
        index: e.index,
        host: e.host,
        status: e.status,
        message: e.message,
      });
      return;
    case 'decision':
      state.decisions.push({
        step: e.step ?? null,
        check: e.check ?? null,
        kind: e.kind,
        answer: e.answer,
        reason: e.reason ?? null,
        by: e.by,
        at: e.at,
      });
      return;
    case 'step-finished': {
      const step = stepOf(state, e.step);
      step.status = e.status;
      step.endedAt = e.at;
      step.durationMs = e.durationMs;
      step.reason = e.reason ?? null;
      step.confirmedBy = e.confirmedBy ?? null;
      settleHosts(step);
      if (e.status === 'skipped') {
        state.skips.push({
          step: e.step,
          reason: e.reason ?? null,
          by: e.confirmedBy ?? null,
          at: e.at,
        });
      }
      return;
    }
    case 'warning':
      state.warnings.push({
        message: e.message,
        step: e.step ?? null,
        host: e.host ?? null,
        at: e.at,
      });
      return;
    case 'run-paused':
      state.status = 'paused';
      return;
    case 'run-finished':
      state.status = e.status;
      state.error = e.error ?? null;
      state.finishedAt = e.at;
      return;
    case 'preflight-started':
    case 'output':
    case 'progress':
    case 'waiting':
    case 'decision-requested':
      return;
    default: {
      // A new event type must be handled above (or listed as ignored) before this compiles.
      const unhandled: never = e;
      throw new Error(`foldRun: unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

/** Applies THE rule and works out where the run stopped. */
function finish(state: RunState): void {
  for (const id of state.stepOrder) {
    const step = state.steps[id]!;
    if (step.status === 'running') {
      step.status = 'interrupted';
      settleHosts(step);
    }
  }
  state.currentStep =
    state.stepOrder.find((id) => {
      const status = state.steps[id]!.status;
      return status !== 'succeeded' && status !== 'skipped';
    }) ?? null;
}

/** A host still `running` when its step ended (or the run stopped) never reported a result. */
function settleHosts(step: StepState): void {
  for (const run of Object.values(step.hosts)) if (run.status === 'running') run.status = 'unknown';
}

function newStep(id: string): StepState {
  return {
    id,
    title: null,
    risk: null,
    status: 'pending',
    attempts: 0,
    startedAt: null,
    endedAt: null,
    durationMs: null,
    reason: null,
    confirmedBy: null,
    hosts: {},
    verify: [],
  };
}

function newHostRun(): HostRun {
  return {
    status: 'pending',
    command: null,
    exitCode: null,
    signal: null,
    durationMs: null,
    error: null,
  };
}

function stepOf(state: RunState, id: string): StepState {
  let step = state.steps[id];
  if (step === undefined) {
    // A step the header did not list: the runbook changed between start and resume.
    step = newStep(id);
    state.steps[id] = step;
    state.stepOrder.push(id);
  }
  return step;
}

function hostRunOf(step: StepState, host: string): HostRun {
  const existing = Object.hasOwn(step.hosts, host) ? step.hosts[host] : undefined;
  if (existing) return existing;
  const run = newHostRun();
  setOwn(step.hosts, host, run);
  return run;
}

function checkOf(state: RunState, id: string): CheckState {
  let check = state.checks.find((c) => c.id === id);
  if (check === undefined) {
    check = { id, title: null, preflight: [], gates: [] };
    state.checks.push(check);
  }
  return check;
}

function replaceOrAdd<T>(list: T[], same: (item: T) => boolean, item: T): void {
  const at = list.findIndex(same);
  if (at >= 0) list[at] = item;
  else list.push(item);
}

/** Sets an own property even for a name like `__proto__` (a host or variable name is data). */
function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
