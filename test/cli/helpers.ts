/**
 * Drives the bundled CLI (dist/stepwise.js) as a real process against real files: a temporary
 * workspace per test (state home, runbooks, inventories), a spawn helper that resolves with the
 * exit code and output, and readers for `--json` events and journals. Build first with
 * `npm run build` (`npm test` does it in pretest).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { RunEvent } from '../../src/engine/events.ts';

/** The repository root. */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** The bundled CLI. */
export const CLI = path.join(REPO, 'dist', 'stepwise.js');
/** Per-test timeout for tests that spawn the CLI. */
export const CLI_TIMEOUT = 30_000;
/** How `secret: true` values are shown. */
export const MASK = '••••••';

if (!fs.existsSync(CLI)) {
  throw new Error(`${CLI} is missing: run \`npm run build\` before the CLI tests`);
}

/** How a CLI process ended. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A temporary directory with a state home and a runbooks folder, removed after the test. */
export interface Workspace {
  dir: string;
  /** `STEPWISE_HOME` for every command run through this workspace. */
  home: string;
  /** Passed as `--runbooks` by {@link Workspace.run}. */
  runbooks: string;
  /** Writes `<runbooks>/<id>.yaml` (id `system/name`) and returns its path. */
  writeRunbook(id: string, content: string | RunbookInput): string;
  /** Writes a file under the workspace and returns its path. */
  write(name: string, content: string): string;
  /** A path under the workspace (nothing is created). */
  path(...parts: string[]): string;
  /** Runs `stepwise --runbooks <runbooks> ...args` to completion. */
  run(args: readonly string[], options?: RunOptions): Promise<CliResult>;
  /** Starts `stepwise --runbooks <runbooks> ...args` and returns at once. */
  start(args: readonly string[], options?: RunOptions): Running;
}

export interface RunOptions {
  /** Extra environment on top of the test's own and `STEPWISE_HOME`. */
  env?: Record<string, string>;
  cwd?: string;
}

const workspaces: string[] = [];
const children = new Set<ChildProcessWithoutNullStreams>();

/** Creates a workspace; {@link cleanupWorkspaces} (in `afterEach`) removes it. */
export function workspace(): Workspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-cli-'));
  workspaces.push(dir);
  const home = path.join(dir, 'home');
  const runbooks = path.join(dir, 'rb');
  fs.mkdirSync(runbooks);
  const withRunbooks = (args: readonly string[]) => ['--runbooks', runbooks, ...args];
  const env = (o: RunOptions) => ({ STEPWISE_HOME: home, ...o.env });
  const ws: Workspace = {
    dir,
    home,
    runbooks,
    writeRunbook(id, content) {
      const file = path.join(runbooks, `${id}.yaml`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const system = id.split('/')[0] ?? 'test';
      fs.writeFileSync(
        file,
        typeof content === 'string' ? content : stringify(runbook(system, content)),
      );
      return file;
    },
    write(name, content) {
      const file = path.join(dir, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      return file;
    },
    path: (...parts) => path.join(dir, ...parts),
    run: (args, o = {}) => stepwise(withRunbooks(args), { cwd: o.cwd ?? dir, env: env(o) }),
    start: (args, o = {}) => startStepwise(withRunbooks(args), { cwd: o.cwd ?? dir, env: env(o) }),
  };
  return ws;
}

/** Kills any CLI process a test left running and removes the workspaces. */
export function cleanupWorkspaces(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const dir of workspaces.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A CLI process that is still running. */
export interface Running {
  child: ChildProcessWithoutNullStreams;
  /** Output so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Settles when the process has exited and its pipes are closed. */
  done: Promise<CliResult>;
}

function startStepwise(args: readonly string[], o: Required<RunOptions>): Running {
  // The pinned Node 24 that runs vitest; a bare `node` on PATH may be older.
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: o.cwd,
    env: { ...process.env, ...o.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    done,
  };
}

/** Runs the CLI to completion (without `--runbooks`). */
export function stepwise(args: readonly string[], o: Required<RunOptions>): Promise<CliResult> {
  return startStepwise(args, o).done;
}

/** Parses `--json` output: one event per line. Throws, naming the line, if one does not parse. */
export function events(stdout: string): RunEvent[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as RunEvent;
      } catch (error) {
        throw new Error(`stdout line ${i + 1} is not JSON: ${line}`, { cause: error });
      }
    });
}

/** Events of one type, narrowed. */
export function ofType<T extends RunEvent['type']>(
  list: readonly RunEvent[],
  type: T,
): Extract<RunEvent, { type: T }>[] {
  return list.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);
}

/** The run id from `--json` output. */
export function runIdOf(stdout: string): string {
  const first = events(stdout)[0];
  if (!first) throw new Error(`no events in stdout:\n${stdout}`);
  return first.runId;
}

/** `<home>/runs/<runId>/journal.jsonl`. */
export function journalFile(ws: Workspace, runId: string): string {
  return path.join(ws.home, 'runs', runId, 'journal.jsonl');
}

/** The events of a run's journal (the header line left out). */
export function journalEvents(ws: Workspace, runId: string): RunEvent[] {
  const [, ...lines] = fs.readFileSync(journalFile(ws, runId), 'utf8').split('\n');
  return events(lines.join('\n'));
}

/** The id of the only run in the workspace's state home. */
export function onlyRunId(ws: Workspace): string {
  const ids = fs.readdirSync(path.join(ws.home, 'runs'));
  if (ids.length !== 1) throw new Error(`expected one run, found: ${ids.join(', ')}`);
  return ids[0]!;
}

/** Polls until `condition` holds; fails after `timeoutMs`. */
export async function until(
  condition: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether a process group still has a member. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Lines of a file, or 0 when it does not exist: how many times a step appended to it. */
export function countLines(file: string): number {
  if (!fs.existsSync(file)) return 0;
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
}

/** 1-based line and column of the `nth` occurrence (default the first) of `needle` in `text`. */
export function position(text: string, needle: string, nth = 1): { line: number; col: number } {
  let at = -1;
  for (let i = 0; i < nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" is not ${nth} times in the fixture`);
  }
  const before = text.slice(0, at).split('\n');
  return { line: before.length, col: before.at(-1)!.length + 1 };
}

/** A step, as tests write them: title and explain default to the id. */
export interface StepInput {
  id: string;
  risk?: 'read-only' | 'changes' | 'destructive';
  [key: string]: unknown;
}

/** A runbook, as tests write them: title, summary and source are filled in. */
export interface RunbookInput {
  title?: string;
  roles?: Record<string, { description: string }>;
  parameters?: Record<string, Record<string, unknown>>;
  checks?: Record<string, unknown>[];
  steps: StepInput[];
}

/** A whole runbook document from the parts a test cares about. */
export function runbook(system: string, input: RunbookInput): Record<string, unknown> {
  return {
    format: 1,
    title: input.title ?? 'Test runbook',
    system,
    summary: 'A runbook written by a CLI test.',
    source: { document: 'test/cli' },
    ...(input.roles ? { roles: input.roles } : {}),
    ...(input.parameters ? { parameters: input.parameters } : {}),
    ...(input.checks ? { checks: input.checks } : {}),
    steps: input.steps.map((s) => ({
      title: s.id,
      explain: `step ${s.id}`,
      risk: 'read-only',
      ...s,
    })),
  };
}

/** An inventory whose hosts all run on this machine, in group `nodes`. */
export function localInventory(hosts: readonly string[]): string {
  return stringify({
    all: {
      children: {
        nodes: {
          hosts: Object.fromEntries(hosts.map((h) => [h, { ansible_connection: 'local' }])),
        },
      },
    },
  });
}
