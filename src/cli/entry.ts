/** Process entry of the bundled CLI. */
import { processIO } from './io.ts';

const argv = process.argv.slice(2);
const io = processIO();

/**
 * `stepwise` alone in a terminal opens the TUI's home screen (as main.ts does for it), here
 * without loading commander first: its import is ~10-20 ms of the home screen's first frame.
 */
async function home(): Promise<number> {
  try {
    const { openTui } = await import('../tui/launch.tsx');
    const inventory = io.env.STEPWISE_INVENTORY;
    return await openTui(io, { kind: 'home', ...(inventory ? { inventory } : {}) }, []);
  } catch (error) {
    const { reportError } = await import('./main.ts');
    return reportError(io, error);
  }
}

process.exitCode =
  argv.length === 0 && io.interactive
    ? await home()
    : await import('./main.ts').then((m) => m.main(argv, io));
io.flush?.();
