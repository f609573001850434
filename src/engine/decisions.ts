/**
 * Decisions the engine asks for, through an injected {@link Decider}. The TUI asks the
 * operator; the headless decider answers from flags or refuses with the flag to use.
 */
import type { CheckResult, DecisionKind } from './events.ts';

/** A rendered command on one host, as the operator will see it before confirming. */
export interface PlannedCommand {
  host: string;
  command: string;
}

/** What a step's `preview` command printed on one host, shown with its confirmation. */
export interface Preview {
  host: string;
  /** stdout of the preview (secrets masked). Empty means nothing would change. */
  text: string;
  exitCode: number | null;
}

/** A host whose key is not known yet, as OpenSSH would show it before asking. */
export interface UnknownHostKey {
  host: string;
  /** `address` or `[address]:port`, the form written to known_hosts. */
  address: string;
  /** e.g. `ssh-ed25519`. */
  keyType: string;
  /** `SHA256:…`, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
}

/** An item of a `choose` list. */
export interface ChoiceItem {
  value: string;
  label: string;
}

export type DecisionRequest =
  | {
      kind: 'confirm';
      step: string;
      title: string;
      hosts: string[];
      commands: PlannedCommand[];
      previews?: Preview[];
    }
  | {
      kind: 'confirm-destructive';
      step: string;
      title: string;
      hosts: string[];
      commands: PlannedCommand[];
      previews?: Preview[];
      /** The operator must type exactly this. */
      phrase: string;
    }
  | { kind: 'choose'; step: string; var: string; prompt: string; items: ChoiceItem[] }
  | { kind: 'override'; check: string; title: string; step?: string; results: CheckResult[] }
  | {
      kind: 'after-failure';
      step: string;
      title: string;
      failures: { host: string; message: string }[];
    }
  | {
      kind: 'interrupted';
      step: string;
      title: string;
      /** What the step's verification found when run first: pass, fail, or none configured. */
      verification: 'pass' | 'fail' | 'none';
    }
  | { kind: 'manual'; step: string; title: string; instructions: string }
  | { kind: 'secret'; name: string; description: string }
  | {
      kind: 'host-keys';
      /** Every host of the run whose key is not in known_hosts, asked about together. */
      hosts: UnknownHostKey[];
      /** Where accepted keys will be appended. */
      knownHostsFile: string;
    }
  | { kind: 'passphrase'; host: string; keyFile: string }
  | { kind: 'sudo-password'; host: string; user: string };

type Skip = { action: 'skip'; reason: string };
type Abort = { action: 'abort' };
/** Stop now, keep the run resumable at this decision. */
type Quit = { action: 'quit' };

/** The answer for each kind of request. `by` says who or what answered (a user, `--yes`). */
export interface AnswerMap {
  confirm: { action: 'run' } | Skip | Abort | Quit;
  'confirm-destructive': { action: 'run'; typed: string } | Skip | Abort | Quit;
  choose: { action: 'pick'; value: string } | Abort | Quit;
  /** `recheck`: the operator fixed something; the check runs again and is asked about only if it still fails. */
  override: { action: 'override'; reason: string } | { action: 'recheck' } | Abort | Quit;
  'after-failure': { action: 'retry' } | Skip | Abort | Quit;
  interrupted: { action: 'rerun' } | { action: 'mark-done'; reason: string } | Abort | Quit;
  manual: { action: 'done' } | Skip | Abort | Quit;
  secret: { action: 'value'; value: string } | Abort;
  /** `accepted` lists host names; hosts not in it are refused. */
  'host-keys': { action: 'accept'; accepted: string[] } | Abort;
  passphrase: { action: 'value'; value: string } | Abort;
  'sudo-password': { action: 'value'; value: string } | Abort;
}

export type Answer<K extends DecisionKind> = AnswerMap[K] & { by: string };
/** An answer other than quit, which the engine handles itself. */
export type Settled<K extends DecisionKind> = Exclude<AnswerMap[K], Quit> & { by: string };
export type RequestOf<K extends DecisionKind> = Extract<DecisionRequest, { kind: K }>;

/** Answers the engine's questions. Implementations never run anything themselves. */
export interface Decider {
  decide<K extends DecisionKind>(request: RequestOf<K>): Promise<Answer<K>>;
}
