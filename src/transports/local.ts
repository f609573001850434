/**
 * Runs commands on the operator's machine, like Ansible's `ansible_connection: local`.
 * Each command gets its own process group so that cancelling it also stops its children.
 */
import { spawn } from 'node:child_process';
import type { Host } from '../inventory/types.ts';
import { localFiles } from './local-files.ts';
import type { ExecRequest, ExecResult, OutputSink, Transport } from './transport.ts';

/** How long a cancelled command gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2000;

/** Options for {@link localTransport}. */
export interface LocalTransportOptions {
  /** The environment commands start from (normally `process.env`). */
  baseEnv: NodeJS.ProcessEnv;
  /** The shell that interprets the command line. */
  shell?: string;
  /** Host-specific environment (`stepwise_env`). */
  hostEnv?: Readonly<Record<string, string>>;
}

export function localTransport(options: LocalTransportOptions): Transport {
  const running = new Set<AbortController>();
  return {
    files: localFiles,
    exec(request, sink, signal) {
      const controller = new AbortController();
      running.add(controller);
      const abort = () => controller.abort();
      signal?.addEventListener('abort', abort, { once: true });
      if (signal?.aborted) controller.abort();
      return runLocal(request, sink, controller.signal, options).finally(() => {
        running.delete(controller);
        signal?.removeEventListener('abort', abort);
      });
    },
    async close() {
      for (const c of running) c.abort();
    },
  };
}

function runLocal(
  request: ExecRequest,
  sink: OutputSink,
  signal: AbortSignal,
  options: LocalTransportOptions,
): Promise<ExecResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(options.shell ?? '/bin/sh', ['-c', request.command], {
      env: { ...options.baseEnv, ...options.hostEnv, ...request.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let timedOut = false;
    let spawnError: Error | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // The group is already gone.
      }
    };
    const stop = () => {
      killGroup('SIGTERM');
      killTimer ??= setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    };
    const timer =
      request.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            stop();
          }, request.timeoutMs);
    signal.addEventListener('abort', stop, { once: true });
    if (signal.aborted) stop();

    child.stdout.on('data', (chunk: Buffer) => sink('stdout', chunk));
    child.stderr.on('data', (chunk: Buffer) => sink('stderr', chunk));
    child.stdin.on('error', () => {
      // A command that exits without reading its stdin closes the pipe; that is not an error.
    });
    child.stdin.end(request.stdin ?? '');
    child.on('error', (error) => {
      spawnError = error;
    });
    child.on('close', (code, sig) => {
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      signal.removeEventListener('abort', stop);
      if (spawnError) sink('stderr', Buffer.from(`${spawnError.message}\n`));
      resolve({
        exitCode: spawnError ? 127 : code,
        signal: sig,
        timedOut,
        durationMs: Math.round(performance.now() - started),
      });
    });
  });
}

/** The transport for a host whose `ansible_connection` is `local`. */
export function localTransportFor(host: Host | undefined, baseEnv: NodeJS.ProcessEnv): Transport {
  return localTransport({ baseEnv, hostEnv: host?.env ?? {} });
}
