/**
 * Two kinds of error: what the operator can fix (a bad runbook, a missing parameter, an
 * unreachable host) carries a hint and maps to an exit code; anything else is a bug.
 */

/** Exit codes of the CLI contract. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  needsInput: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the operator can fix. `hint` says what to do; `where` names a file:line, host or step. */
export class OperatorError extends Error {
  override readonly name = 'OperatorError';
  readonly hint: string;
  readonly exitCode: ExitCode;
  constructor(
    message: string,
    hint: string,
    exitCode: ExitCode = EXIT.usage,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.hint = hint;
    this.exitCode = exitCode;
  }
}

/** A decision was needed that no flag answered in a headless run (exit 3). */
export class NeedsInputError extends OperatorError {
  constructor(message: string, hint: string) {
    super(message, hint, EXIT.needsInput);
  }
}

/** A command that ran and failed, keeping everything needed to understand it. */
export class CommandFailedError extends Error {
  override readonly name = 'CommandFailedError';
  readonly host: string;
  readonly command: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderrTail: string;
  constructor(
    host: string,
    command: string,
    exitCode: number | null,
    signal: string | null,
    stderrTail: string,
    options?: { cause?: unknown },
  ) {
    const how =
      exitCode === null
        ? `was killed by ${signal ?? 'a signal'}`
        : `failed with exit code ${exitCode}`;
    super(`Command ${how} on ${host}: ${command}${stderrTail ? `\n${stderrTail}` : ''}`, options);
    this.host = host;
    this.command = command;
    this.exitCode = exitCode;
    this.signal = signal;
    this.stderrTail = stderrTail;
  }
}
