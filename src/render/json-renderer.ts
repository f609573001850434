/** `--json`: one event per line on stdout, for machines. Human messages go to stderr. */
import type { Subscriber } from '../engine/event-bus.ts';

export function jsonRenderer(write: (line: string) => void): Subscriber {
  // The bus's line is the very one the journal writes: an event is serialized once for both.
  return (_event, jsonLine) => write(jsonLine());
}
