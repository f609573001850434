/**
 * Step actions: what a step does when it is not a shell command but TypeScript (an S3
 * transfer, later an SFTP copy). Like check kinds, each is registered by name
 * (./registry.ts) and referenced from a step's YAML by a field of that name (`s3: {…}`).
 * An action runs per target host, like `run`, with that host's transport and files.
 */
import type { z } from 'zod';
import type { Host } from '../../inventory/types.ts';
import type { HostFiles, Transport } from '../../transports/transport.ts';
import type { ChoiceItem } from '../decisions.ts';
import type { Redactor } from '../redact.ts';

/** A transfer's progress, as an action reports it (throttling is the action's job). */
export interface ActionProgress {
  label: string;
  bytes: number;
  total?: number;
  rate?: number;
  done: boolean;
}

/** What an action may use on one host. */
export interface ActionContext {
  readonly host: Host;
  readonly transport: Transport;
  /** The host's files (local disk, or SFTP for SSH hosts); absent if the transport has none. */
  readonly files: HostFiles | undefined;
  /**
   * The run's own directory (beside its journal), for state an action keeps between attempts of
   * a step, such as an unfinished upload to resume; absent when the run keeps no journal.
   */
  readonly runDir?: string;
  /** Aborted on Ctrl-C or when the step's timeout passes. */
  readonly signal: AbortSignal;
  /** Masks secrets; output and progress labels are masked again by the engine anyway. */
  readonly redactor: Redactor;
  /**
   * The run's clock (injected into the engine), e.g. for the ages in a choice list. The engine
   * always gives it; a context built by hand may not (the machine's time is then used).
   */
  now?(): Date;
  /** A line for the operator; it is journaled and what a step's `capture` reads (as stdout). */
  output(line: string): void;
  progress(report: ActionProgress): void;
  /**
   * Another host by inventory name (or a group of one host), with the run's connection to it,
   * for actions that involve two hosts (`copy`). Throws an {@link ActionFailure} if there is none.
   */
  hostNamed(name: string): { host: Host; transport: Transport };
  /**
   * Every host of a role, in inventory order, with the run's connections and the step's block
   * rendered for that host (its own paths and variables), for actions that compare a host with
   * the rest of its cluster (`loom: { op: rebuild-peers }`).
   */
  hostsOf(role: string): { host: Host; transport: Transport; block: unknown }[];
}

/** What an action reports on success: a summary line, and for a choose source its items. */
export interface ActionOutcome {
  summary: string;
  items?: ChoiceItem[];
}

/** An operator-fixable failure: what went wrong, and what to do. */
export interface ActionFailure extends Error {
  hint?: string;
}

/** A registered action. `args` validates the step's block (after its templates are rendered). */
export interface StepAction<A = unknown> {
  /** The step field that selects it, e.g. `s3`. */
  name: string;
  description: string;
  args: z.ZodType<A>;
  /** One secret-free line for confirmations, dry runs and host-started (instead of a command). */
  describe(args: A): string;
  /** Does the work; throws an {@link ActionFailure} when it fails. */
  run(ctx: ActionContext, args: A): Promise<ActionOutcome>;
}
