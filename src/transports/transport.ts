/**
 * The one small interface every way of running a command implements: local processes now,
 * SSH and S3 later. A transport is bound to one host and may keep a connection open across
 * the checks and steps of a run.
 */

/** What to run. `command` is a complete shell command line, already rendered and quoted. */
export interface ExecRequest {
  command: string;
  /** Extra environment variables for the command. */
  env?: Readonly<Record<string, string>>;
  /** Bytes written to the command's stdin, then closed (e.g. a sudo password). */
  stdin?: string;
  /** Kill the command after this long; the result then has `timedOut: true`. */
  timeoutMs?: number;
}

/** How a command ended. `exitCode` is null when it was killed by a signal. */
export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
}

/** Receives output as it arrives; stdout and stderr are kept apart. */
export type OutputSink = (stream: 'stdout' | 'stderr', chunk: Buffer) => void;

/** A connection to one host that runs commands. */
export interface Transport {
  /** Runs a command, streaming its output to `sink`. Aborting `signal` cancels it. */
  exec(request: ExecRequest, sink: OutputSink, signal?: AbortSignal): Promise<ExecResult>;
  /** Releases the connection. Safe to call twice. */
  close(): Promise<void>;
}

/** Makes the transport for a host; injected into the engine. */
export type TransportFactory = (host: import('../inventory/types.ts').Host) => Transport;
