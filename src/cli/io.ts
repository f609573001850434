/**
 * The CLI's side effects, injected so commands can be driven from tests with real files and
 * processes but without globals.
 */

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
}

/**
 * Writes to a stream until its reader goes away. A closed pipe (`stepwise run --json | head -1`)
 * must not kill a run that is changing things: the error would otherwise be unhandled.
 */
function untilClosed(stream: NodeJS.WriteStream): (text: string | Uint8Array) => void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    closed = true;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}

/** The real process's IO. */
export function processIO(): CliIO {
  return {
    env: process.env,
    cwd: process.cwd(),
    stdout: untilClosed(process.stdout),
    stderr: untilClosed(process.stderr),
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
