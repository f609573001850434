/**
 * The TUI's {@link Decider}: the engine asks, the question waits here until a screen answers it.
 * Screens never run anything; they only call {@link TuiDecider.answer}.
 */
import type { Answer, Decider, DecisionRequest, RequestOf } from '../engine/decisions.ts';
import type { DecisionKind } from '../engine/events.ts';

/** A question waiting for the operator. */
export interface Pending {
  request: DecisionRequest;
  /** Settles the question; `by` is added from the operator's name. */
  answer: (a: Record<string, unknown> & { action: string }) => void;
}

export class TuiDecider implements Decider {
  readonly #user: string;
  readonly #listeners = new Set<() => void>();
  #pending: Pending | null = null;

  constructor(user: string) {
    this.#user = user;
  }

  decide<K extends DecisionKind>(request: RequestOf<K>): Promise<Answer<K>> {
    return new Promise<Answer<K>>((resolve) => {
      this.#pending = {
        request,
        answer: (a) => {
          if (this.#pending?.request !== request) return;
          this.#pending = null;
          this.#emit();
          const typed = request.kind === 'confirm-destructive' && a.action === 'run';
          resolve({
            ...a,
            by: typed ? `${this.#user} (typed)` : this.#user,
          } as unknown as Answer<K>);
        },
      };
      this.#emit();
    });
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): Pending | null => this.#pending;

  #emit(): void {
    for (const l of this.#listeners) l();
  }
}
