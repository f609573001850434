/** The event bus: a failing display is detached with a warning; a failing journal stops the run. */
import { expect, test } from 'vitest';
import { EventBus } from '../../src/engine/event-bus.ts';
import type { RunEvent } from '../../src/engine/events.ts';

const event = (step: string): RunEvent => ({
  type: 'step-started',
  runId: 'r1',
  at: '2026-11-21T03:00:00.000Z',
  step,
  title: step,
  risk: 'read-only',
  hosts: ['local'],
  attempt: 1,
});

test('a throwing display is detached and a warning reaches the critical subscriber and other displays', () => {
  const journal: RunEvent[] = [];
  const healthy: RunEvent[] = [];
  let brokenCalls = 0;
  const bus = new EventBus()
    .critical((e) => journal.push(e))
    .display(() => {
      brokenCalls++;
      throw new Error('terminal went away');
    })
    .display((e) => healthy.push(e));

  bus.emit(event('one'));
  bus.emit(event('two'));

  const warning = {
    type: 'warning',
    runId: 'r1',
    at: '2026-11-21T03:00:00.000Z',
    message: 'a display stopped working and was detached: terminal went away',
  };
  expect(brokenCalls).toBe(1);
  expect(journal).toEqual([event('one'), warning, event('two')]);
  // A later display hears of the failure as it happens, before the event that caused it.
  expect(healthy).toEqual([warning, event('one'), event('two')]);
});

test('a display that fails on the warning too is not called again', () => {
  const journal: RunEvent[] = [];
  let calls = 0;
  const bus = new EventBus().critical((e) => journal.push(e));
  bus.display(() => {
    calls++;
    throw new Error('broken');
  });
  bus.emit(event('one'));
  bus.emit(event('two'));
  expect(calls).toBe(1);
  expect(journal.map((e) => e.type)).toEqual(['step-started', 'warning', 'step-started']);
});

test('a throwing critical subscriber propagates, and displays do not see that event', () => {
  const seen: RunEvent[] = [];
  const bus = new EventBus()
    .critical(() => {
      throw new Error('disk full');
    })
    .display((e) => seen.push(e));
  expect(() => bus.emit(event('one'))).toThrow('disk full');
  expect(seen).toEqual([]);
});

test('the JSON line is made once per event and shared by every subscriber that asks', () => {
  const lines: string[] = [];
  const bus = new EventBus()
    .critical((_e, jsonLine) => lines.push(jsonLine()))
    .display((_e, jsonLine) => lines.push(jsonLine()))
    .display((_e, jsonLine) => lines.push(jsonLine()));
  // Only serializing reads the title, so its reads count the serializations.
  let serialized = 0;
  const e = event('one');
  Object.defineProperty(e, 'title', {
    enumerable: true,
    get: () => {
      serialized++;
      return 'one';
    },
  });
  bus.emit(e);
  expect(serialized).toBe(1);
  expect(lines).toEqual(Array(3).fill(`${JSON.stringify(event('one'))}\n`));
});
