/**
 * A run in progress: the preflight matrix, then each step with its exact commands per host, its
 * live output tails and the question the engine is waiting on. Finished steps go into Ink's
 * `<Static>` region, printed once and never re-rendered.
 */
import { Box, Static, Text, useInput } from 'ink';
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { Preview } from '../../engine/decisions.ts';
import { groupPreviews } from '../../render/previews.ts';
import type { RunHandle } from '../backend.ts';
import { Decision } from '../components/decision.tsx';
import { Footer, type KeyHint } from '../components/footer.tsx';
import { HostRuns } from '../components/host-runs.tsx';
import { matrixHosts, PreflightMatrix } from '../components/preflight-matrix.tsx';
import { ProgressBar } from '../components/progress-bar.tsx';
import type { StepView } from '../run-view.ts';
import { clip, formatDuration, RISK_TONE, statusMark, useTone } from '../theme.ts';

export interface RunScreenProps {
  handle: RunHandle;
  width: number;
  height: number;
  /** Whether the screen owns the keyboard (false while help is open). */
  active: boolean;
  onOpenOutput: (step: string) => void;
  /** The operator quit: the run is being paused. */
  onQuit: () => void;
  onHelp: () => void;
  /** Shown instead of the live part (help, the output pager); finished steps stay above. */
  overlay?: React.ReactNode;
}

export function RunScreen(p: RunScreenProps) {
  const tone = useTone();
  const { view, decider } = p.handle;
  const snap = useSyncExternalStore(view.subscribe, view.getSnapshot);
  const pending = useSyncExternalStore(decider.subscribe, decider.getSnapshot);
  // The preflight stays on screen until the operator has seen it (Enter), or comes back with `p`.
  const [showPreflight, setShowPreflight] = useState(true);
  const [cell, setCell] = useState({ row: 0, col: 0 });
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const [typing, setTyping] = useState(false);
  const [focusHost, setFocusHost] = useState(0);

  // Durations of running hosts tick once a second; output is redrawn by the view's own timer.
  useEffect(() => {
    if (!snap.busy) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [snap.busy]);

  const override = pending?.request.kind === 'override' ? pending.request : null;
  const preflightDone = snap.preflight.status !== null && snap.preflight.status !== 'running';
  // A step that runs without asking (read-only) takes the screen from the preflight by itself.
  if (showPreflight && preflightDone && snap.busy && snap.current !== null && !pending) {
    setShowPreflight(false);
  }
  const matrixOn = override !== null || showPreflight;
  // Questions from connecting (host keys, passphrases, sudo) come before or during the
  // preflight, when Enter cannot move on yet: they are shown at once, over the matrix.
  const asksNow =
    pending !== null &&
    pending !== undefined &&
    (!preflightDone || FIRST_QUESTIONS.has(pending.request.kind));
  const rows = snap.preflight.rows;
  const hosts = matrixHosts(rows);

  // An override opens on the failing check's first failing host (set while rendering, once per
  // question, so the first frame of the question already shows its evidence).
  const [overrideSeen, setOverrideSeen] = useState<object | null>(null);
  if (override && overrideSeen !== override) {
    setOverrideSeen(override);
    const ri = rows.findIndex((r) => r.check === override.check);
    const failing = override.results[0]?.host;
    setCell({ row: Math.max(0, ri), col: Math.max(0, failing ? hosts.indexOf(failing) : 0) });
  }

  useInput(
    (input, key) => {
      if (confirmCancel) {
        if (input === 'y') {
          setConfirmCancel(false);
          p.handle.cancel();
        } else if (input === 'n' || key.escape) setConfirmCancel(false);
        return;
      }
      if (input === '?' && !typing) return p.onHelp();
      if (key.ctrl && input === 'c') {
        if (snap.busy) return setConfirmCancel(true);
        if (pending) {
          pending.answer({ action: 'quit' });
          return p.onQuit();
        }
        return setConfirmCancel(true);
      }
      if (matrixOn && !asksNow) {
        if (key.upArrow || (input === 'k' && !override))
          setCell((c) => ({ ...c, row: Math.max(0, c.row - 1) }));
        if (key.downArrow || (input === 'j' && !override))
          setCell((c) => ({ ...c, row: Math.min(rows.length - 1, c.row + 1) }));
        if (key.leftArrow || input === 'h') setCell((c) => ({ ...c, col: Math.max(0, c.col - 1) }));
        if (key.rightArrow || input === 'l')
          setCell((c) => ({ ...c, col: Math.min(hosts.length - 1, c.col + 1) }));
        if (input === 'r' && preflightDone && !pending?.request.kind.startsWith('o'))
          p.handle.recheck();
        if (!override && preflightDone && (key.return || key.escape)) setShowPreflight(false);
        if (!override && pending && input === 'q') {
          pending.answer({ action: 'quit' });
          return p.onQuit();
        }
      } else if (input === 'p' && !typing) setShowPreflight(true);
      else if (key.tab) setFocusHost((h) => h + 1);
    },
    { isActive: p.active },
  );

  const current = snap.steps.find((s) => s.id === snap.current) ?? null;
  const questionStep = pending && 'step' in pending.request ? pending.request.step : undefined;
  const step =
    (questionStep ? snap.steps.find((s) => s.id === questionStep) : undefined) ?? current;

  const keys: KeyHint[] = [];
  if (confirmCancel) keys.push(['y', 'cancel the running step'], ['n', 'keep it running']);
  else if (matrixOn && !override) {
    keys.push(['↑↓←→', 'cell evidence']);
    if (preflightDone) keys.push(['r', 're-run checks'], ['Enter', 'continue']);
  } else if (!matrixOn) keys.push(['p', 'preflight']);
  keys.push(['?', 'help'], ['^C', snap.busy ? 'cancel step' : 'quit']);

  // The live part must fit the screen (else Ink redraws it all): commands first, tails get the rest.
  const running = step?.runs ?? [];
  const planned = pending && 'commands' in pending.request ? pending.request.commands : [];
  const commands = step && step.commands.length > 0 ? step.commands : planned;
  const previews =
    pending && 'previews' in pending.request ? (pending.request.previews ?? null) : null;
  // A preview (a diff) gets up to half the screen; the rest of it stays a keypress away.
  const previewLines = Math.max(3, Math.floor(p.height / 2) - 6);
  const fixed =
    9 +
    (step?.note ? 1 : 0) +
    (pending ? 6 : 0) +
    (step?.verify.length ?? 0) +
    (snap.waiting ? 1 : 0) +
    (previews ? previewRows(previews, previewLines) : 0);
  const cmdBudget = Math.max(commands.length, p.height - fixed - running.length * 2);
  const cmdRows = Math.min(cmdBudget, commandRows(commands, p.width));
  const tailLines = Math.max(
    0,
    Math.min(8, Math.floor((p.height - fixed - cmdRows) / Math.max(1, running.length)) - 1),
  );

  return (
    <Box flexDirection="column">
      <Static items={snap.finished}>
        {(f) => {
          const m = statusMark(f.status);
          return (
            <Text key={f.key} wrap="truncate-end">
              <Text color={tone(m.tone)}>{m.glyph}</Text> {f.title}{' '}
              <Text color={tone('dim')}>
                {f.status} {formatDuration(f.durationMs)}
              </Text>
              {f.confirmedBy ? (
                <Text color={tone('dim')}> · confirmed by {f.confirmedBy}</Text>
              ) : null}
              {f.reason ? <Text color={tone('warn')}> · {f.reason}</Text> : null}
            </Text>
          );
        }}
      </Static>
      <Text bold wrap="truncate-end">
        {snap.title}{' '}
        <Text color={tone('dim')}>
          {snap.runId}
          {snap.resumed ? ' (resumed)' : ''}
        </Text>
      </Text>
      {p.overlay ? (
        p.overlay
      ) : matrixOn ? (
        <Box flexDirection="column">
          <Text bold>
            Preflight{' '}
            {snap.preflight.status === 'running' || snap.preflight.status === null ? (
              <Text color={tone('accent')}>running</Text>
            ) : (
              <Text color={tone(statusMark(snap.preflight.status).tone)}>
                {snap.preflight.status}
              </Text>
            )}
          </Text>
          <PreflightMatrix
            rows={rows}
            row={cell.row}
            col={cell.col}
            width={p.width}
            evidenceLines={Math.max(2, p.height - rows.length - 16)}
          />
        </Box>
      ) : step ? (
        <StepPanel
          step={step}
          commands={commands}
          cmdBudget={cmdBudget}
          focusHost={focusHost}
          width={p.width}
          tailLines={tailLines}
          now={now}
        />
      ) : null}
      {snap.waiting && !p.overlay ? (
        <Text color={tone('accent')} wrap="truncate-end">
          … {snap.waiting}
        </Text>
      ) : null}
      {p.overlay
        ? null
        : snap.progress
            .filter((x) => !x.done || snap.busy)
            .slice(-3)
            .map((x) => <ProgressBar key={`${x.host}:${x.label}`} p={x} width={p.width} />)}
      {pending && !p.overlay && (!matrixOn || override || asksNow) ? (
        <Decision
          key={decisionKey(pending.request)}
          pending={pending}
          width={p.width}
          previewLines={previewLines}
          onOpenOutput={p.onOpenOutput}
          onQuit={p.onQuit}
          onTyping={setTyping}
          active={p.active && !confirmCancel}
        />
      ) : null}
      {pending && matrixOn && !override && !asksNow ? (
        <Text color={tone('accent')}>A step is waiting: press Enter to go on.</Text>
      ) : null}
      {confirmCancel ? (
        <Text color={tone('warn')} bold>
          Cancel the running step? Its hosts get SIGTERM; the run can be resumed. (y/n)
        </Text>
      ) : null}
      {p.overlay ? null : <Footer keys={keys} />}
    </Box>
  );
}

/** Questions the connection asks, before any step: never behind "press Enter to go on". */
const FIRST_QUESTIONS = new Set(['host-keys', 'passphrase', 'sudo-password', 'secret']);

const decisionIds = new WeakMap<object, number>();
let nextDecisionId = 0;
/** A fresh decision panel (and its typed text) for every new question. */
function decisionKey(r: object): string {
  let id = decisionIds.get(r);
  if (id === undefined) {
    id = nextDecisionId++;
    decisionIds.set(r, id);
  }
  return String(id);
}

/** Screen rows the previews take: a title per group of hosts, then at most `lines` lines. */
function previewRows(previews: readonly Preview[], lines: number): number {
  const groups = groupPreviews(previews);
  const body = groups.reduce(
    (n, g) => n + (g.text.trim() === '' ? 0 : g.text.split('\n').length),
    0,
  );
  return 2 + groups.length + Math.min(lines, body);
}

/** Screen rows the commands take when shown in full. */
function commandRows(
  commands: readonly { host: string; command: string }[],
  width: number,
): number {
  return commands.reduce(
    // Word wrap leaves lines short: count with a margin rather than overflow the frame.
    (n, c) => n + Math.ceil((c.host.length + 4 + c.command.length) / Math.max(10, width - 12)),
    0,
  );
}

function StepPanel(p: {
  step: StepView;
  /** The exact commands per host (as started, or as the confirmation shows them). */
  commands: readonly { host: string; command: string }[];
  /** Rows the commands may take; beyond that only the focused host's is shown in full. */
  cmdBudget: number;
  focusHost: number;
  width: number;
  tailLines: number;
  now: number;
}) {
  const tone = useTone();
  const s = p.step;
  const explain = clip(s.explain.replace(/\s+/g, ' '), p.width * 2 - 4);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>{s.title}</Text> <Text color={tone(RISK_TONE[s.risk])}>[{s.risk}]</Text>
        {s.attempt > 1 ? <Text color={tone('dim')}> attempt {s.attempt}</Text> : null}
      </Text>
      <Text wrap="wrap">{explain}</Text>
      {s.note ? (
        <Text color={tone('warn')} wrap="truncate-end">
          Note: {s.note.replace(/\s+/g, ' ')}
        </Text>
      ) : null}
      {p.commands.map((c, i) => {
        const full =
          commandRows(p.commands, p.width) <= p.cmdBudget || i === p.focusHost % p.commands.length;
        return (
          <Text key={c.host} wrap={full ? 'wrap' : 'truncate-end'}>
            <Text color={tone('accent')}>$ {c.host}:</Text> {c.command}
          </Text>
        );
      })}
      {commandRows(p.commands, p.width) > p.cmdBudget ? (
        <Text color={tone('dim')}>Tab shows another host's command in full.</Text>
      ) : null}
      <HostRuns runs={s.runs} width={p.width} tailLines={p.tailLines} now={p.now} />
      {s.verify.map((v) => (
        <Text key={`${v.host}:${v.index}`} wrap="truncate-end">
          <Text color={tone(statusMark(v.status).tone)}>{statusMark(v.status).glyph}</Text> verify{' '}
          {v.host}: {v.message}
        </Text>
      ))}
    </Box>
  );
}
