/**
 * Delivers engine events to subscribers. A failing display (renderer, UI) becomes a warning and
 * never stops a run that may be changing production data; a failing journal does stop it,
 * because a run we cannot record is a run we cannot resume.
 */
import type { RunEvent } from './events.ts';

/** Receives every event. */
export type Subscriber = (event: RunEvent) => void;

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
    for (const fn of this.#critical) fn(event);
    for (const fn of [...this.#display]) {
      try {
        fn(event);
      } catch (error) {
        this.#display = this.#display.filter((d) => d !== fn);
        const warning: RunEvent = {
          type: 'warning',
          runId: event.runId,
          at: event.at,
          message: `a display stopped working and was detached: ${(error as Error).message}`,
        };
        for (const c of this.#critical) c(warning);
        for (const d of this.#display) d(warning);
      }
    }
  }
}
