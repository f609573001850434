/**
 * Drives the TUI with ink-testing-library over the real backend: a temporary state home, a
 * runbook folder and an inventory of local hosts, so runs really execute and journal.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { stringify } from 'yaml';
import type { CliIO } from '../../src/cli/io.ts';
import { App, type TuiStart } from '../../src/tui/app.tsx';
import { cliBackend, type TuiBackend } from '../../src/tui/backend.ts';

export const KEY = {
  enter: '\r',
  esc: '\u001b',
  up: '\u001b[A',
  down: '\u001b[B',
  right: '\u001b[C',
  left: '\u001b[D',
  tab: '\t',
  ctrlC: '\u0003',
} as const;

/** A temporary world for one test. */
export interface World {
  dir: string;
  home: string;
  runbooks: string;
  inventory: string;
  backend: TuiBackend;
  io: CliIO;
}

const dirs: string[] = [];

/** The test runbook: a blocking check, a choice, a change, a destructive step, a failing step, a manual one. */
export function drillRunbook(): Record<string, unknown> {
  return {
    format: 1,
    title: 'Drill the TUI',
    system: 'tuitest',
    summary: 'A runbook for the TUI tests.',
    source: { document: 'test/tui', section: 'Drill' },
    roles: { nodes: { description: 'the nodes' } },
    parameters: {
      workdir: { description: 'where the drill writes', type: 'path' },
      token: { description: 'an API token', secret: true, optional: true },
    },
    checks: [
      {
        id: 'marker',
        title: 'every node has its marker file',
        on: 'nodes',
        run: 'test -e {{ workdir }}/marker-{{ host }} && echo present || { echo no marker for {{ host }}; exit 1; }',
        expect: { exit: 0 },
        hint: 'touch the marker file',
      },
    ],
    steps: [
      {
        id: 'pick',
        title: 'Pick a flavour',
        explain: 'Which flavour to use.',
        risk: 'read-only',
        choose: {
          var: 'flavour',
          prompt: 'Which flavour?',
          run: "printf 'alpha\\nbeta\\n'",
          item: '^(?<value>\\w+)$',
        },
      },
      {
        id: 'touch',
        title: 'Touch the nodes',
        explain: 'Writes each node name.',
        on: 'nodes',
        risk: 'changes',
        run: 'echo {{ host }} {{ flavour }} >> {{ workdir }}/touched',
      },
      {
        id: 'wipe',
        title: 'Wipe the drill',
        explain: 'Destroys the drill.',
        risk: 'destructive',
        confirm: 'wipe it',
        run: 'echo wiped >> {{ workdir }}/wiped',
      },
      {
        id: 'flaky',
        title: 'A step that fails',
        explain: 'Prints and fails.',
        risk: 'read-only',
        run: 'echo flaky-output-line; exit 3',
      },
      {
        id: 'tell',
        title: 'Tell the team',
        explain: 'By hand.',
        risk: 'read-only',
        manual: 'Post in the channel that the drill is done.',
      },
    ],
  };
}

export function world(): World {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-tui-'));
  dirs.push(dir);
  const home = path.join(dir, 'home');
  const runbooks = path.join(dir, 'rb');
  fs.mkdirSync(path.join(runbooks, 'tuitest'), { recursive: true });
  fs.writeFileSync(path.join(runbooks, 'tuitest', 'drill.yaml'), stringify(drillRunbook()));
  const inventory = path.join(dir, 'inventory.yml');
  fs.writeFileSync(
    inventory,
    stringify({
      all: {
        children: {
          nodes: {
            hosts: { n1: { ansible_connection: 'local' }, n2: { ansible_connection: 'local' } },
          },
        },
      },
    }),
  );
  fs.mkdirSync(path.join(dir, 'work'));
  // n1 has its marker, n2 does not: the preflight fails there.
  fs.writeFileSync(path.join(dir, 'work', 'marker-n1'), '');
  const io: CliIO = {
    env: { ...process.env, STEPWISE_HOME: home },
    cwd: dir,
    stdout: () => {},
    stderr: () => {},
    interactive: true,
    clock: () => new Date(),
    user: 'tester',
    onInterrupt: () => () => {},
  };
  return { dir, home, runbooks, inventory, io, backend: cliBackend(io, [runbooks]) };
}

export function cleanupWorlds(): void {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** One rendered TUI, with helpers that wait for frames instead of sleeping. */
export interface Screen {
  frame(): string;
  /** Writes one key (or a pasted string), then yields a macrotask so Ink reads it alone. */
  press(key: string): Promise<void>;
  /** Waits until the last frame contains `text` (or matches it). */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<string>;
  exits: { code: number; message?: string }[];
  unmount(): void;
}

export function open(w: World, start: TuiStart, noColor = false): Screen {
  const exits: { code: number; message?: string }[] = [];
  const app = createElement(App, {
    backend: w.backend,
    start,
    noColor,
    onExit: (code: number, message?: string) =>
      exits.push({ code, ...(message ? { message } : {}) }),
  });
  const r = render(app);
  const frame = () => r.lastFrame() ?? '';
  return {
    frame,
    exits,
    unmount: () => r.unmount(),
    async press(key) {
      // React runs a new screen's effects (where Ink subscribes its key handlers) lazily under the
      // test renderer; an update first makes sure the screen on display is listening.
      r.rerender(app);
      await new Promise((res) => setTimeout(res, 0));
      r.stdin.write(key);
      await new Promise((res) => setTimeout(res, 0));
      await new Promise((res) => setTimeout(res, 5));
    },
    async waitFor(text, timeoutMs = 8000) {
      const deadline = Date.now() + timeoutMs;
      const hit = () => (typeof text === 'string' ? frame().includes(text) : text.test(frame()));
      while (!hit()) {
        if (Date.now() > deadline) {
          throw new Error(`timed out waiting for ${String(text)}; last frame:\n${frame()}`);
        }
        await new Promise((res) => setTimeout(res, 10));
      }
      return frame();
    },
  };
}
