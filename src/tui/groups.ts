/**
 * The runbooks grouped by system, for the home screen. Only a directory listing (no YAML is
 * parsed), so the TUI can have it before its first frame.
 */
import { discoverRunbooks, runbookDirs } from '../runbook/discover.ts';

/** Runbooks of one system, for the home screen. */
export interface RunbookGroup {
  system: string;
  runbooks: { id: string; path: string }[];
}

/** The known runbooks (built-in, then each extra folder), grouped by system in found order. */
export async function runbookGroups(extraRunbookDirs: readonly string[]): Promise<RunbookGroup[]> {
  const refs = await discoverRunbooks(runbookDirs(extraRunbookDirs));
  const by = new Map<string, RunbookGroup>();
  for (const r of refs) {
    const system = r.id.split('/')[0] ?? r.id;
    const g = by.get(system) ?? { system, runbooks: [] };
    g.runbooks.push(r);
    by.set(system, g);
  }
  return [...by.values()];
}
