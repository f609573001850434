/**
 * `stepwise validate [PATH...]`: every problem in the named runbook files, or in every YAML file
 * under the named folders, or in every discovered runbook when no path is given.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { OperatorError } from '../errors.ts';
import { discoverRunbooks, runbookDirs } from './discover.ts';
import { type LoadOptions, runbookProblems } from './load.ts';
import { type Problem, sortProblems } from './problem.ts';
import { isRunbookFile } from './runbook-id.ts';

/** Problems in the runbooks at `paths` (files or folders); `dirs` are searched when empty. */
export async function validatePaths(
  paths: readonly string[],
  dirs: readonly string[] = runbookDirs(),
  options: LoadOptions = {},
): Promise<Problem[]> {
  const files =
    paths.length > 0
      ? (await Promise.all(paths.map(runbookFilesAt))).flat()
      : (await discoverRunbooks(dirs)).map((r) => r.path);
  const problems = await Promise.all(files.map((f) => runbookProblems(f, options)));
  return sortProblems(problems.flat());
}

async function runbookFilesAt(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) {
    throw new OperatorError(
      `no such file or folder: ${path}`,
      'pass runbook files or folders of runbooks',
    );
  }
  return info.isDirectory() ? yamlFilesUnder(path) : [path];
}

/** YAML files under a folder, depth first in name order; hidden folders and node_modules are skipped. */
async function yamlFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && entry.name !== 'node_modules') {
        files.push(...(await yamlFilesUnder(path)));
      }
    } else if (entry.isFile() && isRunbookFile(entry.name)) files.push(path);
  }
  return files;
}
