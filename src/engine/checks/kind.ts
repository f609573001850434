/**
 * Named check kinds: comparisons across hosts that a regex cannot express, implemented in
 * TypeScript and referenced from a runbook's YAML by name (`kind: loom.peers-match-nodekeys`).
 */
import type { z } from 'zod';
import type { Host } from '../../inventory/types.ts';
import type { CheckSpec } from '../../runbook/schema.ts';
import type { CheckResult } from '../events.ts';

/** What a probe printed. */
export interface ProbeResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** What a check kind may do: read-only probes on the check's hosts, nothing else. */
export interface CheckContext {
  /** The hosts the check runs on (its `on` target), in inventory order. */
  readonly hosts: readonly Host[];
  /** The run's clock (injected): what "now" means for ages such as backup freshness. */
  now(): Date;
  /** Runs a read-only command on a host. Output is journaled as it arrives. */
  exec(host: Host, command: string): Promise<ProbeResult>;
  /** Renders a command template for a host, every value shell-quoted. */
  command(template: string, host: Host): string;
  /** Renders a text template for a host (no quoting), e.g. a path from `with`. */
  text(template: string, host: Host): string;
}

/** A named check kind. `args` validates the check's `with:` block at load time. */
export interface CheckKind<A = unknown> {
  name: string;
  description: string;
  args: z.ZodType<A>;
  /** Returns at least one result per host, each with specific evidence. */
  run(ctx: CheckContext, args: A, check: CheckSpec): Promise<CheckResult[]>;
}
