/**
 * Finds runbooks: the built-in `runbooks/` folder shipped with stepwise plus any `--runbooks DIR`,
 * each laid out as `<system>/<name>.yaml`. An id defined twice is an error, never a silent pick.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OperatorError } from '../errors.ts';
import { isRunbookFile, runbookIdFromPath } from './runbook-id.ts';

/** A runbook on disk: its id (`<system>/<name>`) and its file. */
export interface RunbookRef {
  id: string;
  path: string;
}

/**
 * The folder of the installed stepwise package: the nearest ancestor of `from` holding a
 * package.json named "stepwise". Works from the bundle (dist/) and from the sources (src/runbook/).
 */
export function packageRoot(from: string | URL = import.meta.url): string {
  const start = typeof from === 'string' && !from.startsWith('file:') ? from : fileURLToPath(from);
  for (let dir = dirname(start); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (name === 'stepwise') return dir;
    }
    if (dirname(dir) === dir) throw new Error(`cannot find the stepwise package above ${start}`);
  }
}

/** The runbooks shipped with stepwise. */
export function builtinRunbooksDir(): string {
  return join(packageRoot(), 'runbooks');
}

/** The folders to search: the built-in one, then each `--runbooks DIR`, without repeats. */
export function runbookDirs(extra: readonly string[] = []): string[] {
  const builtin = builtinRunbooksDir();
  // A package trimmed of its runbooks still works with --runbooks.
  const base = existsSync(builtin) ? [builtin] : [];
  return [...new Set([...base, ...extra.map((d) => resolve(d))])];
}

/** Every runbook in `dirs`, sorted by id. */
export async function discoverRunbooks(dirs: readonly string[]): Promise<RunbookRef[]> {
  const byId = new Map<string, RunbookRef>();
  for (const dir of dirs) {
    for (const ref of await runbooksIn(dir)) {
      const other = byId.get(ref.id);
      if (other !== undefined) {
        throw new OperatorError(
          `runbook ${ref.id} is defined twice: ${other.path} and ${ref.path}`,
          'rename or remove one of them, or leave out one of the --runbooks directories',
        );
      }
      byId.set(ref.id, ref);
    }
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * A runbook named by id (`loom/restore`) or by the path of a YAML file, whose id is then its
 * folder and file name.
 */
export async function resolveRunbook(
  idOrPath: string,
  dirs: readonly string[],
): Promise<RunbookRef> {
  if (isRunbookFile(idOrPath) || (await isFile(idOrPath))) {
    if (!(await isFile(idOrPath))) {
      throw new OperatorError(`no runbook file ${idOrPath}`, 'check the path of the runbook file');
    }
    return { id: runbookIdFromPath(resolve(idOrPath)), path: idOrPath };
  }
  const all = await discoverRunbooks(dirs);
  const found = all.find((r) => r.id === idOrPath);
  if (found !== undefined) return found;
  const ids = all.map((r) => r.id);
  throw new OperatorError(
    `no runbook "${idOrPath}"`,
    ids.length > 0
      ? `known runbooks: ${ids.join(', ')}; or pass the path of a .yaml file`
      : 'no runbooks were found; pass --runbooks DIR or the path of a .yaml file',
  );
}

async function runbooksIn(dir: string): Promise<RunbookRef[]> {
  if (!(await isDirectory(dir))) {
    throw new OperatorError(
      `runbook directory ${dir} does not exist`,
      'pass --runbooks a folder laid out as <system>/<name>.yaml',
    );
  }
  const refs: RunbookRef[] = [];
  for (const system of await readdir(dir, { withFileTypes: true })) {
    if (!system.isDirectory() || system.name.startsWith('.')) continue;
    for (const file of await readdir(join(dir, system.name), { withFileTypes: true })) {
      if (!file.isFile() || !isRunbookFile(file.name)) continue;
      const path = join(dir, system.name, file.name);
      refs.push({ id: runbookIdFromPath(path), path });
    }
  }
  return refs;
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}
