/**
 * The engine: a state machine over a runbook's plan. It runs the preflight, then each step
 * (gates, choose, confirm, run on every host, capture, verify, decide after failure), emitting
 * typed events and asking for decisions through the injected Decider. It never prints.
 */
import { EXIT, OperatorError } from '../errors.ts';
import type { Host, Inventory } from '../inventory/types.ts';
import type { CheckSpec, Risk, RunbookSpec, StepSpec, WaitSpec } from '../runbook/schema.ts';
import {
  type Lookup,
  MissingVariableError,
  renderCommand,
  renderText,
} from '../runbook/template.ts';
import type { Transport, TransportFactory } from '../transports/transport.ts';
import { copyPeers, hostNamed } from './actions/copy-hosts.ts';
import { type ActionUse, actionOf, chooseSourceOf } from './actions/registry.ts';
import { type ActionRun, describeAction, renderBlock, runAction } from './actions/run-action.ts';
import { capture } from './capture.ts';
import { runCheck } from './checks/run-check.ts';
import type { ChoiceItem, Decider, Preview, RequestOf, Settled } from './decisions.ts';
import { durationMs } from './duration.ts';
import type { EventBus } from './event-bus.ts';
import type {
  CheckResult,
  DecisionKind,
  EventOf,
  Phase,
  RunbookChanges,
  RunEvent,
  RunStatus,
  StepStatus,
} from './events.ts';
import { execOnHost, type HostRun, withSudo } from './exec-on-host.ts';
import { judge, NO_OUTPUT } from './expect.ts';
import { DEFAULT_FORKS, fanOut } from './fan-out.ts';
import { LOCAL_HOST, resolveTarget } from './hosts.ts';
import { MASK, Redactor } from './redact.ts';
import { type ParamValues, Variables } from './variables.ts';
import { realSleep, type Sleep, untilPassed } from './wait.ts';

/** The runbook as the engine needs it. */
export interface PlannedRunbook {
  id: string;
  title: string;
  path: string;
  hash: string;
  spec: RunbookSpec;
}

/** What a resumed run carries over from its journal. */
export interface ResumeInput {
  steps: Record<string, StepStatus>;
  choices: Record<string, string>;
  /** Non-secret captures; secret ones were never saved. */
  captures: { host: string; name: string; value: string }[];
  changes: RunbookChanges | null;
}

/** Everything a run needs; every side effect is injected. */
export interface EngineOptions {
  runId: string;
  runbook: PlannedRunbook;
  inventory?: Inventory;
  params: ParamValues;
  /** Parameter values to display (secrets masked), for run-started. */
  displayParams: Record<string, string>;
  /** Values to redact everywhere. */
  secrets: readonly string[];
  transports: TransportFactory;
  decider: Decider;
  bus: EventBus;
  clock: () => Date;
  /** Pauses between the attempts of a `wait:` (default: a real timer). */
  sleep?: Sleep;
  dryRun?: boolean;
  /** Run the preflight only (`stepwise check`): nothing is asked and no step runs. */
  checkOnly?: boolean;
  forks?: number;
  /** Aborted when the operator interrupts the run (Ctrl-C). */
  signal?: AbortSignal;
  resume?: ResumeInput;
  /** Choices given up front (`--set var=value`). */
  presetChoices?: Record<string, string>;
  /** The run's directory beside its journal, for step actions' state (see ActionContext.runDir). */
  runDir?: string;
  /** Opens the run's connections before the preflight (SSH: unknown host keys asked at once). */
  connectHosts?: ConnectHosts;
}

/** Connects `hosts` through their transports, asking about host keys with `ask`. */
export type ConnectHosts = (
  hosts: Host[],
  transport: (host: Host) => Transport,
  ask: (request: RequestOf<'host-keys'>) => Promise<Settled<'host-keys'>>,
  /** `--forks` (or its default): at most this many connections opened at once. */
  limit?: number,
) => Promise<void>;

/** An output event held back until a step's secret captures are known. */
type HeldOutput = Omit<EventOf<'output'>, 'runId' | 'at'>;

/** How `runEngine` ended: a run status, or `paused` when the operator quit to resume later. */
export type RunOutcome = RunStatus | 'paused';

/** Ends the run early; `paused` keeps it resumable at `step`. */
class Stop extends Error {
  readonly outcome: RunOutcome;
  readonly step: string | undefined;
  constructor(outcome: RunOutcome, step?: string, message: string = outcome) {
    super(message);
    this.outcome = outcome;
    this.step = step;
  }
}

/** The operator chose to abort at a step's question. */
const abortedAt = (step: StepSpec) => new Stop('aborted', step.id, `aborted at step ${step.id}`);

type Emittable = RunEvent extends infer E
  ? E extends RunEvent
    ? Omit<E, 'runId' | 'at'>
    : never
  : never;

export async function runEngine(options: EngineOptions): Promise<RunOutcome> {
  return new Run(options).start();
}

class Run {
  readonly #o: EngineOptions;
  readonly #spec: RunbookSpec;
  readonly #vars: Variables;
  readonly #redactor: Redactor;
  readonly #transports = new Map<string, Transport>();
  readonly #checks: Map<string, CheckSpec>;
  /** Ids of the checks some step `requires`: judged again right before that step. */
  readonly #gates: Set<string>;
  #iso = { ms: Number.NaN, text: '' };
  readonly #forks: number;

  constructor(o: EngineOptions) {
    this.#o = o;
    this.#spec = o.runbook.spec;
    this.#vars = new Variables(o.runId, o.params);
    this.#redactor = new Redactor(o.secrets);
    this.#checks = new Map(this.#spec.checks.map((c) => [c.id, c]));
    this.#gates = new Set(this.#spec.steps.flatMap((s) => s.requires));
    this.#forks = o.forks ?? DEFAULT_FORKS;
    for (const [k, v] of Object.entries(o.resume?.choices ?? {})) this.#vars.choices.set(k, v);
    for (const c of o.resume?.captures ?? []) this.#vars.setCapture(c.name, c.host, c.value);
  }

  emit(event: Emittable): void {
    const stamp = { runId: this.#o.runId, at: this.#isoNow() };
    // An output event is made for this call alone, and a copy would decode its bytes (its
    // `data` is read on demand, see output-data.ts): it is stamped in place.
    this.#o.bus.emit(
      (event.type === 'output' ? Object.assign(event, stamp) : { ...event, ...stamp }) as RunEvent,
    );
  }

  /** The clock's time as ISO-8601, formatted once per millisecond (a chatty step emits ~10k events a second). */
  #isoNow(): string {
    const now = this.#o.clock();
    const ms = now.getTime();
    if (ms !== this.#iso.ms) this.#iso = { ms, text: now.toISOString() };
    return this.#iso.text;
  }

  async start(): Promise<RunOutcome> {
    const { runbook, inventory, resume } = this.#o;
    try {
      if (resume) this.emit({ type: 'run-resumed', changed: resume.changes });
      else
        this.emit({
          type: 'run-started',
          runbook: runbook.id,
          title: runbook.title,
          runbookPath: runbook.path,
          runbookHash: runbook.hash,
          params: this.#o.displayParams,
          hosts: [...(inventory?.hosts.values() ?? [])].map((h) => ({
            name: h.name,
            address: h.address,
            connection: h.connection,
            groups: h.groups,
          })),
          dryRun: this.#o.dryRun ?? false,
        });
      await this.#connectHosts();
      const preflight = await this.#preflight();
      if (this.#o.checkOnly) {
        const status = preflight === 'fail' ? 'failed' : 'succeeded';
        this.emit({ type: 'run-finished', status });
        return status;
      }
      for (const step of this.#spec.steps) await this.#step(step);
      this.emit({ type: 'run-finished', status: 'succeeded' });
      return 'succeeded';
    } catch (error) {
      if (error instanceof Stop) {
        if (error.outcome === 'paused') {
          this.emit({ type: 'run-paused', ...(error.step ? { step: error.step } : {}) });
        } else {
          this.emit({ type: 'run-finished', status: error.outcome, error: error.message });
        }
        return error.outcome;
      }
      this.emit({
        type: 'run-finished',
        status: 'failed',
        error: this.#redactor.text((error as Error).message),
      });
      throw error;
    } finally {
      await Promise.allSettled([...this.#transports.values()].map((t) => t.close()));
    }
  }

  // ── decisions ──────────────────────────────────────────────────────────────

  async #ask<K extends DecisionKind>(request: RequestOf<K>): Promise<Settled<K>> {
    const ids = {
      ...('step' in request && request.step ? { step: request.step } : {}),
      ...('check' in request ? { check: request.check } : {}),
    };
    this.emit({ type: 'decision-requested', kind: request.kind, ...ids });
    const answer = await this.#o.decider.decide(request);
    // Seen through its common shape: TypeScript cannot narrow the union of every kind's answers.
    const a = answer as { action: string; by: string; value?: string; reason?: string };
    const reason = a.reason === undefined ? {} : { reason: this.#redactor.text(a.reason) };
    this.emit({
      type: 'decision',
      kind: request.kind,
      answer: a.action === 'pick' ? `pick ${this.#redactor.text(a.value ?? '')}` : a.action,
      by: a.by,
      ...ids,
      ...reason,
    });
    if (a.action === 'quit') throw new Stop('paused', ids.step);
    return answer as unknown as Settled<K>;
  }

  // ── running commands ───────────────────────────────────────────────────────

  /** Every remote host a check or step of the runbook targets, connected before the preflight. */
  async #connectHosts(): Promise<void> {
    const connect = this.#o.connectHosts;
    if (!connect) return;
    const hosts = new Map<string, Host>();
    for (const { on } of [...this.#spec.checks, ...this.#spec.steps]) {
      try {
        for (const h of resolveTarget(on, this.#o.inventory).hosts)
          if (h.connection !== 'local') hosts.set(h.name, h);
      } catch {
        // A target without hosts fails where it is used, with its own message.
      }
    }
    // The other end of a copy is connected too, so its host key is asked about with the rest.
    for (const h of copyPeers(this.#spec.steps, this.#o.inventory))
      if (h.connection !== 'local') hosts.set(h.name, h);
    if (hosts.size === 0) return;
    await connect(
      [...hosts.values()],
      (h) => this.#transport(h),
      (r) => this.#ask(r),
      // --forks caps the handshakes as it caps the commands, at its default too.
      this.#forks,
    );
  }

  #transport(host: Host): Transport {
    const t = this.#transports.get(host.name) ?? this.#o.transports(host);
    this.#transports.set(host.name, t);
    return t;
  }

  async #exec(
    host: Host,
    command: string,
    origin: { step: string; phase: Phase } | { check: string },
    extra: { sudo?: boolean; timeoutMs?: number; okExits?: number[]; hold?: HeldOutput[] } = {},
  ): Promise<HostRun> {
    const isStep = 'step' in origin;
    if (isStep) {
      this.emit({
        type: 'host-started',
        step: origin.step,
        host: host.name,
        command: this.#redactor.text(extra.sudo ? withSudo(command) : command),
        phase: origin.phase,
      });
    }
    const run = await execOnHost({
      transport: this.#transport(host),
      host,
      command,
      origin: isStep ? { step: origin.step } : { check: origin.check },
      redactor: this.#redactor,
      emit: (e) => (extra.hold ? extra.hold.push(e) : this.emit(e)),
      ...(extra.timeoutMs === undefined ? {} : { timeoutMs: extra.timeoutMs }),
      ...(extra.sudo ? { sudo: true } : {}),
      ...(extra.okExits ? { okExits: extra.okExits } : {}),
      ...(this.#o.signal ? { signal: this.#o.signal } : {}),
    });
    if (isStep) this.#hostFinished(host, origin, run);
    return run;
  }

  /** How a command or an action ended on one host of a step. */
  #hostFinished(host: Host, origin: { step: string; phase: Phase }, run: HostRun): void {
    this.emit({
      type: 'host-finished',
      step: origin.step,
      host: host.name,
      phase: origin.phase,
      status: run.status,
      exitCode: run.exitCode,
      signal: run.signal,
      durationMs: run.durationMs,
      ...(run.error ? { error: run.error } : {}),
    });
  }

  /** Runs a step action on a host, with the same host events as a command. */
  async #act(
    host: Host,
    use: ActionUse,
    description: string,
    origin: { step: string; phase: Phase },
    extra: { timeoutMs?: number; hold?: HeldOutput[] } = {},
  ): Promise<ActionRun> {
    const base = { step: origin.step, host: host.name, phase: origin.phase };
    this.emit({ type: 'host-started', ...base, command: this.#redactor.text(description) });
    const run = await runAction({
      action: use.action,
      raw: use.raw,
      host,
      transport: this.#transport(host),
      lookup: this.#lookup(host),
      redactor: this.#redactor,
      step: origin.step,
      emit: (e) => (extra.hold && e.type === 'output' ? extra.hold.push(e) : this.emit(e)),
      hostNamed: (name) => {
        const peer = hostNamed(name, this.#o.inventory);
        return { host: peer, transport: this.#transport(peer) };
      },
      hostsOf: (role) =>
        resolveTarget(role, this.#o.inventory).hosts.map((h) => ({
          host: h,
          transport: this.#transport(h),
          block: renderBlock(use.raw, this.#lookup(h)),
        })),
      ...(extra.timeoutMs === undefined ? {} : { timeoutMs: extra.timeoutMs }),
      ...(this.#o.signal ? { signal: this.#o.signal } : {}),
      ...(this.#o.runDir === undefined ? {} : { runDir: this.#o.runDir }),
      clock: this.#o.clock,
    });
    this.#hostFinished(host, origin, run);
    return run;
  }

  #lookup(host: Host): Lookup {
    const base = this.#vars.lookupFor(host);
    if (!this.#o.dryRun) return base;
    // A dry run shows where a later choice or capture will go instead of failing.
    return (name) => base(name) ?? `<${name}>`;
  }

  #command(template: string, host: Host): string {
    return this.#render(template, host, () => renderCommand(template, this.#lookup(host)));
  }

  /** What a step action will do on a host, in one line (shown where a command would be). */
  #describe(use: ActionUse, host: Host): string {
    return this.#render(`${use.action.name}: ${JSON.stringify(use.raw)}`, host, () =>
      describeAction(use.action, use.raw, this.#lookup(host)),
    );
  }

  #render(template: string, host: Host, render: () => string): string {
    try {
      return render();
    } catch (error) {
      if (!(error instanceof MissingVariableError)) throw error;
      // Validation makes sure every name is declared, so this is a value that never arrived:
      // a secret capture after a resume, or a parameter left empty.
      throw new OperatorError(
        `{{ ${error.variable} }} has no value for ${host.name}: ${template}`,
        `give it with --set ${error.variable}=VALUE, or re-run the step that captures it`,
        EXIT.needsInput,
      );
    }
  }

  #throwIfInterrupted(step?: string): void {
    if (this.#o.signal?.aborted) throw new Stop('aborted', step, 'interrupted by the operator');
  }

  // ── checks ─────────────────────────────────────────────────────────────────

  async #evaluate(check: CheckSpec, gateFor?: string): Promise<CheckResult[]> {
    const { hosts } = resolveTarget(check.on, this.#o.inventory);
    this.emit({
      type: 'check-started',
      check: check.id,
      title: check.title,
      hosts: hosts.map((h) => h.name),
      ...(gateFor ? { gateFor } : {}),
    });
    // A gate is judged again right before its step: the preflight shows where it stands now
    // and waits there, not here.
    const results = await this.#until(
      gateFor !== undefined || !this.#gates.has(check.id) ? check.wait : undefined,
      () =>
        runCheck(check, hosts, {
          variables: this.#vars,
          forks: this.#forks,
          now: this.#o.clock,
          exec: (host, command, id, timeoutMs) =>
            this.#exec(host, command, { check: id }, timeoutMs === undefined ? {} : { timeoutMs }),
        }),
      (rs) => !rs.some((r) => r.status === 'fail'),
      (rs) => rs.filter((r) => r.status === 'fail').map((r) => `${r.host}: ${r.message}`),
      { check: check.id },
    );
    for (const r of results) {
      this.emit({
        type: 'check-result',
        ...r,
        message: this.#redactor.text(r.message),
        evidence: Object.fromEntries(
          Object.entries(r.evidence).map(([k, v]) => [
            k,
            v === undefined ? v : this.#redactor.text(v),
          ]),
        ),
      });
    }
    return results;
  }

  /** One attempt, or with `wait` attempts until `passed`, telling the operator about each retry. */
  #until<T>(
    wait: WaitSpec | undefined,
    attempt: () => Promise<T>,
    passed: (result: T) => boolean,
    describe: (result: T) => string[],
    origin: { check: string } | { step: string; host: string },
  ): Promise<T> {
    return untilPassed({
      wait,
      attempt,
      passed,
      clock: this.#o.clock,
      sleep: this.#o.sleep ?? realSleep,
      ...(this.#o.signal ? { signal: this.#o.signal } : {}),
      onRetry: (r) =>
        this.emit({
          type: 'waiting',
          ...origin,
          message: this.#redactor.text(describe(r.result).join('\n')),
          attempt: r.attempt,
          elapsedMs: r.elapsedMs,
          timeoutMs: r.timeoutMs,
        }),
    });
  }

  async #preflight(): Promise<'pass' | 'warn' | 'fail'> {
    const checks = this.#spec.checks.filter((c) => c.preflight);
    this.emit({ type: 'preflight-started', checks: checks.map((c) => c.id) });
    const blocking: [CheckSpec, CheckResult[]][] = [];
    let worst: 'pass' | 'warn' | 'fail' = 'pass';
    for (const check of checks) {
      this.#throwIfInterrupted();
      const results = await this.#evaluate(check);
      if (results.some((r) => r.status === 'fail')) {
        worst = 'fail';
        // A failing gate only blocks the step it gates, and is checked again right before it.
        if (!this.#gates.has(check.id)) blocking.push([check, results]);
      } else if (worst === 'pass' && results.some((r) => r.status === 'warn')) worst = 'warn';
    }
    this.emit({ type: 'preflight-finished', status: worst });
    if (this.#o.dryRun || this.#o.checkOnly) return worst;
    for (const [check, results] of blocking) await this.#override(check, results);
    return worst;
  }

  async #override(check: CheckSpec, results: CheckResult[], step?: string): Promise<void> {
    let answer = await this.#askOverride(check, results, step);
    // The operator fixed something on the hosts: run the check again, and ask only if it still fails.
    while (answer.action === 'recheck') {
      const again = await this.#evaluate(check, step);
      if (!again.some((r) => r.status === 'fail' || r.status === 'waiting')) return;
      answer = await this.#askOverride(check, again, step);
    }
    if (answer.action === 'abort') {
      throw new Stop(
        'failed',
        step,
        `check ${check.id} failed${step ? ` before step ${step}` : ''}`,
      );
    }
    this.emit({
      type: 'check-overridden',
      check: check.id,
      reason: this.#redactor.text(answer.reason),
      by: answer.by,
      ...(step ? { step } : {}),
    });
  }

  #askOverride(check: CheckSpec, results: CheckResult[], step?: string) {
    return this.#ask<'override'>({
      kind: 'override',
      check: check.id,
      title: check.title,
      results: results.filter((r) => r.status === 'fail' || r.status === 'waiting'),
      ...(step ? { step } : {}),
    });
  }

  // ── steps ──────────────────────────────────────────────────────────────────

  async #step(step: StepSpec): Promise<void> {
    const prior = this.#o.resume?.steps[step.id];
    // Secret captures are never saved, so a read-only step that made one runs again on resume.
    const remakesSecret =
      prior === 'succeeded' && step.risk === 'read-only' && step.capture.some((c) => c.secret);
    if ((prior === 'succeeded' && !remakesSecret) || prior === 'skipped') return;
    this.#throwIfInterrupted(step.id);
    const { hosts, serial } = resolveTarget(step.on, this.#o.inventory);

    if (this.#o.dryRun) return this.#plan(step, hosts);
    if (prior === 'interrupted' || prior === 'running') {
      if (await this.#interrupted(step, hosts)) return;
    }
    // A gate waiting for the choice this very step makes is judged again once the pick is made.
    const choosing = step.choose !== undefined && !this.#vars.choices.has(step.choose.var);
    const afterChoice: CheckSpec[] = [];
    for (const id of step.requires) {
      const check = this.#checks.get(id)!;
      const results = await this.#evaluate(check, step.id);
      const failed = results.some((r) => r.status === 'fail');
      if (choosing && !failed && results.some((r) => r.status === 'waiting')) {
        afterChoice.push(check);
      } else if (failed || results.some((r) => r.status === 'waiting')) {
        await this.#override(check, results, step.id);
      }
    }
    if (choosing) {
      if (!(await this.#choose(step))) return;
    }
    for (const check of afterChoice) {
      const results = await this.#evaluate(check, step.id);
      if (results.some((r) => r.status === 'fail' || r.status === 'waiting')) {
        await this.#override(check, results, step.id);
      }
    }
    if (step.manual !== undefined) return this.#manual(step, hosts);
    const action = actionOf(step);
    // A choose-only step finished when the pick was made.
    if (step.run === undefined && !action) return;

    // An action step shows (and confirms) a description of what it does instead of a command.
    const commands = hosts.map((h) => ({
      host: h.name,
      command: action ? this.#describe(action, h) : this.#command(step.run!, h),
    }));
    const shown = commands.map((c) => ({
      host: c.host,
      command: this.#redactor.text(step.sudo ? withSudo(c.command) : c.command),
    }));
    let previews: Preview[] | undefined;
    if (step.preview !== undefined && step.risk !== 'read-only') {
      const got = await this.#previews(step, hosts);
      if (got === 'skipped') return;
      previews = got;
    }
    const shownPreviews = previews ? { previews } : {};
    let confirmedBy: string | undefined;
    if (step.risk === 'changes') {
      const a = await this.#ask<'confirm'>({
        kind: 'confirm',
        step: step.id,
        title: step.title,
        hosts: hosts.map((h) => h.name),
        commands: shown,
        ...shownPreviews,
      });
      if (a.action === 'abort') throw abortedAt(step);
      if (a.action === 'skip') return this.#skipped(step, a.reason, a.by);
      confirmedBy = a.by;
    } else if (step.risk === 'destructive') {
      const phrase = renderText(step.confirm ?? step.id, this.#vars.lookupFor(LOCAL_HOST));
      for (;;) {
        const a = await this.#ask<'confirm-destructive'>({
          kind: 'confirm-destructive',
          step: step.id,
          title: step.title,
          hosts: hosts.map((h) => h.name),
          commands: shown,
          ...shownPreviews,
          phrase,
        });
        if (a.action === 'abort') throw abortedAt(step);
        if (a.action === 'skip') return this.#skipped(step, a.reason, a.by);
        if (a.typed === phrase) {
          confirmedBy = a.by;
          break;
        }
        this.emit({
          type: 'warning',
          step: step.id,
          message: `the typed phrase did not match "${phrase}"; nothing was run`,
        });
      }
    }
    await this.#attempts(step, hosts, commands, serial, confirmedBy, action);
  }

  /**
   * Runs the step's preview on every host before it is confirmed. A preview that cannot run
   * (exit 2 or more, a lost host) stops the step: confirming blind is what it exists to prevent.
   */
  async #previews(step: StepSpec, hosts: Host[]): Promise<Preview[] | 'skipped'> {
    for (;;) {
      const runs = await fanOut(hosts, this.#forks, (h) =>
        this.#exec(
          h,
          this.#command(step.preview!, h),
          { step: step.id, phase: 'preview' },
          { sudo: step.sudo, okExits: [0, 1] },
        ),
      );
      const failures = runs.flatMap((run, i) =>
        run.status === 'ok'
          ? []
          : [{ host: hosts[i]!.name, message: `the preview failed: ${run.error ?? run.status}` }],
      );
      if (failures.length === 0) {
        return runs.map((run, i) => ({
          host: hosts[i]!.name,
          text: this.#redactor.text(run.stdout),
          exitCode: run.exitCode,
        }));
      }
      if ((await this.#afterFailure(step, failures)) === 'skip') return 'skipped';
    }
  }

  #plan(step: StepSpec, hosts: Host[]): void {
    const plan = (phase: Phase, template: string | ActionUse, on: Host[], sudo = false) => {
      for (const h of on) {
        const command =
          typeof template === 'string' ? this.#command(template, h) : this.#describe(template, h);
        this.emit({
          type: 'step-planned',
          step: step.id,
          host: h.name,
          phase,
          command: this.#redactor.text(sudo ? withSudo(command) : command),
        });
      }
    };
    if (step.choose)
      plan(
        'choose',
        chooseSourceOf(step.choose) ?? step.choose.run!,
        resolveTarget(step.choose.on, this.#o.inventory).hosts.slice(0, 1),
      );
    if (step.preview !== undefined) plan('preview', step.preview, hosts, step.sudo);
    const action = actionOf(step);
    if (action) plan('run', action, hosts);
    if (step.run !== undefined) plan('run', step.run, hosts, step.sudo);
    for (const v of step.verify) {
      plan('verify', v.run, v.on ? resolveTarget(v.on, this.#o.inventory).hosts : hosts, v.sudo);
    }
  }

  /** Emits step-started; `attempt` 0 is the verification of an interrupted step. */
  #started(step: StepSpec, hosts: string[], attempt: number, risk: Risk): void {
    this.emit({ type: 'step-started', step: step.id, title: step.title, risk, hosts, attempt });
  }

  #skipped(step: StepSpec, reason: string, by: string): void {
    this.emit({
      type: 'step-finished',
      step: step.id,
      status: 'skipped',
      durationMs: 0,
      reason: this.#redactor.text(reason),
      confirmedBy: by,
    });
  }

  /** A step that started and never ended: verify first, then let the operator decide. */
  async #interrupted(step: StepSpec, hosts: Host[]): Promise<boolean> {
    let verification: 'pass' | 'fail' | 'none' = 'none';
    if (step.verify.length > 0) {
      this.#started(
        step,
        hosts.map((h) => h.name),
        0,
        'read-only',
      );
      const failures = await this.#verify(step, hosts);
      verification = failures.length === 0 ? 'pass' : 'fail';
    }
    const a = await this.#ask<'interrupted'>({
      kind: 'interrupted',
      step: step.id,
      title: step.title,
      verification,
    });
    if (a.action === 'abort')
      throw new Stop('aborted', step.id, `aborted at interrupted step ${step.id}`);
    if (a.action === 'mark-done') {
      this.emit({
        type: 'step-finished',
        step: step.id,
        status: 'succeeded',
        durationMs: 0,
        reason: `marked done after an interruption: ${this.#redactor.text(a.reason)}`,
        confirmedBy: a.by,
      });
      return true;
    }
    return false;
  }

  async #choose(step: StepSpec): Promise<boolean> {
    const spec = step.choose!;
    const host = resolveTarget(spec.on, this.#o.inventory).hosts[0]!;
    const preset = this.#o.presetChoices?.[spec.var];
    // No step-started until the pick is made: a run that stops at the question (quit, or a
    // headless run without --set) leaves the step pending, not interrupted, so resume asks again.
    const source = chooseSourceOf(spec);
    const origin = { step: step.id, phase: 'choose' } as const;
    const run: ActionRun = source
      ? await this.#act(host, source, this.#describe(source, host), origin)
      : await this.#exec(host, this.#command(spec.run!, host), origin);
    const items =
      run.status !== 'ok' ? [] : (run.items ?? parseItems(run.stdout, spec.item, spec.order));
    let problem = run.status === 'ok' ? undefined : run.error;
    if (!problem && items.length === 0)
      problem = `the list from ${host.name} is empty: nothing to choose from`;
    if (!problem && preset !== undefined && !items.some((i) => i.value === preset)) {
      problem = `--set ${spec.var}=${preset} is not in the list: ${items.map((i) => i.value).join(', ')}`;
    }
    if (problem) {
      const next = await this.#afterFailure(step, [{ host: host.name, message: problem }]);
      if (next === 'retry') return this.#choose(step);
      return false;
    }
    let value: string;
    if (preset !== undefined) {
      value = preset;
      this.emit({
        type: 'decision',
        step: step.id,
        kind: 'choose',
        answer: `pick ${preset}`,
        by: '--set',
      });
    } else {
      const a = await this.#ask<'choose'>({
        kind: 'choose',
        step: step.id,
        var: spec.var,
        prompt: renderText(spec.prompt, this.#vars.lookupFor(host)),
        items,
      });
      if (a.action === 'abort') throw abortedAt(step);
      if (!items.some((i) => i.value === a.value))
        throw new Error(`choice ${a.value} is not in the list`);
      value = a.value;
    }
    this.#vars.choices.set(spec.var, value);
    this.emit({ type: 'choice', step: step.id, var: spec.var, value: this.#redactor.text(value) });
    if (step.run === undefined && step.manual === undefined) {
      this.#started(step, [host.name], 1, 'read-only');
      this.emit({
        type: 'step-finished',
        step: step.id,
        status: 'succeeded',
        durationMs: run.durationMs,
      });
    }
    return true;
  }

  async #manual(step: StepSpec, hosts: Host[]): Promise<void> {
    const instructions = renderText(step.manual!, this.#vars.lookupFor(hosts[0] ?? LOCAL_HOST));
    const started = Date.now();
    // As with choose: the step starts once the operator says it was done, so stopping at the
    // question leaves it pending.
    const a = await this.#ask<'manual'>({
      kind: 'manual',
      step: step.id,
      title: step.title,
      instructions,
    });
    if (a.action === 'abort') throw abortedAt(step);
    if (a.action === 'skip') return this.#skipped(step, a.reason, a.by);
    this.#started(
      step,
      hosts.map((h) => h.name),
      1,
      step.risk,
    );
    const failures = await this.#verify(step, hosts);
    if (failures.length > 0) {
      const next = await this.#afterFailure(step, failures);
      if (next === 'retry') return this.#manual(step, hosts);
      return;
    }
    this.emit({
      type: 'step-finished',
      step: step.id,
      status: 'succeeded',
      durationMs: Date.now() - started,
      confirmedBy: a.by,
    });
  }

  async #attempts(
    step: StepSpec,
    hosts: Host[],
    commands: { host: string; command: string }[],
    serial: number | undefined,
    confirmedBy: string | undefined,
    action?: ActionUse,
  ): Promise<void> {
    // `serial: N` is a rolling step: each batch of N hosts runs AND verifies before the next
    // starts, and the first batch that fails stops the rest, so a bad restart takes down one
    // node, not the cluster (Ansible's serial, per batch).
    const indices = hosts.map((_, i) => i);
    const batches =
      serial === undefined
        ? [indices]
        : Array.from({ length: Math.ceil(hosts.length / serial) }, (_, k) =>
            indices.slice(k * serial, (k + 1) * serial),
          );
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      this.#started(
        step,
        hosts.map((h) => h.name),
        attempt,
        step.risk,
      );
      const failures: { host: string; message: string }[] = [];
      for (const [k, batch] of batches.entries()) {
        const batchHosts = batch.map((i) => hosts[i]!);
        const batchCommands = batch.map((i) => commands[i]!.command);
        failures.push(...(await this.#batch(step, batchHosts, batchCommands, started, action)));
        if (failures.length > 0) {
          const failed = [...new Set(failures.map((f) => f.host))].join(', ');
          for (const i of batches.slice(k + 1).flat()) {
            failures.push({
              host: hosts[i]!.name,
              message: `not run: the rolling step (serial: ${serial}) stopped after ${failed} failed`,
            });
          }
          break;
        }
      }
      if (failures.length === 0) {
        this.emit({
          type: 'step-finished',
          step: step.id,
          status: 'succeeded',
          durationMs: Date.now() - started,
          ...(confirmedBy ? { confirmedBy } : {}),
        });
        return;
      }
      const next = await this.#afterFailure(step, failures);
      if (next !== 'retry') return;
    }
  }

  /** Runs a step's command (or action) on some hosts at once, then captures and verifies. */
  async #batch(
    step: StepSpec,
    hosts: Host[],
    commands: string[],
    started: number,
    action?: ActionUse,
  ): Promise<{ host: string; message: string }[]> {
    const timeoutMs = durationMs(step.timeout);
    // A secret is only known once captured, so a step that captures one holds its output
    // back until then; it is released masked, after the host results.
    const held: HeldOutput[] | undefined = step.capture.some((c) => c.secret) ? [] : undefined;
    const runs = await fanOut(
      hosts.map((h, i) => [h, commands[i]!] as const),
      this.#forks,
      ([h, command]) => {
        const origin = { step: step.id, phase: 'run' } as const;
        const extra = {
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
          ...(held ? { hold: held } : {}),
        };
        return action
          ? this.#act(h, action, command, origin, extra)
          : this.#exec(h, command, origin, { sudo: step.sudo, ...extra });
      },
    );
    // Released before anything else, so even a cancelled attempt's output reaches the journal;
    // on success the secret captures below are masked in it first.
    const release = () => {
      for (const e of held?.splice(0) ?? []) this.emit({ ...e, data: this.#redactor.text(e.data) });
    };
    if (this.#o.signal?.aborted) {
      // Whatever secret a cancelled command printed is still masked in its released output.
      for (const run of runs) {
        for (const spec of step.capture.filter((c) => c.secret)) {
          const got = capture(spec, run.stdout, run.stderr);
          if (got.ok) this.#redactor.add(got.value);
        }
      }
      release();
      this.emit({
        type: 'step-finished',
        step: step.id,
        status: 'interrupted',
        durationMs: Date.now() - started,
        reason: 'interrupted by the operator',
      });
      this.#throwIfInterrupted(step.id);
    }
    const failures: { host: string; message: string }[] = [];
    runs.forEach((run, i) => {
      const host = hosts[i]!;
      if (run.status !== 'ok') {
        failures.push({ host: host.name, message: run.error ?? run.status });
        return;
      }
      for (const spec of step.capture) {
        const got = capture(spec, run.stdout, run.stderr);
        if (!got.ok) {
          failures.push({ host: host.name, message: `capture ${spec.name}: ${got.reason}` });
          continue;
        }
        if (spec.secret) this.#redactor.add(got.value);
        this.#vars.setCapture(spec.name, host.name, got.value);
        this.emit({
          type: 'capture',
          step: step.id,
          host: host.name,
          name: spec.name,
          value: spec.secret ? MASK : got.value,
          secret: spec.secret,
        });
      }
    });
    release();
    const okHosts = hosts.filter((_, i) => runs[i]!.status === 'ok');
    if (failures.length === 0) failures.push(...(await this.#verify(step, okHosts)));
    return failures;
  }

  /** Runs the step's verifications; returns what failed. */
  async #verify(step: StepSpec, hosts: Host[]): Promise<{ host: string; message: string }[]> {
    const failures: { host: string; message: string }[] = [];
    for (const [index, v] of step.verify.entries()) {
      const on = v.on ? resolveTarget(v.on, this.#o.inventory).hosts : hosts;
      const results = await fanOut(on, this.#forks, async (host) => {
        // The expectation judges the exit code; a verification expecting exit 3 did not "fail".
        const okExits = v.expect?.exit === undefined ? [0] : [v.expect.exit].flat();
        const command = this.#command(v.run, host);
        const once = async () => {
          const run = await this.#exec(
            host,
            command,
            { step: step.id, phase: 'verify' },
            { sudo: v.sudo ?? false, okExits },
          );
          // No exit code to judge: it never ran to an end (lost, killed, refused before it ran).
          if (
            run.status === 'lost' ||
            run.status === 'timed-out' ||
            run.status === 'cancelled' ||
            run.exitCode === null
          ) {
            return { host, ok: false, message: run.error ?? run.status };
          }
          const j = judge(run, v.expect, (t) => renderText(t, this.#vars.lookupFor(host)));
          // The command as run on this host, not its template; the message is redacted below.
          const what = v.title ?? command;
          return {
            host,
            ok: j.ok,
            message: j.ok
              ? `${what}: ok ${j.found === NO_OUTPUT ? NO_OUTPUT : `(${j.found})`}`
              : `${what}: expected ${j.expected}, found ${j.found}`,
          };
        };
        return this.#until(
          v.wait,
          once,
          (r) => r.ok,
          (r) => [r.message],
          { step: step.id, host: host.name },
        );
      });
      for (const r of results) {
        const message = this.#redactor.text(r.message);
        this.emit({
          type: 'verify-result',
          step: step.id,
          host: r.host.name,
          index,
          status: r.ok ? 'pass' : 'fail',
          message,
        });
        if (!r.ok) failures.push({ host: r.host.name, message: `verification failed: ${message}` });
      }
    }
    return failures;
  }

  async #afterFailure(
    step: StepSpec,
    failures: { host: string; message: string }[],
  ): Promise<'retry' | 'skip'> {
    this.#throwIfInterrupted(step.id);
    const a = await this.#ask<'after-failure'>({
      kind: 'after-failure',
      step: step.id,
      title: step.title,
      failures: failures.map((f) => ({ host: f.host, message: this.#redactor.text(f.message) })),
    });
    if (a.action === 'retry') return 'retry';
    if (a.action === 'skip') {
      this.#skipped(step, a.reason, a.by);
      return 'skip';
    }
    this.emit({
      type: 'step-finished',
      step: step.id,
      status: 'failed',
      durationMs: 0,
      reason: failures.map((f) => `${f.host}: ${f.message}`).join('\n'),
    });
    throw new Stop(
      'failed',
      step.id,
      `step ${step.id} failed on ${failures.map((f) => f.host).join(', ')}`,
    );
  }
}

/** Turns a list command's output into choice items. */
export function parseItems(
  stdout: string,
  item: string | undefined,
  order: 'as-listed' | 'descending' | 'ascending',
): ChoiceItem[] {
  const re = item === undefined ? undefined : new RegExp(item);
  const items: ChoiceItem[] = [];
  for (const line of stdout.split('\n')) {
    const text = line.trim();
    if (text === '') continue;
    if (!re) {
      items.push({ value: text, label: text });
      continue;
    }
    const m = re.exec(text);
    if (m) items.push({ value: m.groups?.value ?? m[1] ?? m[0], label: text });
  }
  if (order !== 'as-listed') {
    items.sort((a, b) => a.value.localeCompare(b.value, 'en', { numeric: true }));
    if (order === 'descending') items.reverse();
  }
  return items;
}

export { MissingVariableError };
