/**
 * Runs the engine the way the CLI does, with real local processes, a fixed clock and a scripted
 * decider, and turns the events into one line each so a test can compare a whole run literally.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import type { AnswerMap, Decider, DecisionRequest } from '../../src/engine/decisions.ts';
import {
  type EngineOptions,
  type PlannedRunbook,
  type RunOutcome,
  runEngine,
} from '../../src/engine/engine.ts';
import { EventBus } from '../../src/engine/event-bus.ts';
import type { DecisionKind, RunEvent } from '../../src/engine/events.ts';
import { MASK } from '../../src/engine/redact.ts';
import { parseInventory } from '../../src/inventory/load.ts';
import type { Inventory } from '../../src/inventory/types.ts';
import { parseRunbook } from '../../src/runbook/load.ts';
import { resolveParams } from '../../src/runbook/params.ts';
import { shellQuote } from '../../src/runbook/template.ts';
import { localTransport } from '../../src/transports/local.ts';

export const RUN_ID = '20261121-030000-test-0001';
export const NOW = '2026-11-21T03:00:00.000Z';
/** The injected clock: every event carries the same time, so logs are deterministic. */
export const clock = () => new Date('2026-11-21T03:00:00Z');

/** A runbook from YAML, through the real loader; fails loudly with the loader's problems. */
export function runbookFrom(yaml: string, path = '/runbooks/test/run.yaml'): PlannedRunbook {
  const parsed = parseRunbook(yaml, path);
  if (!parsed.ok) {
    throw new Error(
      `bad test runbook:\n${parsed.problems.map((p) => `${p.line}:${p.col}: ${p.message}`).join('\n')}`,
    );
  }
  const { id, spec, hash } = parsed.runbook;
  return { id, title: spec.title, path, hash, spec };
}

/** An inventory from YAML, through the real parser. */
export function inventoryFrom(yaml: string): Inventory {
  return parseInventory(yaml, '/inventories/test.yaml');
}

/** Answers for each kind of decision, in the order they will be asked. */
export type Script = { [K in DecisionKind]?: AnswerMap[K][] };

/** Answers from a queue per kind and records every request it saw. */
export class ScriptedDecider implements Decider {
  readonly requests: DecisionRequest[] = [];
  readonly #queues: Script;
  readonly #before: ((request: DecisionRequest) => void) | undefined;

  /** `before` runs as each question is asked: the operator's work between seeing and answering. */
  constructor(script: Script = {}, before?: (request: DecisionRequest) => void) {
    this.#before = before;
    this.#queues = Object.fromEntries(
      Object.entries(script).map(([k, answers]) => [k, [...answers]]),
    ) as Script;
  }

  async decide<K extends DecisionKind>(request: Extract<DecisionRequest, { kind: K }>) {
    this.requests.push(request);
    this.#before?.(request);
    const queue = this.#queues[request.kind] as AnswerMap[K][] | undefined;
    const answer = queue?.shift();
    if (answer === undefined) {
      throw new Error(`unscripted ${request.kind} request: ${JSON.stringify(request)}`);
    }
    return { ...answer, by: 'tester' };
  }

  /** Answers not used, per kind: a test that scripted too much asked the wrong questions. */
  get unused(): Partial<Record<DecisionKind, number>> {
    return Object.fromEntries(
      Object.entries(this.#queues)
        .filter(([, q]) => q.length > 0)
        .map(([k, q]) => [k, q.length]),
    );
  }
}

/** A scratch directory for the current test, removed when it ends; runbooks get it as `dir`. */
export function scratchDir(): {
  dir: string;
  path(name: string): string;
  read(name: string): string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-engine-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    path: (name) => join(dir, name),
    read: (name) => readFileSync(join(dir, name), 'utf8'),
  };
}

export interface RunSetup {
  yaml: string;
  inventory?: string;
  /** `--set` values for parameters; `dir` is added when the runbook declares it. */
  sets?: Record<string, string>;
  dir?: string;
  script?: Script;
  decider?: ScriptedDecider;
  options?: Partial<EngineOptions>;
  /** Keep the events when the engine throws, and return the error as `thrown`. */
  allowThrow?: boolean;
}

export interface RunResult {
  /** How the run ended; undefined when the engine threw (see `thrown`). */
  outcome: RunOutcome | undefined;
  thrown?: unknown;
  events: RunEvent[];
  decider: ScriptedDecider;
  /** One line per event (output left out), with the scratch dir shown as `$DIR`. */
  log: string[];
  /** Everything a host printed on a stream during a step or check. */
  output(origin: string, host?: string, stream?: 'stdout' | 'stderr'): string;
}

/** Runs a runbook to its end with real local processes. */
export async function runScenario(setup: RunSetup): Promise<RunResult> {
  const runbook = runbookFrom(setup.yaml);
  const inventory = setup.inventory === undefined ? undefined : inventoryFrom(setup.inventory);
  const sets = { ...setup.sets };
  if (setup.dir !== undefined && 'dir' in runbook.spec.parameters) sets.dir ??= setup.dir;
  const params = resolveParams(runbook.spec, inventory, sets);
  if (params.missing.length > 0) throw new Error(`test forgot parameters: ${params.missing}`);
  const secrets = params.secrets.flatMap((n) => params.global[n] ?? []);
  const displayParams = Object.fromEntries(
    Object.entries(params.global).map(([k, v]) => [k, params.secrets.includes(k) ? MASK : v]),
  );

  const events: RunEvent[] = [];
  const bus = new EventBus().critical((e) => events.push(e));
  const decider = setup.decider ?? new ScriptedDecider(setup.script);
  const running = runEngine({
    runId: RUN_ID,
    runbook,
    ...(inventory ? { inventory } : {}),
    params,
    displayParams,
    secrets,
    transports: (host) => localTransport({ baseEnv: process.env, hostEnv: host.env }),
    decider,
    bus,
    clock,
    ...setup.options,
  });
  let outcome: RunOutcome | undefined;
  let thrown: unknown;
  try {
    outcome = await running;
  } catch (error) {
    if (!setup.allowThrow) throw error;
    thrown = error;
  }
  const log = brief(events, setup.dir);
  return {
    outcome,
    ...(setup.allowThrow ? { thrown } : {}),
    events,
    decider,
    log,
    output: (origin, host, stream) =>
      events
        .filter(
          (e): e is Extract<RunEvent, { type: 'output' }> =>
            e.type === 'output' &&
            (e.step === origin || e.check === origin) &&
            (host === undefined || e.host === host) &&
            (stream === undefined || e.stream === stream),
        )
        .map((e) => e.data)
        .join(''),
  };
}

/** Events with `at` and `runId` checked and dropped and every duration set to 0. */
export function normalise(events: RunEvent[]): Record<string, unknown>[] {
  return events.map((e) => {
    if (e.at !== NOW || e.runId !== RUN_ID) throw new Error(`unexpected at/runId in ${e.type}`);
    const { at: _at, runId: _runId, ...rest } = e;
    return 'durationMs' in rest ? { ...rest, durationMs: 0 } : rest;
  });
}

/** One line per event with its key fields; output events are left out (see `output`). */
export function brief(events: RunEvent[], dir?: string): string[] {
  const clean = (s: string) =>
    dir === undefined ? s : s.replaceAll(shellQuote(dir), '$DIR').replaceAll(dir, '$DIR');
  return events.flatMap((e) => {
    const line = describeEvent(e);
    return line === undefined ? [] : [clean(line)];
  });
}

function describeEvent(e: RunEvent): string | undefined {
  const at = (step: string, host: string) => `${step}@${host}`;
  switch (e.type) {
    case 'run-started':
      return `run-started ${e.runbook}${e.dryRun ? ' (dry run)' : ''}`;
    case 'run-resumed':
      return `run-resumed${e.changed ? ` changed=${JSON.stringify(e.changed)}` : ''}`;
    case 'preflight-started':
      return `preflight-started [${e.checks.join(', ')}]`;
    case 'preflight-finished':
      return `preflight-finished ${e.status}`;
    case 'check-started':
      return `check-started ${e.check} [${e.hosts.join(', ')}]${e.gateFor ? ` gate for ${e.gateFor}` : ''}`;
    case 'check-result':
      return `check-result ${at(e.check, e.host)} ${e.status}: ${e.message}`;
    case 'check-overridden':
      return `check-overridden ${e.check}${e.step ? ` for ${e.step}` : ''} by ${e.by}: ${e.reason}`;
    case 'step-started':
      return `step-started ${e.step} ${e.risk} attempt ${e.attempt} [${e.hosts.join(', ')}]`;
    case 'step-planned':
      return `step-planned ${at(e.step, e.host)} ${e.phase}: ${e.command}`;
    case 'host-started':
      return `host-started ${at(e.step, e.host)} ${e.phase}: ${e.command}`;
    case 'output':
      return undefined;
    case 'host-finished': {
      const how = e.signal ? `signal ${e.signal}` : `exit ${e.exitCode}`;
      return `host-finished ${at(e.step, e.host)} ${e.phase} ${e.status} (${how})${e.error ? `: ${e.error}` : ''}`;
    }
    case 'capture':
      return `capture ${at(e.step, e.host)} ${e.name}=${e.value}${e.secret ? ' (secret)' : ''}`;
    case 'choice':
      return `choice ${e.step} ${e.var}=${e.value}`;
    case 'verify-result':
      return `verify-result ${at(e.step, e.host)} #${e.index} ${e.status}: ${e.message}`;
    case 'decision-requested':
      return `ask ${e.kind}${e.step ? ` step=${e.step}` : ''}${e.check ? ` check=${e.check}` : ''}`;
    case 'decision':
      return `answer ${e.kind} ${e.answer} by ${e.by}${e.reason === undefined ? '' : `: ${e.reason}`}`;
    case 'step-finished':
      return `step-finished ${e.step} ${e.status}${e.confirmedBy ? ` by ${e.confirmedBy}` : ''}${e.reason === undefined ? '' : `: ${e.reason}`}`;
    case 'progress':
      return `progress ${e.host} ${e.label} ${e.bytes}${e.total === undefined ? '' : `/${e.total}`}${e.done ? ' done' : ''}`;
    case 'waiting':
      return `waiting ${e.check ?? at(e.step ?? '', e.host ?? '')} #${e.attempt}: ${e.message}`;
    case 'warning':
      return `warning${e.step ? ` ${e.step}` : ''}: ${e.message}`;
    case 'run-paused':
      return `run-paused${e.step ? ` at ${e.step}` : ''}`;
    case 'run-finished':
      return `run-finished ${e.status}${e.error ? `: ${e.error}` : ''}`;
    default:
      return e satisfies never;
  }
}

/** A runbook's fixed header; tests append `parameters`, `checks` and `steps`. */
export const HEADER = `
title: Test runbook
system: test
summary: A runbook written for one engine test.
source: { document: engine tests }
`;

/** Waits until `condition` holds, polling; for files a running command writes. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Whether a process is gone: no such pid, or a zombie nobody has reaped yet (it runs nothing). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
