/**
 * What the TUI needs from the rest of stepwise, behind one interface: runbooks, runs, the store,
 * and starting or resuming a run through the same commands and session wiring as headless runs
 * (journal as critical subscriber, store record, transports). Screens get this as a prop.
 */
import { resolve } from 'node:path';
import { checkCommand, resumeCommand, runCommand } from '../cli/commands/run.ts';
import type { CliIO } from '../cli/io.ts';
import type { RunEvent } from '../engine/events.ts';
import type { ExitCode } from '../errors.ts';
import { OperatorError } from '../errors.ts';
import { loadInventory } from '../inventory/load.ts';
import type { Inventory } from '../inventory/types.ts';
import { journalPath } from '../journal/paths.ts';
import { readJournal } from '../journal/reader.ts';
import { foldRun, type RunState } from '../journal/run-state.ts';
import { discoverRunbooks, runbookDirs } from '../runbook/discover.ts';
import { type LoadedRunbook, loadRunbook } from '../runbook/load.ts';
import { resolveParams } from '../runbook/params.ts';
import type { ParameterSpec } from '../runbook/schema.ts';
import { type ListedRun, listRuns } from '../store/list-runs.ts';
import { stateHome } from '../store/state-home.ts';
import { Store } from '../store/store.ts';
import { TuiDecider } from './decider.ts';
import { type RunbookGroup, runbookGroups } from './groups.ts';
import { RunView } from './run-view.ts';

export type { RunbookGroup } from './groups.ts';

/** A parameter in the overview's form. */
export interface ParamField {
  name: string;
  spec: ParameterSpec;
  /** Prefilled value: default < inventory < last use < `--set`; always empty for secrets. */
  value: string;
}

/** What the overview shows for a runbook. */
export interface Overview {
  runbook: LoadedRunbook;
  inventory: Inventory | undefined;
  /** Role → its hosts in the inventory. */
  roleHosts: Record<string, string[]>;
  fields: ParamField[];
}

/** A run in progress, started or resumed from the TUI. */
export interface RunHandle {
  view: RunView;
  decider: TuiDecider;
  /** Settles with the exit code, or the error that stopped the run before or while it ran. */
  done: Promise<{ code: ExitCode } | { error: OperatorError | Error }>;
  /** Cancels the running step (as Ctrl-C does headless). */
  cancel(): void;
  /** The run's id, once the engine has said it. */
  runId(): string;
  /** Runs the preflight checks again (read-only) into the same matrix. */
  recheck(): void;
}

export interface TuiBackend {
  user: string;
  groups(): Promise<RunbookGroup[]>;
  /** Unfinished runs (running or paused), newest first. */
  unfinished(): Promise<ListedRun[]>;
  recentInventories(): string[];
  overview(
    runbookId: string,
    inventoryPath: string | undefined,
    sets: Record<string, string>,
  ): Promise<Overview>;
  start(
    runbookId: string,
    inventoryPath: string | undefined,
    sets: Record<string, string>,
  ): Promise<RunHandle>;
  resume(runId: string): Promise<RunHandle>;
  /** The run as its journal tells it, for the summary. */
  state(runId: string): RunState;
  journalPath(runId: string): string;
  /** A step's full output from the journal (for the pager). */
  output(runId: string, step: string): string[];
}

/** Whether the inventory sets a parameter, for all hosts or for any one of them. */
function inventoryGives(inventory: Inventory | undefined, name: string): boolean {
  if (!inventory) return false;
  if (inventory.vars?.[name] !== undefined) return true;
  for (const host of inventory.hosts.values()) if (host.vars[name] !== undefined) return true;
  return false;
}

/** Flags of `stepwise run|resume` that hold for every run the TUI starts or resumes. */
export interface RunDefaults {
  forks?: string;
  knownHosts?: string;
  acceptNewHostKeys?: boolean;
}

/** The real backend, over the CLI's IO. Messages a command would print go to `notes`. */
export function cliBackend(
  io: CliIO,
  extraRunbookDirs: readonly string[],
  defaults: RunDefaults = {},
): TuiBackend {
  const home = stateHome(io.env);
  const dirs = () => runbookDirs(extraRunbookDirs);
  // The screen belongs to Ink: anything a command prints is kept, not written over it.
  const quiet: CliIO = { ...io, stdout: () => {}, stderr: () => {} };
  const flags = (sets: Record<string, string>) => ({
    set: Object.entries(sets).map(([k, v]) => `${k}=${v}`),
    override: [],
    skip: [],
    manualDone: [],
    runbooks: [...extraRunbookDirs],
    ...defaults,
  });

  /** A runbook by id (or path) and the inventory at a path, as the overview and a start read them. */
  async function loadFor(runbookId: string, inventoryPath: string | undefined) {
    const refs = await discoverRunbooks(dirs());
    const ref = refs.find((r) => r.id === runbookId) ?? { id: runbookId, path: runbookId };
    const runbook = await loadRunbook(resolve(io.cwd, ref.path));
    const inventory = inventoryPath
      ? await loadInventory(resolve(io.cwd, inventoryPath))
      : undefined;
    return { runbook, inventory };
  }

  function handle(
    title: string,
    steps: LoadedRunbook['spec']['steps'],
    again: { runbook: string; inventory: string | undefined; sets: Record<string, string> },
    go: (ui: {
      decider: TuiDecider;
      display: (e: RunEvent) => void;
      cancel: AbortSignal;
    }) => Promise<ExitCode>,
  ): RunHandle {
    const view = new RunView(
      title,
      steps.map((s) => ({
        id: s.id,
        title: s.title,
        risk: s.risk,
        explain: s.explain,
        ...(s.note ? { note: s.note } : {}),
      })),
    );
    const decider = new TuiDecider(io.user);
    const controller = new AbortController();
    let checking = false;
    const done = go({ decider, display: view.subscriber, cancel: controller.signal }).then(
      (code) => ({ code }),
      (error: unknown) => ({ error: error instanceof Error ? error : new Error(String(error)) }),
    );
    void done.then(() => view.flush());
    return {
      view,
      decider,
      done,
      cancel: () => controller.abort(),
      runId: () => view.getSnapshot().runId,
      recheck() {
        if (checking) return;
        checking = true;
        // Only the check events: the check-only run's start and end are not this run's.
        const display = (e: RunEvent) => {
          if (e.type.startsWith('check-') || e.type.startsWith('preflight-')) view.subscriber(e);
        };
        void checkCommand(
          quiet,
          again.runbook,
          { ...flags(again.sets), ...(again.inventory ? { inventory: again.inventory } : {}) },
          { display, cancel: controller.signal },
        )
          .catch((error: unknown) => {
            view.subscriber({
              type: 'warning',
              runId: view.getSnapshot().runId,
              at: new Date().toISOString(),
              message: `re-running the checks failed: ${(error as Error).message}`,
            });
          })
          .finally(() => {
            checking = false;
          });
      },
    };
  }

  return {
    user: io.user,
    groups: () => runbookGroups(extraRunbookDirs),
    async unfinished() {
      return listRuns(home).filter((r) => r.status === 'running' || r.status === 'paused');
    },
    recentInventories() {
      try {
        return Store.open(home).recentInventories();
      } catch {
        return [];
      }
    },
    async overview(runbookId, inventoryPath, sets) {
      const { runbook, inventory } = await loadFor(runbookId, inventoryPath);
      const roleHosts: Record<string, string[]> = {};
      for (const role of Object.keys(runbook.spec.roles)) {
        roleHosts[role] = inventory?.groups.get(role) ?? [];
      }
      const base = resolveParams(runbook.spec, inventory, {}).global;
      let last: Record<string, string> = {};
      try {
        last = Store.open(home).lastParams(runbook.id);
      } catch {
        last = {};
      }
      const fields = Object.entries(runbook.spec.parameters).map(([name, spec]) => ({
        name,
        spec,
        // The inventory describes the hosts as they are now: it wins over what was typed last
        // time (a gateway's endpoint or a backup node moves); last use fills in the rest. A
        // value set per host is not prefilled from last use either: sent back as --set, it
        // would override every host's own value.
        value: spec.secret
          ? ''
          : (sets[name] ??
            (inventoryGives(inventory, name) ? (base[name] ?? '') : undefined) ??
            last[name] ??
            base[name] ??
            ''),
      }));
      return { runbook, inventory, roleHosts, fields };
    },
    async start(runbookId, inventoryPath, values) {
      const { runbook: rb, inventory } = await loadFor(runbookId, inventoryPath);
      // Only what the operator gave: a default sent as --set would hide per-host inventory values.
      const base = resolveParams(rb.spec, inventory, {}).global;
      const sets = Object.fromEntries(
        Object.entries(values).filter(([k, v]) => v !== '' && v !== base[k]),
      );
      const again = { runbook: runbookId, inventory: inventoryPath, sets };
      return handle(rb.spec.title, rb.spec.steps, again, (ui) =>
        runCommand(
          quiet,
          runbookId,
          { ...flags(sets), ...(inventoryPath ? { inventory: inventoryPath } : {}) },
          ui,
        ),
      );
    },
    async resume(runId) {
      const file = journalPath(home, runId);
      let journal: ReturnType<typeof readJournal>;
      try {
        journal = readJournal(file, { output: false });
      } catch (error) {
        throw error instanceof OperatorError
          ? error
          : new OperatorError(`cannot read run ${runId}`, 'list the runs with `stepwise runs`');
      }
      const { header } = journal;
      const rb = await loadRunbook(header.runbookPath);
      const again = {
        runbook: header.runbookPath,
        inventory: header.inventoryPath,
        sets: header.sets,
      };
      const h = handle(rb.spec.title, rb.spec.steps, again, (ui) =>
        resumeCommand(quiet, runId, flags({}), ui),
      );
      // What was done before the resume is listed as done, in the order the runbook has it.
      const before = foldRun(header, journal.events).steps;
      h.view.seedFinished(
        rb.spec.steps.flatMap((s) => {
          const b = before[s.id];
          return b ? [b] : [];
        }),
      );
      return h;
    },
    state(runId) {
      const { header, events } = readJournal(journalPath(home, runId), { output: false });
      return foldRun(header, events);
    },
    journalPath: (runId) => journalPath(home, runId),
    output(runId, step) {
      // Read through the journal reader: output may be inline (format 1) or in output.log (2).
      const { events } = readJournal(journalPath(home, runId));
      const lines: string[] = [];
      const partial = new Map<string, string>();
      for (const e of events) {
        if (e.type !== 'output' || e.step !== step) continue;
        // Lines are whole per host and stream: chunks of two hosts interleave.
        const key = `${e.host}\u0000${e.stream}`;
        const parts = ((partial.get(key) ?? '') + e.data).split('\n');
        partial.set(key, parts.pop() ?? '');
        for (const p of parts) lines.push(`${e.host}: ${p}`);
      }
      for (const [key, rest] of partial) if (rest) lines.push(`${key.split('\u0000')[0]}: ${rest}`);
      return lines;
    },
  };
}
