/** `wait:` re-runs a check or a verification until it passes, on the injected clock and sleep. */
import fs from 'node:fs';
import { expect, test } from 'vitest';
import { HEADER, runScenario, ScriptedDecider, scratchDir } from './harness.ts';

/** A clock that only moves when the engine sleeps, and a hook for what happens meanwhile. */
function fakeTime(duringSleep: (sleeps: number) => void = () => {}) {
  let now = Date.parse('2026-11-21T03:00:00Z');
  let sleeps = 0;
  const slept: number[] = [];
  return {
    slept,
    clock: () => new Date(now),
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
      duringSleep(++sleeps);
    },
  };
}

const runbook = (dir: string, timeout: string) => `${HEADER}
checks:
  - id: caught-up
    title: the node has caught up
    run: cat ${dir}/height
    expect:
      number: { gte: 100 }
    wait: { timeout: ${timeout}, interval: 10s }
steps:
  - id: start
    title: Start
    explain: Starts once caught up, and waits for it to answer.
    risk: read-only
    requires: [caught-up]
    run: echo started
    verify:
      - title: it answers
        run: test -e ${dir}/alive
        wait: { timeout: 1m, interval: 5s }
`;

test('a waiting check passes once its condition holds, each miss reported as waiting', async () => {
  const s = scratchDir();
  fs.writeFileSync(s.path('height'), '40\n');
  // The node catches up while the engine waits: 70 after the first pause, 120 after the second.
  const t = fakeTime((n) => {
    fs.writeFileSync(s.path('height'), n === 1 ? '70\n' : '120\n');
    fs.writeFileSync(s.path('alive'), '');
  });
  const r = await runScenario({
    yaml: runbook(s.dir, '5m'),
    options: { clock: t.clock, sleep: t.sleep },
    allowThrow: true,
  });
  expect(r.thrown).toBeUndefined();
  expect(r.outcome).toBe('succeeded');
  const waits = r.events.filter((e) => e.type === 'waiting');
  expect(waits.map((e) => e.type === 'waiting' && [e.check, e.attempt, e.elapsedMs])).toEqual([
    ['caught-up', 1, 0],
    ['caught-up', 2, 10_000],
  ]);
  const first = waits[0];
  expect(first?.type === 'waiting' && first.message).toMatch(/local: .*expected .*>= 100.*40/);
  // Only the last attempt's verdict is reported, and it passed.
  const results = r.events.filter((e) => e.type === 'check-result' && e.check === 'caught-up');
  expect(results.at(-1)).toMatchObject({ status: 'pass' });
  expect(t.slept).toEqual([10_000, 10_000]);
});

test('a waiting check that never passes fails when its time is up, and the gate asks', async () => {
  const s = scratchDir();
  fs.writeFileSync(s.path('height'), '40\n');
  const t = fakeTime();
  const decider = new ScriptedDecider({ override: [{ action: 'abort' }] });
  const r = await runScenario({
    yaml: runbook(s.dir, '30s'),
    options: { clock: t.clock, sleep: t.sleep },
    decider,
    allowThrow: true,
  });
  expect(r.outcome).toBe('failed');
  // The preflight looks once (the gate waits); then 30 s with 10 s pauses: attempts at 0, 10,
  // 20 and 30 s, never beyond the limit.
  expect(t.slept).toEqual([10_000, 10_000, 10_000]);
  expect(r.events.filter((e) => e.type === 'waiting')).toHaveLength(3);
  const gate = r.events.filter((e) => e.type === 'check-result' && e.check === 'caught-up');
  expect(gate.at(-1)).toMatchObject({ status: 'fail' });
  expect(decider.requests.map((q) => q.kind)).toContain('override');
});

test('a verification with wait is tried again until the service answers', async () => {
  const s = scratchDir();
  fs.writeFileSync(s.path('height'), '150\n');
  const t = fakeTime((n) => {
    if (n === 3) fs.writeFileSync(s.path('alive'), '');
  });
  const r = await runScenario({
    yaml: runbook(s.dir, '5m'),
    options: { clock: t.clock, sleep: t.sleep },
  });
  expect(r.outcome).toBe('succeeded');
  const waits = r.events.filter((e) => e.type === 'waiting');
  expect(waits).toHaveLength(3);
  expect(waits[0]).toMatchObject({ step: 'start', host: 'local', attempt: 1 });
  expect(r.log.filter((l) => l.startsWith('verify-result'))).toEqual([
    expect.stringMatching(/^verify-result start@local #0 pass: it answers: ok/),
  ]);
});
