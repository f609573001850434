/**
 * Everything the engine tells the world, as a union keyed on `type`. The Ink UI, the plain and
 * JSON renderers and the journal all subscribe to these; nothing else leaves the engine.
 * Values of secret parameters and captures are already redacted when an event is emitted.
 */
import type { Risk } from '../runbook/schema.ts';

/** How a whole run ended. */
export type RunStatus = 'succeeded' | 'failed' | 'aborted';

/** A step's status. `pending` and `running` are the only states that are not an end. */
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'interrupted';

/** How a command ended on one host. `lost` means the connection died under it. */
export type HostStatus = 'ok' | 'failed' | 'timed-out' | 'cancelled' | 'lost';

/** A check's verdict on one host. `waiting` means it needs a variable a later step provides. */
export type Verdict = 'pass' | 'warn' | 'fail' | 'waiting';

/** What a check saw: enough for the operator to act without re-running anything. */
export interface Evidence {
  expected?: string;
  found?: string;
  /** Other facts, e.g. `{ peer: "node1", peerKey: "9c…04" }`. */
  [key: string]: string | undefined;
}

/** One check's verdict on one host (`host` is "local" for the operator's machine). */
export interface CheckResult {
  check: string;
  host: string;
  status: Verdict;
  message: string;
  evidence: Evidence;
}

/** Which phase of a step a command belongs to. */
export type Phase = 'choose' | 'preview' | 'run' | 'verify';

interface Base {
  runId: string;
  /** ISO-8601 time from the injected clock. */
  at: string;
}

export type RunEvent = Base &
  (
    | {
        type: 'run-started';
        runbook: string;
        title: string;
        runbookPath: string;
        runbookHash: string;
        /** Parameter values, secrets already replaced by `••••••`. */
        params: Record<string, string>;
        hosts: { name: string; address: string; connection: string; groups: string[] }[];
        dryRun: boolean;
      }
    | { type: 'run-resumed'; changed: RunbookChanges | null }
    | { type: 'preflight-started'; checks: string[] }
    | { type: 'preflight-finished'; status: 'pass' | 'warn' | 'fail' }
    | { type: 'check-started'; check: string; title: string; hosts: string[]; gateFor?: string }
    | ({ type: 'check-result' } & CheckResult)
    | { type: 'check-overridden'; check: string; step?: string; reason: string; by: string }
    | {
        type: 'step-started';
        step: string;
        title: string;
        risk: Risk;
        hosts: string[];
        attempt: number;
      }
    | { type: 'step-planned'; step: string; host: string; command: string; phase: Phase }
    | { type: 'host-started'; step: string; host: string; command: string; phase: Phase }
    | {
        type: 'output';
        step?: string;
        check?: string;
        host: string;
        stream: 'stdout' | 'stderr';
        data: string;
      }
    | {
        type: 'host-finished';
        step: string;
        host: string;
        phase: Phase;
        status: HostStatus;
        exitCode: number | null;
        signal: string | null;
        durationMs: number;
        /** Why it failed, with the tail of stderr. */
        error?: string;
      }
    | { type: 'capture'; step: string; host: string; name: string; value: string; secret: boolean }
    | { type: 'choice'; step: string; var: string; value: string }
    | {
        type: 'verify-result';
        step: string;
        host: string;
        index: number;
        status: 'pass' | 'fail';
        message: string;
      }
    | { type: 'decision-requested'; step?: string; check?: string; kind: DecisionKind }
    | {
        type: 'decision';
        step?: string;
        check?: string;
        kind: DecisionKind;
        answer: string;
        reason?: string;
        by: string;
      }
    | {
        type: 'step-finished';
        step: string;
        status: Exclude<StepStatus, 'pending' | 'running'>;
        durationMs: number;
        reason?: string;
        confirmedBy?: string;
      }
    | {
        /** A transfer's progress, throttled by its producer (a few per second at most). */
        type: 'progress';
        step?: string;
        check?: string;
        host: string;
        /** What moves, e.g. `upload /tmp/x.tar.bz2 → s3://bucket/x.tar.bz2`. */
        label: string;
        bytes: number;
        /** Unknown for a stream of unknown length. */
        total?: number;
        /** Bytes per second over the recent window. */
        rate?: number;
        done: boolean;
      }
    | {
        /** A probe with `wait:` has not passed yet and will be tried again. */
        type: 'waiting';
        check?: string;
        step?: string;
        host?: string;
        /** What the last attempt found (the failing hosts' messages). */
        message: string;
        attempt: number;
        elapsedMs: number;
        timeoutMs: number;
      }
    | { type: 'warning'; message: string; step?: string; host?: string }
    | { type: 'run-paused'; step?: string }
    | { type: 'run-finished'; status: RunStatus; error?: string }
  );

/** Step ids that differ between the runbook a run started with and the one on disk now. */
export interface RunbookChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

/** The kinds of decision the engine can ask for. */
export type DecisionKind =
  | 'confirm'
  | 'confirm-destructive'
  | 'choose'
  | 'override'
  | 'after-failure'
  | 'interrupted'
  | 'manual'
  | 'secret'
  | 'host-keys'
  | 'passphrase'
  | 'sudo-password';

export type EventType = RunEvent['type'];
/** One event type, narrowed. */
export type EventOf<T extends EventType> = Extract<RunEvent, { type: T }>;
