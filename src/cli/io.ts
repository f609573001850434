/**
 * The CLI's side effects, injected so commands can be driven from tests with real files and
 * processes but without globals.
 */
import { gatheredWrites } from './gathered-output.ts';

/** Everything a command touches outside its arguments. */
export interface CliIO {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Takes bytes too: command output is written as it came, without a round trip through a string. */
  stdout: (text: string | Uint8Array) => void;
  stderr: (text: string) => void;
  /** Whether a person can answer questions (stdin and stdout are terminals). */
  interactive: boolean;
  /** The terminal to ask questions on, when interactive. */
  terminal?: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream };
  clock: () => Date;
  /** The operator's name, recorded as who confirmed a step. */
  user: string;
  /** Registers a handler for Ctrl-C; returns a function that removes it. */
  onInterrupt: (handler: () => void) => () => void;
  /** Writes what `stdout` still gathers (see gathered-output.ts); called before exiting. */
  flush?: () => void;
}

const gone = (error: NodeJS.ErrnoException) =>
  error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED';

/**
 * Writes to a stream until its reader goes away. A closed pipe (`stepwise run --json | head -1`)
 * must not kill a run that is changing things: the error would otherwise be unhandled.
 * With `gather`, command output (bytes) to a file or a pipe is written in batches
 * (gathered-output.ts); a terminal, and stderr (whose lines must not wait behind stdout's), as
 * they come.
 */
function untilClosed(
  stream: NodeJS.WriteStream,
  gather: boolean,
): {
  write: (text: string | Uint8Array) => void;
  flush: () => void;
} {
  let closed = false;
  const fd = (stream as { fd?: unknown }).fd;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (!gone(error)) throw error;
    closed = true;
  });
  if (!gather || stream.isTTY || typeof fd !== 'number') {
    return { write: (text) => void (closed || stream.write(text)), flush: () => {} };
  }
  const unlessGone = (act: () => void) => {
    if (closed) return;
    try {
      act();
    } catch (error) {
      if (!gone(error as NodeJS.ErrnoException)) throw error;
      closed = true;
    }
  };
  const batches = gatheredWrites(fd, unlessGone);
  // Whatever way the process ends, nothing gathered is left behind.
  process.once('exit', () => unlessGone(batches.flush));
  return {
    // Bytes are a command's output, gathered; text (what the renderers say about the run: a step
    // starting, a JSON event) goes out at once, after what was gathered before it, so a reader
    // or a kill -9 never finds the run's own lines held back.
    write: (text) =>
      unlessGone(() => {
        if (typeof text !== 'string') return batches.write(text);
        batches.write(Buffer.from(text));
        batches.flush();
      }),
    flush: () => unlessGone(batches.flush),
  };
}

/** The real process's IO. */
export function processIO(): CliIO {
  const stdout = untilClosed(process.stdout, true);
  const stderr = untilClosed(process.stderr, false);
  return {
    env: process.env,
    cwd: process.cwd(),
    stdout: stdout.write,
    // What went to stdout first comes first where both go to one file (`> log 2>&1`).
    stderr: (text) => {
      stdout.flush();
      stderr.write(text);
    },
    flush: stdout.flush,
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    terminal: { input: process.stdin, output: process.stdout },
    clock: () => new Date(),
    user: process.env.USER ?? process.env.LOGNAME ?? 'operator',
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  };
}
