/**
 * A transfer's progress, throttled: a report at most every `intervalMs`, and a final one with
 * `done: true`. The rate is measured over the interval since the previous report.
 */

/** One progress report. */
export interface ProgressReport {
  label: string;
  bytes: number;
  total?: number;
  /** Bytes per second. */
  rate?: number;
  done: boolean;
}

export type ProgressSink = (report: ProgressReport) => void;

/** Default interval between reports. */
export const PROGRESS_INTERVAL_MS = 400;

export class Meter {
  readonly #label: string;
  #total: number | undefined;
  readonly #sink: ProgressSink;
  readonly #interval: number;
  readonly #started = performance.now();
  #bytes = 0;
  #lastAt = performance.now();
  #lastBytes = 0;
  #done = false;

  constructor(
    label: string,
    total: number | undefined,
    sink: ProgressSink,
    intervalMs = PROGRESS_INTERVAL_MS,
  ) {
    this.#label = label;
    this.#total = total;
    this.#sink = sink;
    this.#interval = intervalMs;
  }

  /** For a download, whose size is known once the object's headers arrive. */
  setTotal(total: number): void {
    this.#total ??= total;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Sets the bytes done so far (never backwards). */
  set(bytes: number): void {
    if (bytes <= this.#bytes) return;
    this.#bytes = bytes;
    const now = performance.now();
    if (now - this.#lastAt < this.#interval) return;
    const rate = ((this.#bytes - this.#lastBytes) * 1000) / (now - this.#lastAt);
    this.#lastAt = now;
    this.#lastBytes = this.#bytes;
    this.#report(rate, false);
  }

  add(bytes: number): void {
    this.set(this.#bytes + bytes);
  }

  /** The final report; its rate is the average over the whole transfer. */
  finish(): void {
    if (this.#done) return;
    this.#done = true;
    const seconds = (performance.now() - this.#started) / 1000;
    this.#report(seconds > 0 ? this.#bytes / seconds : undefined, true);
  }

  #report(rate: number | undefined, done: boolean): void {
    this.#sink({
      label: this.#label,
      bytes: this.#bytes,
      ...(this.#total === undefined ? {} : { total: this.#total }),
      ...(rate === undefined || !Number.isFinite(rate) ? {} : { rate: Math.round(rate) }),
      done,
    });
  }
}
