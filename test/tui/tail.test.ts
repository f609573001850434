/** The bounded output tail and the run view that keeps output out of React state. */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/engine/events.ts';
import { RunView } from '../../src/tui/run-view.ts';
import { TailBuffer } from '../../src/tui/tail.ts';

describe('TailBuffer', () => {
  it('keeps the last lines of chunks that split lines anywhere', () => {
    const t = new TailBuffer(3);
    t.push('one\ntw');
    t.push('o\nthree\nfour\nfi');
    expect(t.lines).toBe(4);
    expect(t.last(3)).toEqual(['three', 'four', 'fi']);
    expect(t.last(10)).toEqual(['two', 'three', 'four', 'fi']);
  });

  it('stays the same size after a million lines', () => {
    const t = new TailBuffer(200);
    const chunk = `${Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n')}\n`;
    for (let i = 0; i < 1000; i++) t.push(chunk);
    expect(t.lines).toBe(1_000_000);
    expect(t.last(2)).toEqual(['line 998', 'line 999']);
  });
});

describe('RunView', () => {
  const at = new Date(0).toISOString();
  const ev = (e: Record<string, unknown>) => ({ runId: 'r1', at, ...e }) as RunEvent;

  it('publishes output on its timer, and a question at once', async () => {
    const v = new RunView('T', [{ id: 's', title: 'S', risk: 'read-only', explain: 'x' }], 20);
    let published = 0;
    v.subscribe(() => published++);
    v.subscriber(
      ev({
        type: 'step-started',
        step: 's',
        title: 'S',
        risk: 'read-only',
        hosts: ['h'],
        attempt: 1,
      }),
    );
    v.subscriber(
      ev({ type: 'host-started', step: 's', host: 'h', command: 'seq 3', phase: 'run' }),
    );
    for (let i = 0; i < 100; i++)
      v.subscriber(ev({ type: 'output', step: 's', host: 'h', stream: 'stdout', data: `${i}\n` }));
    expect(published).toBe(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(published).toBe(1);
    expect(v.getSnapshot().steps[0]?.runs[0]?.tail.last(1)).toEqual(['99']);
    v.subscriber(ev({ type: 'decision-requested', step: 's', kind: 'confirm' }));
    expect(published).toBe(2);
    v.subscriber(
      ev({
        type: 'step-finished',
        step: 's',
        status: 'succeeded',
        durationMs: 5,
        confirmedBy: 'me',
      }),
    );
    v.flush();
    expect(v.getSnapshot().finished).toEqual([
      expect.objectContaining({ step: 's', status: 'succeeded', confirmedBy: 'me' }),
    ]);
    v.dispose();
  });
});
