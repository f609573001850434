/**
 * What a run report says, built once from the folded state (and, for the history of each
 * attempt, the events) and then rendered as Markdown or JSON. Nothing here adds a value the
 * journal did not hold: secrets are already `••••••` in both.
 */
import type { HostStatus, Phase, RunEvent, StepStatus } from '../engine/events.ts';
import type {
  CaptureState,
  CheckHostResult,
  DecisionState,
  HostInfo,
  OverrideState,
  RunProgress,
  RunState,
  SkipState,
  StepState,
  WarningState,
} from '../journal/run-state.ts';

/** One command of one attempt on one host, in any phase (choose, run, verify). */
export interface CommandRecord {
  phase: Phase;
  host: string;
  command: string | null;
  status: HostStatus;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  error: string | null;
}

/** One attempt at a step. */
export interface AttemptRecord {
  attempt: number;
  startedAt: string;
  /** `interrupted` when the attempt never finished. */
  status: Exclude<StepStatus, 'pending' | 'running'>;
  endedAt: string | null;
  commands: CommandRecord[];
}

/** A step with everything the report says about it. */
export interface StepReport extends StepState {
  /** Position in the runbook, from 1. */
  number: number;
  attemptHistory: AttemptRecord[];
  captures: CaptureState[];
  overrides: OverrideState[];
  decisions: DecisionState[];
}

/** A check's verdicts in the preflight. */
export interface PreflightCheck {
  id: string;
  title: string | null;
  results: CheckHostResult[];
}

/** One evaluation of a check right before the step it gates. */
export interface GateReport {
  check: string;
  title: string | null;
  step: string;
  /** 1 for the check's first evaluation before this step. */
  attempt: number;
  at: string;
  results: CheckHostResult[];
}

/** A run report, as one object (the JSON format is exactly this). */
export interface ReportModel {
  report: 'stepwise-run';
  version: 1;
  run: {
    id: string;
    title: string;
    runbook: string;
    runbookPath: string;
    runbookHash: string;
    status: RunProgress;
    error: string | null;
    startedAt: string;
    finishedAt: string | null;
    durationMs: number | null;
    lastEventAt: string;
    dryRun: boolean;
    resumes: number;
    inventoryPath: string | null;
    currentStep: string | null;
  };
  /** Parameter values; secret ones read `••••••`. */
  parameters: Record<string, string>;
  hosts: HostInfo[];
  preflight: {
    status: 'pass' | 'warn' | 'fail' | null;
    /** Column order of the check matrix. */
    hosts: string[];
    /** Checks that ran in the preflight, with the verdicts they had there. */
    checks: PreflightCheck[];
  };
  /** Gate evaluations in the order they ran. */
  gates: GateReport[];
  steps: StepReport[];
  choices: Record<string, string>;
  overrides: OverrideState[];
  skips: SkipState[];
  warnings: WarningState[];
  /** Path of the journal the report was made from, when known. */
  journal: string | null;
}

/** Builds the report's content. Pure. */
export function buildReport(
  state: RunState,
  events: readonly RunEvent[],
  journal: string | null,
): ReportModel {
  const history = attemptHistory(events);
  const preflight = state.checks
    .filter((c) => c.preflight.length > 0)
    .map((c) => ({ id: c.id, title: c.title, results: c.preflight }));
  const started = Date.parse(state.startedAt);
  const finished = state.finishedAt === null ? Number.NaN : Date.parse(state.finishedAt);
  return {
    report: 'stepwise-run',
    version: 1,
    run: {
      id: state.runId,
      title: state.title ?? state.runbook,
      runbook: state.runbook,
      runbookPath: state.runbookPath,
      runbookHash: state.runbookHash,
      status: state.status,
      error: state.error,
      startedAt: state.startedAt,
      finishedAt: state.finishedAt,
      durationMs: Number.isFinite(finished - started) ? finished - started : null,
      lastEventAt: state.lastEventAt,
      dryRun: state.dryRun,
      resumes: state.resumes,
      inventoryPath: state.inventoryPath,
      currentStep: state.currentStep,
    },
    parameters: { ...state.params },
    hosts: state.hosts,
    preflight: { status: state.preflight, hosts: matrixHosts(state, preflight), checks: preflight },
    gates: gates(state),
    steps: state.stepOrder.map((id, i) => {
      const step = state.steps[id]!;
      return {
        ...step,
        number: i + 1,
        attemptHistory: history.get(id) ?? [],
        captures: state.captures.filter((c) => c.step === id),
        overrides: state.overrides.filter((o) => o.step === id),
        decisions: state.decisions.filter((d) => d.step === id),
      };
    }),
    choices: { ...state.choices },
    overrides: state.overrides,
    skips: state.skips,
    warnings: state.warnings,
    journal,
  };
}

/** Hosts of the check matrix: the run's hosts in inventory order, then any other (e.g. `local`). */
function matrixHosts(state: RunState, checks: PreflightCheck[]): string[] {
  const hosts = new Set<string>();
  const seen = new Set(checks.flatMap((c) => c.results.map((r) => r.host)));
  for (const h of state.hosts) if (seen.has(h.name)) hosts.add(h.name);
  for (const h of seen) hosts.add(h);
  return [...hosts];
}

/** Every check's gate evaluations as one list, by start time (a stable sort keeps ties in order). */
function gates(state: RunState): GateReport[] {
  return state.checks
    .flatMap((c) => c.gates.map((g) => ({ check: c.id, title: c.title, ...g })))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** Every attempt of every step, with each command's outcome, from the events. */
function attemptHistory(events: readonly RunEvent[]): Map<string, AttemptRecord[]> {
  type Draft = Omit<AttemptRecord, 'status'> & { status: AttemptRecord['status'] | null };
  const byStep = new Map<string, Draft[]>();
  const commands = new Map<string, string>();
  const current = (step: string): Draft | undefined => byStep.get(step)?.at(-1);
  for (const e of events) {
    switch (e.type) {
      case 'step-started': {
        const list = byStep.get(e.step) ?? [];
        list.push({
          attempt: e.attempt,
          startedAt: e.at,
          status: null,
          endedAt: null,
          commands: [],
        });
        byStep.set(e.step, list);
        break;
      }
      case 'host-started':
        commands.set(`${e.step}\0${e.host}\0${e.phase}`, e.command);
        break;
      case 'host-finished':
        current(e.step)?.commands.push({
          phase: e.phase,
          host: e.host,
          command: commands.get(`${e.step}\0${e.host}\0${e.phase}`) ?? null,
          status: e.status,
          exitCode: e.exitCode,
          signal: e.signal,
          durationMs: e.durationMs,
          error: e.error ?? null,
        });
        break;
      case 'step-finished': {
        const attempt = current(e.step);
        if (attempt && attempt.status === null) {
          attempt.status = e.status;
          attempt.endedAt = e.at;
        }
        break;
      }
      default:
        break;
    }
  }
  // An attempt without an end was interrupted (THE rule, as in the fold).
  const done = new Map<string, AttemptRecord[]>();
  for (const [step, list] of byStep) {
    done.set(
      step,
      list.map((a) => ({ ...a, status: a.status ?? 'interrupted' })),
    );
  }
  return done;
}
