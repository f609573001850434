/**
 * `--skip STEP=REASON`: a step named on the command line is skipped, with its reason recorded,
 * when the engine asks to confirm it (or to do it by hand); every other question goes to the
 * decider it wraps (headless flags, or the terminal prompt).
 */
import type { Answer, AnswerMap, Decider, RequestOf } from '../engine/decisions.ts';
import type { DecisionKind } from '../engine/events.ts';

export class SkippingDecider implements Decider {
  readonly #inner: Decider & { close?: () => void };
  readonly #skips: Readonly<Record<string, string>>;

  constructor(inner: Decider & { close?: () => void }, skips: Readonly<Record<string, string>>) {
    this.#inner = inner;
    this.#skips = skips;
  }

  async decide<K extends DecisionKind>(request: RequestOf<K>): Promise<Answer<K>> {
    const { kind } = request as { kind: DecisionKind };
    const step = (request as { step?: string }).step;
    const skippable = kind === 'confirm' || kind === 'confirm-destructive' || kind === 'manual';
    const reason = skippable && step !== undefined ? this.#skips[step] : undefined;
    if (reason !== undefined) {
      const skip: AnswerMap['confirm'] & { by: string } = { action: 'skip', reason, by: '--skip' };
      return skip as unknown as Answer<K>;
    }
    return this.#inner.decide(request);
  }

  close(): void {
    this.#inner.close?.();
  }
}
