/**
 * A real terminal for end-to-end tests: the built CLI runs inside tmux on a private socket, keys
 * go in with `send-keys`, the screen comes back with `capture-pane`. Each session is killed at
 * the end of its test, even when the test fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { shellQuote } from '../../src/runbook/template.ts';

/** Makes sure Debian's tmux is there (CI installs it; a bare machine gets it from apt). */
export function ensureTmux(): void {
  if (spawnSync('tmux', ['-V']).status === 0) return;
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'tmux'], {
    stdio: 'ignore',
  });
}

export interface Term {
  /** The screen as text (trailing spaces stripped by tmux). */
  screen(): string;
  /** tmux key names: `Enter`, `Escape`, `Down`, `C-c`, or single characters. */
  keys(...keys: string[]): void;
  /** Types text literally. */
  type(text: string): void;
  /** Resizes the terminal, as a user dragging the window would (the program gets SIGWINCH). */
  resize(cols: number, rows: number): void;
  /** Polls the screen until `what` shows; fails with the last screen. */
  waitFor(what: string | RegExp, timeoutMs?: number): Promise<string>;
  kill(): void;
}

const live = new Set<Term>();

/** Starts `argv` with `env` in a fresh tmux server of `cols`×`rows`. */
export function term(
  argv: readonly string[],
  env: Record<string, string>,
  o: { cols?: number; rows?: number } = {},
): Term {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-tmux-'));
  const sock = path.join(dir, 'sock');
  const vars = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  // The pane stays after the program ends, with its exit code, so tests can read both.
  const cmd = `env ${vars.join(' ')} ${argv.map(shellQuote).join(' ')}; echo "[exit $?]"; sleep 600`;
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-S', sock, ...args], { encoding: 'utf8' });
  tmux(
    '-f',
    '/dev/null',
    'new-session',
    '-d',
    '-x',
    String(o.cols ?? 120),
    '-y',
    String(o.rows ?? 40),
    cmd,
  );
  const t: Term = {
    screen: () => tmux('capture-pane', '-p'),
    keys: (...keys) => {
      for (const k of keys) tmux('send-keys', k);
    },
    type: (text) => {
      tmux('send-keys', '-l', text);
    },
    resize: (cols, rows) => {
      tmux('resize-window', '-x', String(cols), '-y', String(rows));
    },
    async waitFor(what, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = t.screen();
        if (typeof what === 'string' ? s.includes(what) : what.test(s)) return s;
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${String(what)}; screen:\n${s}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    kill() {
      live.delete(t);
      spawnSync('tmux', ['-S', sock, 'kill-server']);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(t);
  return t;
}

/** Kills every session a test left open. */
export function killTerms(): void {
  for (const t of [...live]) t.kill();
}
