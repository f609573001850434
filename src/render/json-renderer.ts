/** `--json`: one event per line on stdout, for machines. Human messages go to stderr. */
import type { Subscriber } from '../engine/event-bus.ts';
import type { EventOf } from '../engine/events.ts';
import { outputBytes, withoutData } from '../engine/output-data.ts';
import { jsonBytes } from './byte-loops.ts';

export function jsonRenderer(write: (line: string | Uint8Array) => void): Subscriber {
  // The bus's line is the very one the journal writes: an event is serialized once for both.
  // Output is the exception: the journal keeps it raw, and its text, the bulk of a chatty
  // step's bytes, is escaped by a byte loop faster than JSON.stringify (see byte-loops.ts).
  return (event, jsonLine) => write(event.type === 'output' ? outputLine(event) : jsonLine());
}

/** An output event's JSON line, as bytes: the same object, with `data` written last. */
function outputLine(event: EventOf<'output'>): Buffer {
  return jsonBytes(
    outputBytes(event),
    `${JSON.stringify(withoutData(event)).slice(0, -1)},"data":`,
    '}\n',
  );
}
