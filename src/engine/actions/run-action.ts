/**
 * Runs a step action on one host: renders the templates in its block (as text, never through
 * a shell), validates it, runs it with a signal for Ctrl-C and the timeout, and turns how it
 * ended into the same {@link HostRun} a command gives, so captures, verification and the
 * after-failure question work unchanged.
 */
import { z } from 'zod';
import type { Host } from '../../inventory/types.ts';
import { type Lookup, MissingVariableError, renderText } from '../../runbook/template.ts';
import type { Transport } from '../../transports/transport.ts';
import type { ChoiceItem } from '../decisions.ts';
import type { EventOf } from '../events.ts';
import type { HostRun } from '../exec-on-host.ts';
import type { Redactor } from '../redact.ts';
import type { ActionFailure, StepAction } from './action.ts';

type Emit = (
  event: Omit<EventOf<'output'>, 'runId' | 'at'> | Omit<EventOf<'progress'>, 'runId' | 'at'>,
) => void;

/** Every string in a block rendered as a template; a missing variable throws. */
export function renderBlock(raw: unknown, lookup: Lookup): unknown {
  if (typeof raw === 'string') return renderText(raw, lookup);
  if (Array.isArray(raw)) return raw.map((v) => renderBlock(v, lookup));
  if (typeof raw === 'object' && raw !== null) {
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, renderBlock(v, lookup)]));
  }
  return raw;
}

/** The one-line description of an action with its rendered block (for confirm and plans). */
export function describeAction(action: StepAction<unknown>, raw: unknown, lookup: Lookup): string {
  const parsed = action.args.safeParse(renderBlock(raw, lookup));
  return parsed.success ? action.describe(parsed.data) : `${action.name}: ${JSON.stringify(raw)}`;
}

export interface ActionRunOptions {
  action: StepAction<unknown>;
  raw: unknown;
  host: Host;
  transport: Transport;
  lookup: Lookup;
  redactor: Redactor;
  step: string;
  emit: Emit;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** See ActionContext.runDir. */
  runDir?: string;
  /** The run's clock (ActionContext.now); the engine always gives its own. */
  clock?: () => Date;
  /** Other hosts of the run by name, with their connections (see ActionContext.hostNamed). */
  hostNamed?: (name: string) => { host: Host; transport: Transport };
  /** The hosts of a role with their connections (see ActionContext.hostsOf). */
  hostsOf?: (role: string) => { host: Host; transport: Transport; block: unknown }[];
}

/** A HostRun, plus the items of a choose source. */
export type ActionRun = HostRun & { items?: ChoiceItem[] };

export async function runAction(o: ActionRunOptions): Promise<ActionRun> {
  const started = performance.now();
  const timeout = o.timeoutMs === undefined ? undefined : AbortSignal.timeout(o.timeoutMs);
  const signals = [o.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length > 0 ? AbortSignal.any(signals) : new AbortController().signal;
  const stdout: string[] = [];
  const base = () => ({
    signal: null,
    durationMs: Math.round(performance.now() - started),
    stdout: stdout.join(''),
    stderr: '',
  });
  const where = `on ${o.host.name}`;
  try {
    const args = o.action.args.parse(renderBlock(o.raw, o.lookup));
    const outcome = await o.action.run(
      {
        host: o.host,
        transport: o.transport,
        files: o.transport.files,
        ...(o.runDir === undefined ? {} : { runDir: o.runDir }),
        now: o.clock ?? (() => new Date()),
        signal,
        redactor: o.redactor,
        output: (line) => {
          const data = `${o.redactor.text(line)}\n`;
          stdout.push(data);
          o.emit({ type: 'output', step: o.step, host: o.host.name, stream: 'stdout', data });
        },
        progress: (p) =>
          o.emit({
            type: 'progress',
            step: o.step,
            host: o.host.name,
            ...p,
            label: o.redactor.text(p.label),
          }),
        hostNamed: (name) => {
          if (o.hostNamed) return o.hostNamed(name);
          throw new Error(`no host named ${name}: this run has no inventory`);
        },
        hostsOf: (role) => {
          if (o.hostsOf) return o.hostsOf(role);
          throw new Error(`no role ${role}: this run has no inventory`);
        },
      },
      args,
    );
    return {
      ...base(),
      status: 'ok',
      exitCode: 0,
      ...(outcome.items ? { items: outcome.items } : {}),
    };
  } catch (error) {
    // The engine turns a value that never arrived into a question for the operator.
    if (error instanceof MissingVariableError) throw error;
    if (timeout?.aborted) {
      return {
        ...base(),
        status: 'timed-out',
        exitCode: null,
        error: `timed out after ${o.timeoutMs} ms ${where}`,
      };
    }
    if (o.signal?.aborted)
      return { ...base(), status: 'cancelled', exitCode: null, error: `cancelled ${where}` };
    const e = error as ActionFailure;
    const message =
      error instanceof z.ZodError
        ? `the ${o.action.name} block is invalid after rendering: ${error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`
        : e.message;
    const hint = e.hint ? `\n  hint: ${e.hint}` : '';
    return {
      ...base(),
      status: 'failed',
      exitCode: null,
      error: o.redactor.text(`${message} ${where}${hint}`),
    };
  }
}
