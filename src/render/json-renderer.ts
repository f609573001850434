/** `--json`: one event per line on stdout, for machines. Human messages go to stderr. */
import type { RunEvent } from '../engine/events.ts';

export function jsonRenderer(write: (line: string) => void): (event: RunEvent) => void {
  return (event) => write(`${JSON.stringify(event)}\n`);
}
