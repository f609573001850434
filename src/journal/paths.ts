/**
 * Where a run's files live under the state home. One directory per run, so a run's journal can
 * be found (and `stepwise runs` rebuilt) without the index.
 */
import path from 'node:path';

/** The directory holding one directory per run. */
export function runsDir(stateHome: string): string {
  return path.join(stateHome, 'runs');
}

/** `<stateHome>/runs/<runId>/journal.jsonl`. */
export function journalPath(stateHome: string, runId: string): string {
  return path.join(runsDir(stateHome), runId, 'journal.jsonl');
}
