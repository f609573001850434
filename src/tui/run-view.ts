/**
 * What the run screens show, folded from engine events. The UI subscribes to it as a display
 * subscriber; events only mutate plain objects here, and a timer publishes a new snapshot at most
 * every `intervalMs`, so a step printing a million lines costs a few renders a second and its
 * output never enters React state (it stays in bounded {@link TailBuffer}s; the journal has all).
 */
import type { EventOf, HostStatus, RunEvent, StepStatus, Verdict } from '../engine/events.ts';
import type { Risk } from '../runbook/schema.ts';
import { TailBuffer } from './tail.ts';
import { formatDuration } from './theme.ts';

/** A step as the runbook describes it. */
export interface StepInfo {
  id: string;
  title: string;
  risk: Risk;
  explain: string;
  note?: string;
}

/** One host's command within a step. */
export interface HostRunView {
  host: string;
  command: string;
  phase: string;
  status: 'running' | HostStatus;
  exitCode: number | null;
  startedAt: number;
  durationMs: number | null;
  error?: string;
  tail: TailBuffer;
}

export interface StepView extends StepInfo {
  status: StepStatus;
  attempt: number;
  hosts: string[];
  /** Rendered commands per host, as planned or started. */
  commands: { host: string; command: string }[];
  runs: HostRunView[];
  verify: { host: string; index: number; status: 'pass' | 'fail'; message: string }[];
  durationMs: number | null;
  reason?: string;
  confirmedBy?: string;
}

/** One cell of the preflight matrix. */
export interface CheckCell {
  host: string;
  status: Verdict | 'running';
  message: string;
  evidence: Record<string, string | undefined>;
}

export interface CheckRow {
  check: string;
  title: string;
  gateFor?: string;
  hosts: string[];
  cells: Record<string, CheckCell>;
}

/** The latest progress of a transfer on one host, as its `progress` event said. */
export type ProgressView = Omit<EventOf<'progress'>, 'runId' | 'at' | 'type' | 'step' | 'check'>;

/** A finished step, printed once into Ink's `<Static>` region. */
export interface FinishedLine {
  key: string;
  step: string;
  title: string;
  status: StepStatus;
  durationMs: number;
  reason?: string;
  confirmedBy?: string;
}

export interface RunSnapshot {
  version: number;
  runId: string;
  title: string;
  steps: StepView[];
  current: string | null;
  preflight: { rows: CheckRow[]; status: 'running' | 'pass' | 'warn' | 'fail' | null };
  finished: FinishedLine[];
  overrides: { check: string; step?: string; reason: string; by: string }[];
  progress: ProgressView[];
  warnings: string[];
  /** A `wait:` probe that has not passed yet: what it found and how long it has tried. */
  waiting: string | null;
  /** Set once the run has ended or paused. */
  outcome: { status: 'succeeded' | 'failed' | 'aborted' | 'paused'; error?: string } | null;
  resumed: boolean;
  /** Whether a command is running right now (Ctrl-C then asks before cancelling). */
  busy: boolean;
}

export class RunView {
  readonly #listeners = new Set<() => void>();
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #dirty = false;
  #snapshot: RunSnapshot;
  readonly #steps = new Map<string, StepView>();
  readonly #rows = new Map<string, CheckRow>();
  readonly #progress = new Map<string, ProgressView>();
  #state: Omit<RunSnapshot, 'version' | 'steps' | 'preflight' | 'progress' | 'busy'> & {
    preflightStatus: RunSnapshot['preflight']['status'];
  };

  constructor(title: string, steps: readonly StepInfo[], intervalMs = 80) {
    this.#intervalMs = intervalMs;
    for (const s of steps) {
      this.#steps.set(s.id, {
        ...s,
        status: 'pending',
        attempt: 0,
        hosts: [],
        commands: [],
        runs: [],
        verify: [],
        durationMs: null,
      });
    }
    this.#state = {
      runId: '',
      title,
      current: null,
      preflightStatus: null,
      finished: [],
      overrides: [],
      warnings: [],
      waiting: null,
      outcome: null,
      resumed: false,
    };
    this.#snapshot = this.#make(0);
  }

  /**
   * Steps a resumed run finished before (the engine passes over them without events), shown
   * first in the finished list, as they ended then.
   */
  seedFinished(
    steps: readonly {
      id: string;
      status: StepStatus;
      durationMs: number | null;
      reason: string | null;
      confirmedBy: string | null;
    }[],
  ): void {
    for (const f of steps) {
      const s = this.#steps.get(f.id);
      if (!s || (f.status !== 'succeeded' && f.status !== 'skipped')) continue;
      s.status = f.status;
      s.durationMs = f.durationMs;
      this.#state.finished.push({
        key: `${f.id}#before#${this.#state.finished.length}`,
        step: f.id,
        title: s.title,
        status: f.status,
        durationMs: f.durationMs ?? 0,
        ...(f.reason ? { reason: f.reason } : {}),
        ...(f.confirmedBy ? { confirmedBy: f.confirmedBy } : {}),
      });
    }
    this.#dirty = true;
    this.flush();
  }

  /** The display subscriber to put on the run's event bus. */
  readonly subscriber = (e: RunEvent): void => {
    this.#apply(e);
    this.#dirty = true;
    // The end of a run, a question or a finished step are shown at once; output waits for the timer.
    if (e.type === 'run-finished' || e.type === 'run-paused' || e.type === 'decision-requested') {
      this.flush();
    } else {
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined;
        this.flush();
      }, this.#intervalMs);
    }
  };

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): RunSnapshot => this.#snapshot;

  /** Publishes pending changes now. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#dirty) return;
    this.#dirty = false;
    this.#snapshot = this.#make(this.#snapshot.version + 1);
    for (const l of this.#listeners) l();
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #make(version: number): RunSnapshot {
    const steps = [...this.#steps.values()].map((s) => ({ ...s }));
    const { preflightStatus, ...rest } = this.#state;
    return {
      ...rest,
      version,
      steps,
      finished: [...this.#state.finished],
      overrides: [...this.#state.overrides],
      warnings: [...this.#state.warnings],
      preflight: {
        rows: [...this.#rows.values()].map((r) => ({ ...r, cells: { ...r.cells } })),
        status: preflightStatus,
      },
      progress: [...this.#progress.values()].map((p) => ({ ...p })),
      busy:
        steps.some((s) => s.runs.some((r) => r.status === 'running')) ||
        [...this.#rows.values()].some((r) =>
          Object.values(r.cells).some((c) => c.status === 'running'),
        ),
    };
  }

  #step(id: string): StepView | undefined {
    return this.#steps.get(id);
  }

  #apply(e: RunEvent): void {
    const st = this.#state;
    if (!st.runId) st.runId = e.runId;
    switch (e.type) {
      case 'run-resumed':
        st.resumed = true;
        break;
      case 'preflight-started':
        this.#rows.clear();
        st.preflightStatus = 'running';
        break;
      case 'preflight-finished':
        st.preflightStatus = e.status;
        break;
      case 'check-started': {
        const cells: Record<string, CheckCell> = {};
        const hosts = e.hosts.length > 0 ? e.hosts : ['local'];
        for (const h of hosts) cells[h] = { host: h, status: 'running', message: '', evidence: {} };
        // A gate run again before its step replaces the row the preflight made.
        this.#rows.set(e.check, {
          check: e.check,
          title: e.title,
          hosts,
          cells,
          ...(e.gateFor ? { gateFor: e.gateFor } : {}),
        });
        break;
      }
      case 'waiting': {
        const what = e.check ?? `${e.step}${e.host ? ` on ${e.host}` : ''}`;
        const found = e.message.split('\n')[0] ?? '';
        st.waiting = `${what}: not yet (try ${e.attempt}, ${formatDuration(e.elapsedMs)} of ${formatDuration(e.timeoutMs)}): ${found}`;
        break;
      }
      case 'check-result': {
        st.waiting = null;
        const row = this.#rows.get(e.check);
        if (!row) break;
        if (!row.hosts.includes(e.host)) row.hosts = [...row.hosts, e.host];
        row.cells[e.host] = {
          host: e.host,
          status: e.status,
          message: e.message,
          evidence: e.evidence,
        };
        break;
      }
      case 'check-overridden':
        st.overrides.push({
          check: e.check,
          reason: e.reason,
          by: e.by,
          ...(e.step ? { step: e.step } : {}),
        });
        break;
      case 'step-started': {
        const s = this.#step(e.step);
        if (!s) break;
        st.current = e.step;
        Object.assign(s, {
          status: 'running',
          attempt: e.attempt,
          hosts: e.hosts,
          commands: [],
          runs: [],
          verify: [],
          durationMs: null,
        });
        break;
      }
      case 'step-planned': {
        const s = this.#step(e.step);
        if (s && e.phase === 'run')
          s.commands = [...s.commands, { host: e.host, command: e.command }];
        break;
      }
      case 'host-started': {
        const s = this.#step(e.step);
        // A preview's output is shown with its confirmation, not as a run of the step.
        if (!s || e.phase === 'preview') break;
        if (e.phase === 'run' && !s.commands.some((c) => c.host === e.host)) {
          s.commands = [...s.commands, { host: e.host, command: e.command }];
        }
        const others = s.runs.filter((r) => !(r.host === e.host && r.phase === e.phase));
        s.runs = [
          ...others,
          {
            host: e.host,
            command: e.command,
            phase: e.phase,
            status: 'running',
            exitCode: null,
            startedAt: Date.parse(e.at),
            durationMs: null,
            tail: new TailBuffer(),
          },
        ];
        break;
      }
      case 'output': {
        if (!e.step) break;
        const s = this.#step(e.step);
        const run = s?.runs.findLast((r) => r.host === e.host);
        run?.tail.push(e.data);
        break;
      }
      case 'host-finished': {
        const s = this.#step(e.step);
        const run = s?.runs.findLast((r) => r.host === e.host && r.phase === e.phase);
        if (!run) break;
        run.status = e.status;
        run.exitCode = e.exitCode;
        run.durationMs = e.durationMs;
        if (e.error) run.error = e.error;
        break;
      }
      case 'verify-result': {
        st.waiting = null;
        const s = this.#step(e.step);
        if (s)
          s.verify = [
            ...s.verify,
            { host: e.host, index: e.index, status: e.status, message: e.message },
          ];
        break;
      }
      case 'step-finished': {
        st.waiting = null;
        const s = this.#step(e.step);
        if (!s) break;
        s.status = e.status;
        s.durationMs = e.durationMs;
        if (e.reason) s.reason = e.reason;
        if (e.confirmedBy) s.confirmedBy = e.confirmedBy;
        st.finished.push({
          key: `${e.step}#${s.attempt}#${st.finished.length}`,
          step: e.step,
          title: s.title,
          status: e.status,
          durationMs: e.durationMs,
          ...(e.reason ? { reason: e.reason } : {}),
          ...(e.confirmedBy ? { confirmedBy: e.confirmedBy } : {}),
        });
        break;
      }
      case 'progress':
        this.#progress.set(`${e.host}\u0000${e.label}`, {
          host: e.host,
          label: e.label,
          bytes: e.bytes,
          done: e.done,
          ...(e.total === undefined ? {} : { total: e.total }),
          ...(e.rate === undefined ? {} : { rate: e.rate }),
        });
        break;
      case 'warning':
        st.warnings.push(e.message);
        break;
      case 'run-paused':
        st.outcome = { status: 'paused' };
        break;
      case 'run-finished':
        st.outcome = { status: e.status, ...(e.error ? { error: e.error } : {}) };
        break;
      default:
        break;
    }
  }
}
