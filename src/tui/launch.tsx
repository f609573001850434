/** Opens the TUI on the process's terminal and resolves with the exit code when it closes. */
import { render } from 'ink';
import type { CliIO } from '../cli/io.ts';
import type { ExitCode } from '../errors.ts';
import { App, type TuiStart } from './app.tsx';
import type { RunDefaults } from './backend.ts';
import { lazyCliBackend } from './lazy-backend.ts';
import { noColorIn } from './theme.ts';

export async function openTui(
  io: CliIO,
  start: TuiStart,
  runbookDirs: readonly string[],
  defaults: RunDefaults = {},
): Promise<ExitCode> {
  // The rest of stepwise loads after the first frame (see lazy-backend.ts); the runbook list is
  // a directory listing, read first so the first frame is the home screen with its runbooks.
  const backend = lazyCliBackend(io, runbookDirs, defaults);
  const initialGroups =
    start.kind === 'home' ? await backend.groups().catch(() => undefined) : undefined;
  let code = 0;
  let message: string | undefined;
  const instance = render(
    <App
      backend={backend}
      start={start}
      {...(initialGroups ? { initialGroups } : {})}
      noColor={noColorIn(io.env)}
      onExit={(c, m) => {
        code = c;
        message = m;
        instance.unmount();
      }}
    />,
    // Ctrl-C is a key here: during a running step the TUI asks before cancelling it.
    // `interactive`: the CLI opens the TUI only when stdin and stdout are terminals, and that
    // decides. Ink would otherwise go by the CI variable and draw nothing until the very end,
    // a blank screen for an operator whose shell happens to export CI=true.
    { exitOnCtrlC: false, patchConsole: false, interactive: true, alternateScreen: true },
  );
  await instance.waitUntilExit();
  if (message) io.stdout(`\n${message}`);
  return code as ExitCode;
}
