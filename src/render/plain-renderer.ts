/**
 * The plain renderer for headless runs and terminals without the TUI (`--plain`, CI logs).
 * One formatter per event type, in an exhaustive map: a new event type without a formatter
 * does not compile.
 */
import type { EventOf, EventType, RunEvent } from '../engine/events.ts';
import { outputBytes } from '../engine/output-data.ts';
import { prefixLines } from './byte-loops.ts';
import { formatBytes } from './units.ts';

const mark = { pass: '✓', warn: '!', fail: '✗', waiting: '…' } as const;

/** What the renderer remembers between events. */
interface State {
  /** Step ids in runbook order, for "step 3/7". */
  order: string[];
  /** Hosts per running step, to prefix output only when there are several. */
  hosts: Map<string, string[]>;
  /** Partial output lines per host and stream, so prefixes land at line starts. */
  partial: Map<string, Buffer>;
  /** Set by run-started: a dry run has no journal to resume or report. */
  dryRun: boolean;
  /** The step whose header was printed last. */
  headed: string | undefined;
  /** The last step a dry run printed a header for. */
  planned: string | undefined;
}

type Formatter<T extends EventType> = (e: EventOf<T>, s: State) => string | undefined;

/** A step's header, once, for events that come before its step-started (choose, questions). */
function header(step: string, s: State): string {
  if (s.headed === step) return '';
  s.headed = step;
  return `\nStep ${s.order.indexOf(step) + 1}/${s.order.length} ${step}\n`;
}

/** Output held back waiting for a newline is shown anyway once it is this long. */
const LONG_LINE = 64 * 1024;

/**
 * What each line of a host's output starts with (`!` marks stderr), or null for none: the
 * stdout of a step on one host goes out as it is, under the `$ host: command` line that names
 * the host. Besides reading like the command's own output, that spares a chatty step the bulk of
 * plain mode's work and bytes (a 12-byte prefix on `seq`'s 8-byte lines).
 */
function outputPrefix(
  host: string,
  stream: 'stdout' | 'stderr',
  step: string | undefined,
  s: State,
): Buffer | null {
  if (stream === 'stdout' && step !== undefined && s.hosts.get(step)?.length === 1) return null;
  return Buffer.from(`    ${host}${stream === 'stderr' ? '!' : ' '}| `);
}

const NEWLINE = Buffer.from('\n');

const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

const formatters: { [T in EventType]: Formatter<T> } = {
  'run-started': (e, s) => {
    s.dryRun = e.dryRun;
    return `stepwise · ${e.runbook} · ${e.title}${e.dryRun ? ' · DRY RUN: nothing will be changed' : ''}${e.dryRun ? '' : `\nrun ${e.runId}`}\n`;
  },
  'run-resumed': (e) => {
    const c = e.changed;
    const lines = [`resuming run ${e.runId}`];
    if (c) {
      lines.push('  the runbook changed since this run started:');
      if (c.added.length) lines.push(`    added steps:   ${c.added.join(', ')}`);
      if (c.removed.length) lines.push(`    removed steps: ${c.removed.join(', ')}`);
      if (c.changed.length) lines.push(`    changed steps: ${c.changed.join(', ')}`);
    }
    return `${lines.join('\n')}\n`;
  },
  'preflight-started': (e) => (e.checks.length ? 'Preflight checks' : undefined),
  'preflight-finished': (e) =>
    `Preflight: ${e.status}${e.status === 'fail' ? ' (a failing check that gates a step is checked again right before that step)' : ''}\n`,
  'check-started': (e) => (e.gateFor ? `Gate for ${e.gateFor}: ${e.title}` : undefined),
  'check-result': (e) => {
    const ev = e.evidence;
    const detail =
      e.status === 'pass' || (ev.expected === undefined && ev.found === undefined)
        ? ''
        : `\n      expected: ${ev.expected ?? '-'}\n      found:    ${ev.found ?? '-'}`;
    return `  ${mark[e.status]} ${e.check} · ${e.host}: ${e.message}${detail}`;
  },
  waiting: (e) => {
    const what = e.check ?? `${e.step}${e.host ? ` · ${e.host}` : ''}`;
    const lines = e.message.split('\n');
    return `  … ${what}: not yet (attempt ${e.attempt}, ${secs(e.elapsedMs)} of ${secs(e.timeoutMs)}), trying again\n${lines.map((l) => `      ${l}`).join('\n')}`;
  },
  'check-overridden': (e) =>
    `  overridden: ${e.check}${e.step ? ` for ${e.step}` : ''} by ${e.by}: ${e.reason}`,
  'step-started': (e, s) => {
    s.hosts.set(e.step, e.hosts);
    if (e.attempt === 0) return `Step ${e.step}: verifying after an interruption`;
    // A step whose header was already shown (its choose list, its question) is not shown twice.
    if (s.headed === e.step && e.attempt <= 1) return undefined;
    s.headed = e.step;
    const n = s.order.indexOf(e.step) + 1;
    const again = e.attempt > 1 ? ` (attempt ${e.attempt})` : '';
    return `\nStep ${n}/${s.order.length} ${e.step}: ${e.title} [${e.risk}] on ${e.hosts.join(', ')}${again}`;
  },
  'step-planned': (e, s) => {
    const line = `  ${e.phase === 'run' ? '$' : e.phase} ${e.host}: ${e.command}`;
    if (s.planned === e.step) return line;
    s.planned = e.step;
    return `\nStep ${s.order.indexOf(e.step) + 1}/${s.order.length} ${e.step}\n${line}`;
  },
  'host-started': (e, s) =>
    `${header(e.step, s)}  ${e.phase === 'run' ? '$' : e.phase} ${e.host}: ${e.command}`,
  // Written as bytes by renderOutput.
  output: () => undefined,
  'host-finished': (e, s) => {
    // A last line without a newline is shown when its command ends (whatever the phase: left
    // over, it would be glued to the host's next output, a later step's first line).
    let tail = '';
    for (const stream of ['stdout', 'stderr'] as const) {
      const key = `${e.host}\u0000${stream}`;
      const rest = s.partial.get(key);
      if (rest?.length) {
        const prefix = outputPrefix(e.host, stream, e.step, s);
        tail += prefix ? prefixLines(rest, prefix, '\n').toString('utf8') : `${rest}\n`;
      }
      s.partial.delete(key);
    }
    // A passing verification is reported by its verify-result line.
    if (e.phase === 'verify' && e.status === 'ok') return tail ? tail.trimEnd() : undefined;
    const how =
      e.status === 'ok'
        ? `✓ exit 0`
        : `✗ ${e.status}${e.exitCode === null ? '' : ` (exit ${e.exitCode})`}`;
    return `${tail}  ${e.host} ${how} · ${secs(e.durationMs)}${e.error && e.status !== 'ok' ? `\n    ${e.error.replaceAll('\n', '\n    ')}` : ''}`;
  },
  capture: (e) => `  captured ${e.name} on ${e.host}: ${e.value}`,
  choice: (e) => `  chose ${e.var} = ${e.value}`,
  'verify-result': (e) => `  verify ${e.host} ${e.status === 'pass' ? '✓' : '✗'} ${e.message}`,
  'decision-requested': (e, s) => (e.step ? header(e.step, s).trimEnd() || undefined : undefined),
  decision: (e) =>
    e.kind === 'choose' && e.by === '--set'
      ? undefined
      : `  ${e.kind}: ${e.answer} (by ${e.by})${e.reason ? `: ${e.reason}` : ''}`,
  'step-finished': (e) => {
    const who = e.confirmedBy ? `, confirmed by ${e.confirmedBy}` : '';
    const why = e.reason ? `: ${e.reason}` : '';
    return `  → ${e.step} ${e.status} (${secs(e.durationMs)}${who})${why}`;
  },
  progress: (e) => {
    const pct = e.total ? ` (${Math.floor((100 * e.bytes) / Math.max(e.total, 1))}%)` : '';
    const rate = e.rate ? ` · ${formatBytes(e.rate)}/s` : '';
    const total = e.total === undefined ? '' : ` of ${formatBytes(e.total)}`;
    return `  ${e.host} ${e.done ? 'done' : '…'} ${e.label}: ${formatBytes(e.bytes)}${total}${pct}${rate}`;
  },
  warning: (e) => `  warning: ${e.message}`,
  'run-paused': (e) =>
    `\nPaused${e.step ? ` at ${e.step}` : ''}. Resume with: stepwise resume ${e.runId}`,
  'run-finished': (e, s) =>
    s.dryRun
      ? `\nDry run ${e.status === 'succeeded' ? 'finished: nothing was changed' : e.status}${e.error ? `: ${e.error}` : ''}`
      : `\nRun ${e.status}${e.error ? `: ${e.error}` : ''}\n${e.status === 'succeeded' ? '' : `Resume with: stepwise resume ${e.runId}\n`}Report: stepwise report ${e.runId}`,
};

/**
 * A command's output, as complete lines with the host's prefix (if any); a partial last line
 * waits for its newline (or for its command to end) unless it grows past LONG_LINE. Returns the
 * pieces to write in order: unprefixed output goes out as it came, not copied into one buffer.
 */
function renderOutput(e: EventOf<'output'>, s: State): Uint8Array[] {
  // Probe output is evidence for the journal; the verdict line says what matters.
  if (e.check !== undefined) return [];
  const key = `${e.host}\u0000${e.stream}`;
  const before = s.partial.get(key);
  const data = outputBytes(e);
  const cut = data.lastIndexOf(0x0a);
  const held = before?.length ?? 0;
  if (cut < 0 && held + data.length <= LONG_LINE) {
    s.partial.set(key, held ? Buffer.concat([before!, data]) : Buffer.from(data));
    return [];
  }
  // A line longer than LONG_LINE is shown in pieces rather than kept whole until its newline.
  const shown = cut < 0 ? data : data.subarray(0, cut + 1);
  // A copy of the few bytes after the last newline, so the chunk's buffer is not kept for them.
  s.partial.set(key, cut < 0 ? Buffer.alloc(0) : Buffer.from(data.subarray(cut + 1)));
  const prefix = outputPrefix(e.host, e.stream, e.step, s);
  if (prefix) {
    const lines = held ? Buffer.concat([before!, shown]) : shown;
    return [prefixLines(cut < 0 ? lines : lines.subarray(0, -1), prefix, '\n')];
  }
  const pieces: Uint8Array[] = held ? [before!, shown] : [shown];
  if (cut < 0) pieces.push(NEWLINE);
  return pieces;
}

/** Returns a subscriber that writes readable progress with `write`. */
export function plainRenderer(
  stepOrder: string[],
  write: (text: string | Uint8Array) => void,
): (event: RunEvent) => void {
  const state: State = {
    order: stepOrder,
    hosts: new Map(),
    partial: new Map(),
    dryRun: false,
    headed: undefined,
    planned: undefined,
  };
  return (event) => {
    if (event.type === 'output') {
      for (const piece of renderOutput(event, state)) write(piece);
      return;
    }
    const format = formatters[event.type] as Formatter<EventType>;
    const text = format(event as EventOf<EventType>, state);
    if (text !== undefined) write(`${text}\n`);
  };
}
