/**
 * Delivers engine events to subscribers. A failing display (renderer, UI) becomes a warning and
 * never stops a run that may be changing production data; a failing journal does stop it,
 * because a run we cannot record is a run we cannot resume.
 */
import type { RunEvent } from './events.ts';

/**
 * Receives every event, and a way to get its JSON line (`JSON.stringify(event)` and a newline).
 * The line is made once per event however many subscribers ask for it: the journal and `--json`
 * both want it, and serializing a large output chunk twice was a good part of streaming's cost.
 */
export type Subscriber = (event: RunEvent, jsonLine: () => string) => void;

/** `event` as one line of JSON Lines, as the journal and `--json` write it. */
export function toJsonLine(event: RunEvent): string {
  return `${JSON.stringify(event)}\n`;
}

export class EventBus {
  #critical: Subscriber[] = [];
  #display: Subscriber[] = [];

  /** A subscriber whose failure must stop the run (the journal). */
  critical(fn: Subscriber): this {
    this.#critical.push(fn);
    return this;
  }

  /** A subscriber whose failure is reported and then ignored (renderers, the UI). */
  display(fn: Subscriber): this {
    this.#display.push(fn);
    return this;
  }

  emit(event: RunEvent): void {
    const jsonLine = once(event);
    for (const fn of this.#critical) fn(event, jsonLine);
    for (const fn of [...this.#display]) {
      try {
        fn(event, jsonLine);
      } catch (error) {
        this.#display = this.#display.filter((d) => d !== fn);
        const warning: RunEvent = {
          type: 'warning',
          runId: event.runId,
          at: event.at,
          message: `a display stopped working and was detached: ${(error as Error).message}`,
        };
        const warningLine = once(warning);
        for (const c of this.#critical) c(warning, warningLine);
        for (const d of this.#display) d(warning, warningLine);
      }
    }
  }
}

/** The event's JSON line, made on first use only (the plain renderer never needs it). */
function once(event: RunEvent): () => string {
  let line: string | undefined;
  return () => {
    line ??= toJsonLine(event);
    return line;
  };
}
