/**
 * Re-running a probe until it passes (`wait:` on a check or a verification). Time comes from the
 * injected clock and pauses from the injected sleep, so tests need not wait for real.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { WaitSpec } from '../runbook/schema.ts';
import { durationMs } from './duration.ts';

/** Pauses for `ms`; resolves early (without throwing) when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = async (ms, signal) => {
  try {
    await delay(ms, undefined, signal ? { signal } : {});
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  }
};

/** One attempt that did not pass yet, as the operator is told about it. */
export interface Retry<T> {
  result: T;
  attempt: number;
  elapsedMs: number;
  timeoutMs: number;
}

export interface WaitOptions<T> {
  wait: WaitSpec | undefined;
  attempt: () => Promise<T>;
  passed: (result: T) => boolean;
  clock: () => Date;
  sleep: Sleep;
  signal?: AbortSignal;
  /** Called after every attempt that failed while there is time left for another. */
  onRetry: (retry: Retry<T>) => void;
}

/** Runs `attempt` once, or (with `wait`) until it passes or the time is up; returns the last result. */
export async function untilPassed<T>(o: WaitOptions<T>): Promise<T> {
  let result = await o.attempt();
  if (!o.wait) return result;
  const timeoutMs = durationMs(o.wait.timeout) ?? 0;
  const intervalMs = durationMs(o.wait.interval) ?? 5000;
  const start = o.clock().getTime();
  for (let attempt = 1; !o.passed(result); attempt++) {
    const elapsedMs = o.clock().getTime() - start;
    if (elapsedMs + intervalMs > timeoutMs || o.signal?.aborted) return result;
    o.onRetry({ result, attempt, elapsedMs, timeoutMs });
    await o.sleep(intervalMs, o.signal);
    if (o.signal?.aborted) return result;
    result = await o.attempt();
  }
  return result;
}
