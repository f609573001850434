/**
 * The TUI: home → overview → run (preflight, steps) → summary, with help on `?`. Screens get
 * their data from the {@link TuiBackend} and answer the engine through the run's decider.
 */
import { Box, Text, useInput, useWindowSize } from 'ink';
import { useCallback, useEffect, useState } from 'react';
import { OperatorError } from '../errors.ts';
import type { ListedRun } from '../store/list-runs.ts';
import type { Overview, RunbookGroup, RunHandle, TuiBackend } from './backend.ts';
import { Help } from './components/help.tsx';
import { Home, type HomeChoice } from './screens/home.tsx';
import { OverviewScreen } from './screens/overview.tsx';
import { Pager } from './screens/pager.tsx';
import { RunScreen } from './screens/run.tsx';
import { Summary } from './screens/summary.tsx';
import { NoColor } from './theme.ts';

/** Where the TUI opens. */
export type TuiStart =
  | {
      kind: 'home' /** Offered for every runbook opened from home ($STEPWISE_INVENTORY). */;
      inventory?: string;
    }
  | { kind: 'overview'; runbook: string; inventory?: string; sets: Record<string, string> }
  | { kind: 'resume'; runId: string };

type Screen =
  | { kind: 'home'; error?: string }
  | {
      kind: 'overview';
      runbook: string;
      inventory: string;
      sets: Record<string, string>;
      overview: Overview | null;
      error?: string;
      /** Bumped to rebuild the form from a freshly loaded overview. */
      gen: number;
    }
  | { kind: 'run'; handle: RunHandle }
  | { kind: 'summary'; runId: string; error?: string };

export interface AppProps {
  backend: TuiBackend;
  start: TuiStart;
  /** The home screen's runbooks when known before the first frame, so it shows them at once. */
  initialGroups?: RunbookGroup[];
  noColor: boolean;
  /** Leaves the TUI; `message` is printed after the screen is released. */
  onExit: (code: number, message?: string) => void;
}

/** `message (hint)` of an error, for one line on screen. */
export function describe(error: unknown): string {
  if (error instanceof OperatorError) return `${error.message}. ${error.hint}`;
  return error instanceof Error ? error.message : String(error);
}

export function App(p: AppProps) {
  const { columns, rows } = useWindowSize();
  const width = Math.max(40, columns || 80);
  const height = Math.max(10, rows || 24);
  const [screen, setScreen] = useState<Screen>(() =>
    p.start.kind === 'overview'
      ? {
          kind: 'overview',
          runbook: p.start.runbook,
          inventory: p.start.inventory ?? '',
          sets: p.start.sets,
          overview: null,
          gen: 0,
        }
      : { kind: 'home' },
  );
  const [help, setHelp] = useState(false);
  const [pager, setPager] = useState<{ title: string; lines: string[] } | null>(null);
  const [groups, setGroups] = useState<RunbookGroup[] | null>(p.initialGroups ?? null);
  const [titles, setTitles] = useState<Record<string, string>>({});
  const [unfinished, setUnfinished] = useState<ListedRun[]>([]);
  const [homeGen, setHomeGen] = useState(0);
  const { backend } = p;

  // Home data loads after the first frame, so the frame is not kept waiting on disk reads.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when home is entered again
  useEffect(() => {
    if (screen.kind !== 'home') return;
    let live = true;
    backend.unfinished().then(
      (runs) => live && setUnfinished(runs),
      (error: unknown) => live && setScreen({ kind: 'home', error: describe(error) }),
    );
    backend.groups().then(
      async (g) => {
        if (!live) return;
        setGroups(g);
        const t: Record<string, string> = {};
        for (const r of g.flatMap((x) => x.runbooks)) {
          try {
            t[r.id] = (await backend.overview(r.id, undefined, {})).runbook.spec.title;
          } catch {
            t[r.id] = '(does not load: see stepwise validate)';
          }
        }
        if (live) setTitles(t);
      },
      (error: unknown) => live && setScreen({ kind: 'home', error: describe(error) }),
    );
    return () => {
      live = false;
    };
  }, [homeGen]);

  const loadOverview = useCallback(
    (runbook: string, inventory: string, sets: Record<string, string>) => {
      setScreen((s) => ({
        kind: 'overview',
        runbook,
        inventory,
        sets,
        overview: null,
        gen: (s.kind === 'overview' ? s.gen : 0) + 1,
      }));
      backend.overview(runbook, inventory || undefined, sets).then(
        (overview) =>
          setScreen((s) =>
            s.kind === 'overview' && s.runbook === runbook ? { ...s, overview, gen: s.gen + 1 } : s,
          ),
        (error: unknown) =>
          setScreen((s) =>
            s.kind === 'overview' && s.runbook === runbook
              ? { ...s, error: describe(error), gen: s.gen + 1 }
              : s,
          ),
      );
    },
    [backend],
  );

  const follow = useCallback(
    (handle: RunHandle, back: () => void) => {
      let quitting = false;
      setScreen({ kind: 'run', handle });
      void handle.done.then((result) => {
        handle.view.dispose();
        const runId = handle.runId();
        if (!runId) {
          // Stopped before it began (a missing value, a bad inventory): back to where it was started.
          if ('error' in result) back();
          return;
        }
        if (quitting) {
          p.onExit(0, `Run ${runId} is saved. Resume it with: stepwise resume ${runId}\n`);
          return;
        }
        setScreen({
          kind: 'summary',
          runId,
          ...('error' in result ? { error: describe(result.error) } : {}),
        });
      });
      return () => {
        quitting = true;
      };
    },
    [p.onExit],
  );
  const [markQuit, setMarkQuit] = useState<() => void>(() => () => {});

  const startRun = (runbook: string, inventory: string, values: Record<string, string>) => {
    backend.start(runbook, inventory || undefined, values).then(
      (handle) => {
        const back = () => {
          handle.done.then((r) => {
            if ('error' in r) {
              setScreen({
                kind: 'overview',
                runbook,
                inventory,
                sets: values,
                overview: null,
                gen: 0,
              });
              backend.overview(runbook, inventory || undefined, values).then(
                (overview) =>
                  setScreen((s) =>
                    s.kind === 'overview'
                      ? { ...s, overview, error: describe(r.error), gen: s.gen + 1 }
                      : s,
                  ),
                () =>
                  setScreen((s) =>
                    s.kind === 'overview' ? { ...s, error: describe(r.error) } : s,
                  ),
              );
            }
          });
        };
        const q = follow(handle, back);
        setMarkQuit(() => q);
      },
      (error: unknown) =>
        setScreen((s) => (s.kind === 'overview' ? { ...s, error: describe(error) } : s)),
    );
  };

  const resume = (runId: string) => {
    backend.resume(runId).then(
      (handle) => {
        const q = follow(handle, () => {
          handle.done.then(
            (r) => 'error' in r && setScreen({ kind: 'home', error: describe(r.error) }),
          );
        });
        setMarkQuit(() => q);
      },
      (error: unknown) => setScreen({ kind: 'home', error: describe(error) }),
    );
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: once, for where the TUI opens
  useEffect(() => {
    if (p.start.kind === 'overview')
      loadOverview(p.start.runbook, p.start.inventory ?? '', p.start.sets);
    if (p.start.kind === 'resume') resume(p.start.runId);
  }, []);

  // Always listening, so raw mode stays on while screens come and go (no echo between them).
  useInput((input, key) => {
    if (help) {
      setHelp(false);
      return;
    }
    if (screen.kind === 'overview' || screen.kind === 'run') return;
    if (input === '?') setHelp(true);
    else if (key.ctrl && input === 'c') p.onExit(130);
  });

  let body: React.ReactNode;
  if (help) body = <Help />;
  else if (screen.kind === 'home') {
    body = (
      <Home
        groups={groups}
        titles={titles}
        unfinished={unfinished}
        width={width}
        height={height}
        {...(screen.error ? { error: screen.error } : {})}
        onQuit={() => p.onExit(0)}
        onPick={(c: HomeChoice) =>
          c.kind === 'resume'
            ? resume(c.runId)
            : loadOverview(
                c.id,
                (p.start.kind === 'home' ? p.start.inventory : undefined) ??
                  backend.recentInventories()[0] ??
                  '',
                {},
              )
        }
      />
    );
  } else if (screen.kind === 'overview') {
    body = (
      <OverviewScreen
        key={`${screen.runbook}:${screen.gen}`}
        overview={screen.overview}
        runbookId={screen.runbook}
        inventory={screen.inventory}
        recent={backend.recentInventories()}
        width={width}
        height={height}
        {...(screen.error ? { error: screen.error } : {})}
        onInventory={(inv, values) => loadOverview(screen.runbook, inv, values)}
        onStart={(inv, values) => startRun(screen.runbook, inv, values)}
        onBack={() => {
          setScreen({ kind: 'home' });
          setHomeGen((g) => g + 1);
        }}
      />
    );
  } else if (screen.kind === 'summary') {
    let loaded: ReturnType<TuiBackend['state']> | null = null;
    let error = screen.error;
    try {
      loaded = backend.state(screen.runId);
    } catch (e) {
      error = describe(e);
    }
    const state = loaded;
    body = state ? (
      <Summary
        state={state}
        journal={backend.journalPath(screen.runId)}
        {...(error ? { error } : {})}
        width={width}
        onQuit={() =>
          // The UI has its own screen (like less or k9s): what to do next stays in the terminal.
          p.onExit(
            state.status === 'succeeded' || state.status === 'paused' ? 0 : 1,
            `Run ${screen.runId} ${state.status}. Journal: ${backend.journalPath(screen.runId)}\nReport: stepwise report ${screen.runId}${state.status === 'succeeded' ? '' : `\nResume: stepwise resume ${screen.runId}`}\n`,
          )
        }
        onHome={() => {
          setScreen({ kind: 'home' });
          setHomeGen((g) => g + 1);
        }}
      />
    ) : (
      <Text color="red">{error}</Text>
    );
  }

  return (
    <NoColor.Provider value={p.noColor}>
      <Box flexDirection="column">
        {screen.kind === 'run' ? (
          <RunScreen
            handle={screen.handle}
            width={width}
            height={height}
            active={!help && !pager}
            onHelp={() => setHelp(true)}
            onQuit={markQuit}
            onOpenOutput={(step) => {
              const runId = screen.handle.runId();
              let lines: string[];
              try {
                lines = backend.output(runId, step);
              } catch (e) {
                lines = [describe(e)];
              }
              setPager({ title: `Output of ${step}`, lines });
            }}
            overlay={
              help ? (
                <Help />
              ) : pager ? (
                <Pager
                  title={pager.title}
                  lines={pager.lines}
                  width={width}
                  height={height}
                  onClose={() => setPager(null)}
                />
              ) : null
            }
          />
        ) : (
          body
        )}
      </Box>
    </NoColor.Provider>
  );
}
