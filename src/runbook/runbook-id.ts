/** Runbook ids: `<system>/<name>`, from the layout `runbooks/<system>/<name>.yaml`. */
import { basename, dirname, extname } from 'node:path';

/** The id of a runbook file: its folder's name and its own name without the extension. */
export function runbookIdFromPath(path: string): string {
  const name = basename(path, extname(path));
  return `${basename(dirname(path))}/${name}`;
}

/** Whether a file name is a runbook's (YAML). */
export function isRunbookFile(name: string): boolean {
  return /\.ya?ml$/i.test(name);
}
