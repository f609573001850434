/**
 * The TUI's backend, loaded after its first frame. The real one ({@link cliBackend}) pulls in
 * the engine, the transports, the runbook and journal readers and the store (zod, yaml, conf,
 * ajv): about a third of the time to the home screen's first frame, for data the frame does not
 * need. The home screen's runbook list is only a directory listing, done here directly.
 */
import type { CliIO } from '../cli/io.ts';
import type { RunDefaults, TuiBackend } from './backend.ts';
import { runbookGroups } from './groups.ts';

/** A {@link TuiBackend} that loads the real one on first use; `load()` starts that early. */
export interface LazyBackend extends TuiBackend {
  load(): Promise<TuiBackend>;
}

export function lazyCliBackend(
  io: CliIO,
  extraRunbookDirs: readonly string[],
  defaults: RunDefaults = {},
): LazyBackend {
  let loading: Promise<TuiBackend> | undefined;
  let real: TuiBackend | undefined;
  const load = () => {
    loading ??= import('./backend.ts').then((m) => {
      real = m.cliBackend(io, extraRunbookDirs, defaults);
      return real;
    });
    return loading;
  };
  // Only a run's screens use these, and a run is started or resumed through the loaded backend.
  const loaded = (what: string) => {
    if (!real) throw new Error(`stepwise: ${what} was asked before the TUI finished loading`);
    return real;
  };
  return {
    user: io.user,
    load,
    groups: () => runbookGroups(extraRunbookDirs),
    unfinished: async () => (await load()).unfinished(),
    // Suggestions only: none until loaded, which is long before a person can pick a runbook.
    recentInventories: () => real?.recentInventories() ?? [],
    overview: async (runbookId, inventoryPath, sets) =>
      (await load()).overview(runbookId, inventoryPath, sets),
    start: async (runbookId, inventoryPath, sets) =>
      (await load()).start(runbookId, inventoryPath, sets),
    resume: async (runId) => (await load()).resume(runId),
    state: (runId) => loaded('the run state').state(runId),
    journalPath: (runId) => loaded('the journal path').journalPath(runId),
    output: (runId, step) => loaded('the output').output(runId, step),
  };
}
