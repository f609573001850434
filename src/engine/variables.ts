/**
 * The values templates can use: parameters (per host, after inventory and `--set`), choices,
 * captures (per host), and the builtins `host`, `host_address`, `run_id` and `run_started`. It outlives a single
 * command, like a Runme session, and is restored from the journal on resume.
 */
import type { Host } from '../inventory/types.ts';
import { RUN_BUILTINS, runStartedOf } from '../runbook/builtins.ts';
import type { Lookup } from '../runbook/template.ts';

/** Parameter values for the operator's machine and for each host. */
export interface ParamValues {
  global: Record<string, string>;
  forHost(host: string): Record<string, string>;
}

/** Raised when a capture exists on several hosts with different values and the target is another. */
export class AmbiguousCaptureError extends Error {
  readonly variable: string;
  constructor(variable: string) {
    super(`{{ ${variable} }} was captured on several hosts with different values`);
    this.variable = variable;
  }
}

export class Variables {
  readonly choices = new Map<string, string>();
  /** capture name → host → value */
  readonly captures = new Map<string, Map<string, string>>();

  readonly runId: string;
  readonly params: ParamValues;

  constructor(runId: string, params: ParamValues) {
    this.runId = runId;
    this.params = params;
  }

  setCapture(name: string, host: string, value: string): void {
    const byHost = this.captures.get(name) ?? new Map<string, string>();
    this.captures.set(name, byHost);
    byHost.set(host, value);
  }

  /** Looks names up for a command on `host`. */
  lookupFor(host: Host): Lookup {
    const params = host.name === 'local' ? this.params.global : this.params.forHost(host.name);
    return (name) => {
      if (name === 'host') return host.name;
      if (name === 'host_address') return host.address;
      if (name === 'run_id') return this.runId;
      if (name === 'run_started') return runStartedOf(this.runId);
      const choice = this.choices.get(name);
      if (choice !== undefined) return choice;
      const byHost = this.captures.get(name);
      if (byHost) {
        const own = byHost.get(host.name);
        if (own !== undefined) return own;
        const values = new Set(byHost.values());
        if (values.size === 1) return [...values][0];
        throw new AmbiguousCaptureError(name);
      }
      // A value may carry the run's own stamp, e.g. a default backup name `a4c-{{ run_started }}`.
      return params[name]?.replace(RUN_BUILTINS, (_, b: string) =>
        b === 'run_id' ? this.runId : (runStartedOf(this.runId) ?? this.runId),
      );
    };
  }
}
