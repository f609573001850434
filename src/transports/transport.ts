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
  /**
   * `command` is a step's `sudo -n …` line (from withSudo): a transport whose host's sudo wants
   * a password may run it with the password on stdin instead. A command that merely starts with
   * `sudo -n` (a check probing sudo) is not marked and runs exactly as written.
   */
  sudo?: boolean;
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

/** A file or directory entry on a host. */
export interface FileInfo {
  size: number;
  mtimeMs: number;
  isDirectory: boolean;
}

/** A regular file found under a directory; `path` is relative to it, with `/` separators. */
export interface ListedFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/**
 * Streamed file access on a transport's host, for transfers (S3 steps, SFTP copies). Nothing is
 * buffered whole: a multi-gigabyte backup moves through in chunks.
 */
export interface HostFiles {
  /** `null` when nothing is at `path`. */
  stat(path: string): Promise<FileInfo | null>;
  /** Every regular file under `dir`, recursively, sorted by path. */
  list(dir: string): Promise<ListedFile[]>;
  /** A stream of the file's bytes; aborting `signal` destroys it. */
  read(path: string, signal?: AbortSignal): Promise<NodeJS.ReadableStream>;
  /**
   * Writes `source` to `path`, creating parent directories. The file appears under its name only
   * once complete (written to a temporary name, then renamed), so a failed transfer never leaves
   * a partial file that looks finished.
   */
  write(path: string, source: NodeJS.ReadableStream, signal?: AbortSignal): Promise<number>;
  /** Removes a file (for sync `--delete` to a directory). */
  remove(path: string): Promise<void>;
}

/** A connection to one host that runs commands. */
export interface Transport {
  /** File access on the same host; absent on transports that cannot move files. */
  readonly files?: HostFiles;
  /** Runs a command, streaming its output to `sink`. Aborting `signal` cancels it. */
  exec(request: ExecRequest, sink: OutputSink, signal?: AbortSignal): Promise<ExecResult>;
  /** Releases the connection. Safe to call twice. */
  close(): Promise<void>;
}

/** Makes the transport for a host; injected into the engine. */
export type TransportFactory = (host: import('../inventory/types.ts').Host) => Transport;
