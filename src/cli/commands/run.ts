/** `stepwise run`, `stepwise check` and `stepwise resume`. */
import { existsSync } from 'node:fs';
import type { Decider } from '../../engine/decisions.ts';
import type { ResumeInput } from '../../engine/engine.ts';
import type { Subscriber } from '../../engine/event-bus.ts';
import type { RunbookChanges } from '../../engine/events.ts';
import { EXIT, type ExitCode, OperatorError } from '../../errors.ts';
import { journalPath } from '../../journal/paths.ts';
import { readJournal } from '../../journal/reader.ts';
import { lockRun } from '../../journal/run-lock.ts';
import { foldRun } from '../../journal/run-state.ts';
import { JournalWriter } from '../../journal/writer.ts';
import { newRunId } from '../../store/run-id.ts';
import { stateHome } from '../../store/state-home.ts';
import { Store } from '../../store/store.ts';
import { HeadlessDecider, type HeadlessFlags } from '../headless-decider.ts';
import type { CliIO } from '../io.ts';
import { type Prepared, parseOverrides, parseSets, parseSkips, prepare } from '../prepare.ts';
import { PromptDecider } from '../prompt-decider.ts';
import { type OutputMode, runSession, type SshFlags } from '../session.ts';
import { SkippingDecider } from '../skipping-decider.ts';

/** Flags shared by run and resume. */
export interface RunFlags {
  set: string[];
  yes?: boolean;
  allowDestructive?: boolean;
  override: string[];
  /** `--skip STEP=REASON` (headless). */
  skip?: string[];
  onInterrupted?: 'rerun' | 'mark-done';
  manualDone: string[];
  json?: boolean;
  plain?: boolean;
  forks?: string;
  knownHosts?: string;
  acceptNewHostKeys?: boolean;
}

/** How SSH hosts are reached, from the flags. */
function sshFlags(flags: { knownHosts?: string; acceptNewHostKeys?: boolean }): SshFlags {
  return {
    ...(flags.knownHosts ? { knownHostsFile: flags.knownHosts } : {}),
    ...(flags.acceptNewHostKeys ? { acceptNew: true } : {}),
  };
}

/**
 * How an interactive UI takes part in a run: it answers the questions, shows the events and
 * can cancel. Everything else (journal, store, transports) is wired exactly as for headless runs.
 */
export interface RunUi {
  decider: Decider & { close?: () => void };
  display: Subscriber;
  cancel: AbortSignal;
}

function uiOptions(ui: RunUi | undefined) {
  return ui ? { display: ui.display, cancel: ui.cancel } : {};
}

function outputMode(flags: { json?: boolean }): OutputMode {
  return flags.json ? 'json' : 'plain';
}

function headless(flags: RunFlags): HeadlessFlags {
  return {
    yes: flags.yes ?? false,
    allowDestructive: flags.allowDestructive ?? false,
    overrides: parseOverrides(flags.override),
    ...(flags.onInterrupted ? { onInterrupted: flags.onInterrupted } : {}),
    manualDone: flags.manualDone,
  };
}

/**
 * Headless (`--yes`, `--json`, or no terminal) answers from flags and never waits; otherwise the
 * operator is asked on the terminal.
 */
function deciderFor(io: CliIO, flags: RunFlags): Decider & { close?: () => void } {
  const skips = parseSkips(flags.skip ?? []);
  const decider = askerFor(io, flags);
  return Object.keys(skips).length > 0 ? new SkippingDecider(decider, skips) : decider;
}

function askerFor(io: CliIO, flags: RunFlags): Decider & { close?: () => void } {
  if (io.interactive && io.terminal && !flags.yes && !flags.json) {
    return new PromptDecider({ ...io.terminal, user: io.user });
  }
  return new HeadlessDecider(headless(flags));
}

/** A `--skip` naming no step of the runbook is a typo, not a skip: refuse before anything runs. */
function knownSkips(flags: RunFlags, prepared: Prepared): void {
  const ids = prepared.runbook.spec.steps.map((s) => s.id);
  for (const step of Object.keys(parseSkips(flags.skip ?? []))) {
    if (!ids.includes(step)) {
      throw new OperatorError(
        `--skip ${step}: ${prepared.ref.id} has no step ${step}`,
        `its steps: ${ids.join(', ')}`,
      );
    }
  }
}

function forks(flags: RunFlags): number | undefined {
  if (flags.forks === undefined) return undefined;
  const n = Number(flags.forks);
  if (!Number.isInteger(n) || n < 1) {
    throw new OperatorError(
      `--forks ${flags.forks}: expected a whole number ≥ 1`,
      'e.g. --forks 20',
    );
  }
  return n;
}

/** Loads what `run` and `check` need from their shared flags. */
function prepareFromFlags(
  io: CliIO,
  runbook: string,
  flags: { set: string[]; inventory?: string; runbooks: string[] },
) {
  return prepare({
    runbook,
    runbookDirs: flags.runbooks,
    inventoryPath: flags.inventory,
    sets: parseSets(flags.set),
    cwd: io.cwd,
  });
}

export async function runCommand(
  io: CliIO,
  runbook: string,
  flags: RunFlags & { inventory?: string; dryRun?: boolean; runbooks: string[] },
  ui?: RunUi,
): Promise<ExitCode> {
  const prepared = await prepareFromFlags(io, runbook, flags);
  knownSkips(flags, prepared);
  const decider = ui?.decider ?? deciderFor(io, flags);
  const f = forks(flags);
  if (flags.dryRun) {
    return runSession({
      io,
      prepared,
      runId: 'dry-run',
      decider,
      output: outputMode(flags),
      mode: 'dry-run',
      ssh: sshFlags(flags),
      ...uiOptions(ui),
      ...(f ? { forks: f } : {}),
    });
  }
  const home = stateHome(io.env);
  const store = Store.open(home);
  const runId = newRunId(io.clock, prepared.runbook.id);
  const file = journalPath(home, runId);
  const journal = JournalWriter.create(file, {
    runId,
    runbook: prepared.runbook.id,
    runbookPath: prepared.runbook.path,
    runbookHash: prepared.runbook.hash,
    stepHashes: prepared.runbook.stepHashes,
    stepOrder: prepared.runbook.spec.steps.map((s) => s.id),
    params: prepared.displayParams,
    sets: prepared.savedSets,
    secretParams: prepared.secretNames,
    ...(prepared.inventory?.path ? { inventoryPath: prepared.inventory.path } : {}),
    createdAt: io.clock().toISOString(),
  });
  const lock = lockRun(file, runId);
  store.saveLastParams(prepared.runbook.id, prepared.displayParams, prepared.secretNames);
  if (prepared.inventory?.path) store.rememberInventory(prepared.inventory.path);
  return runSession({
    io,
    prepared,
    runId,
    decider,
    output: outputMode(flags),
    mode: 'run',
    journal,
    store,
    ssh: sshFlags(flags),
    ...uiOptions(ui),
    ...(f ? { forks: f } : {}),
  }).finally(() => lock.release());
}

export async function checkCommand(
  io: CliIO,
  runbook: string,
  flags: {
    set: string[];
    inventory?: string;
    json?: boolean;
    runbooks: string[];
    knownHosts?: string;
  },
  ui?: Omit<RunUi, 'decider'>,
): Promise<ExitCode> {
  const prepared = await prepareFromFlags(io, runbook, flags);
  const decider = new HeadlessDecider({
    yes: false,
    allowDestructive: false,
    overrides: {},
    manualDone: [],
  });
  return runSession({
    io,
    prepared,
    runId: 'check',
    decider,
    output: outputMode(flags),
    mode: 'check',
    ssh: sshFlags(flags),
    ...(ui ? { display: ui.display, cancel: ui.cancel } : {}),
  });
}

/** Step ids added, removed or changed between the journal's runbook and the file now. */
export function diffSteps(
  before: Record<string, string>,
  after: Record<string, string>,
): RunbookChanges | null {
  const added = Object.keys(after).filter((id) => !(id in before));
  const removed = Object.keys(before).filter((id) => !(id in after));
  const changed = Object.keys(after).filter((id) => id in before && before[id] !== after[id]);
  return added.length || removed.length || changed.length ? { added, removed, changed } : null;
}

export async function resumeCommand(
  io: CliIO,
  runId: string,
  flags: RunFlags & { runbooks: string[] },
  ui?: RunUi,
): Promise<ExitCode> {
  const home = stateHome(io.env);
  const file = journalPath(home, runId);
  if (!existsSync(file)) {
    throw new OperatorError(`no run ${runId} in ${home}`, 'list the runs with `stepwise runs`');
  }
  const lock = lockRun(file, runId);
  try {
    return await resumeLocked(io, runId, file, flags, ui);
  } finally {
    lock.release();
  }
}

async function resumeLocked(
  io: CliIO,
  runId: string,
  file: string,
  flags: RunFlags & { runbooks: string[] },
  ui: RunUi | undefined,
): Promise<ExitCode> {
  const home = stateHome(io.env);
  const { header, events, tornTail } = readJournal(file, { output: false });
  const state = foldRun(header, events);
  if (state.status === 'succeeded') {
    throw new OperatorError(
      `run ${runId} already succeeded: there is nothing to resume`,
      `see what it did with \`stepwise report ${runId}\``,
    );
  }
  if (state.dryRun) {
    throw new OperatorError(`run ${runId} was a dry run`, 'start a real run with `stepwise run`');
  }
  if (tornTail)
    io.stderr(`warning: the last line of ${file} was cut off by a crash and was ignored\n`);
  if (!existsSync(header.runbookPath)) {
    throw new OperatorError(
      `the runbook of run ${runId} is gone: ${header.runbookPath}`,
      'put the runbook file back where it was to resume this run',
    );
  }
  const prepared = await prepare({
    runbook: header.runbookPath,
    runbookDirs: flags.runbooks,
    inventoryPath: header.inventoryPath,
    sets: { ...header.sets, ...parseSets(flags.set) },
    cwd: io.cwd,
  });
  knownSkips(flags, prepared);
  const changes = diffSteps(header.stepHashes, prepared.runbook.stepHashes);
  const resume: ResumeInput = {
    steps: Object.fromEntries(Object.values(state.steps).map((s) => [s.id, s.status])),
    choices: state.choices,
    captures: state.captures.filter((c) => !c.secret),
    changes,
  };
  const store = Store.open(home);
  const journal = JournalWriter.reopen(file);
  const f = forks(flags);
  return runSession({
    io,
    prepared,
    runId,
    decider: ui?.decider ?? deciderFor(io, flags),
    output: outputMode(flags),
    mode: 'run',
    journal,
    store,
    resume,
    ...uiOptions(ui),
    startedAt: state.startedAt,
    ssh: sshFlags(flags),
    ...(f ? { forks: f } : {}),
  });
}

export { EXIT };
