/**
 * Runs one command on one host for a step or a check: streams redacted output as events,
 * keeps what captures and expectations need, and turns every way of ending into a HostStatus.
 */
import { OperatorError } from '../errors.ts';
import type { Host } from '../inventory/types.ts';
import { shellQuote } from '../runbook/template.ts';
import type { Transport } from '../transports/transport.ts';
import type { HostStatus, RunEvent } from './events.ts';
import { withOutputBytes } from './output-data.ts';
import { type Redactor, StreamRedactor } from './redact.ts';

/** Output kept in memory per stream; beyond it only the tail is kept (the journal has it all). */
const KEEP_BYTES = 8 * 1024 * 1024;
const TAIL_CHARS = 2000;

/** Where a command belongs, for its events. */
export type Origin = { step: string } | { check: string };

/** What happened, with redacted output. */
export interface HostRun {
  status: HostStatus;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  stdout: string;
  stderr: string;
  /** A one-paragraph explanation when it did not succeed. */
  error?: string;
}

export interface ExecOptions {
  transport: Transport;
  host: Host;
  command: string;
  origin: Origin;
  redactor: Redactor;
  emit: (event: Omit<Extract<RunEvent, { type: 'output' }>, 'runId' | 'at'>) => void;
  timeoutMs?: number;
  sudo?: boolean;
  signal?: AbortSignal;
  /** Exit codes that count as success (default 0). */
  okExits?: number[];
}

/**
 * Keeps the last KEEP_BYTES of a stream without copying it on every chunk. Chunks are kept as
 * they came (bytes, or text once there are secrets to mask) and decoded once, when asked.
 */
class Keeper {
  #parts: (Buffer | string)[] = [];
  #size = 0;
  push(part: Buffer | string) {
    this.#parts.push(part);
    this.#size += part.length;
    while (this.#size - this.#parts[0]!.length >= KEEP_BYTES)
      this.#size -= this.#parts.shift()!.length;
  }
  get text(): string {
    const joined = this.#parts
      .map((p) => (typeof p === 'string' ? p : p.toString('utf8')))
      .join('');
    this.#parts = [joined];
    this.#size = joined.length;
    return joined.length > KEEP_BYTES ? joined.slice(-KEEP_BYTES) : joined;
  }
}

/** The command line that runs `command` as root without ever prompting (`sudo -n`). */
export function withSudo(command: string): string {
  return `sudo -n sh -c ${shellQuote(command)}`;
}

export async function execOnHost(o: ExecOptions): Promise<HostRun> {
  const line = o.sudo ? withSudo(o.command) : o.command;
  const kept = { stdout: new Keeper(), stderr: new Keeper() };
  const redactors = {
    stdout: new StreamRedactor(o.redactor),
    stderr: new StreamRedactor(o.redactor),
  };
  const deliver = (stream: 'stdout' | 'stderr', data: Buffer | string) => {
    if (data.length === 0) return;
    kept[stream].push(data);
    const fields = { ...o.origin, type: 'output' as const, host: o.host.name, stream };
    o.emit(typeof data === 'string' ? { ...fields, data } : withOutputBytes(fields, data));
  };
  const started = performance.now();
  try {
    const result = await o.transport.exec(
      {
        command: line,
        ...(o.sudo ? { sudo: true } : {}),
        ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
      },
      (stream, chunk) => deliver(stream, redactors[stream].push(chunk)),
      o.signal,
    );
    deliver('stdout', redactors.stdout.end());
    deliver('stderr', redactors.stderr.end());
    const base = {
      exitCode: result.exitCode,
      signal: result.signal,
      durationMs: result.durationMs,
      stdout: kept.stdout.text,
      stderr: kept.stderr.text,
    };
    const tail = kept.stderr.text.trimEnd().slice(-TAIL_CHARS);
    const where = `on ${o.host.name}`;
    if (result.timedOut) {
      return { ...base, status: 'timed-out', error: `timed out after ${o.timeoutMs} ms ${where}` };
    }
    if (o.signal?.aborted) return { ...base, status: 'cancelled', error: `cancelled ${where}` };
    if (result.exitCode === null) {
      return {
        ...base,
        status: 'failed',
        error: `killed by ${result.signal} ${where}\n${tail}`.trim(),
      };
    }
    if (!(o.okExits ?? [0]).includes(result.exitCode)) {
      const sudoHint =
        o.sudo && /a password is required|a terminal is required/.test(kept.stderr.text)
          ? '\nsudo needs a password on this host: allow the command with NOPASSWD in sudoers'
          : '';
      return {
        ...base,
        status: 'failed',
        error:
          `Command failed with exit code ${result.exitCode} ${where}: ${o.redactor.text(line)}\n${tail}${sudoHint}`.trim(),
      };
    }
    return { ...base, status: 'ok' };
  } catch (error) {
    const what = 'step' in o.origin ? `step ${o.origin.step}` : `check ${o.origin.check}`;
    const unfinished = {
      exitCode: null,
      signal: null,
      durationMs: Math.round(performance.now() - started),
      stdout: kept.stdout.text,
      stderr: kept.stderr.text,
    };
    if (error instanceof OperatorError) {
      // Not a lost connection but something the operator can fix (a sudo password nobody
      // could type in a headless run, a refused one): say that, with its hint.
      return {
        ...unfinished,
        status: 'failed',
        error: o.redactor.text(
          `${error.message} (${what} on ${o.host.name})${error.hint ? `\n${error.hint}` : ''}`,
        ),
      };
    }
    // A transport that throws otherwise lost its connection (or never had one); the run stays
    // resumable.
    return {
      ...unfinished,
      status: 'lost',
      // A transport's message may quote the command line, secrets and all.
      error: `connection lost to ${o.host.name} during ${what}: ${o.redactor.text((error as Error).message)}`,
    };
  }
}
