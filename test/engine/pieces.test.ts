/** Small pieces of the engine: captures, durations, variables, fan-out. */
import { describe, expect, test } from 'vitest';
import { capture } from '../../src/engine/capture.ts';
import { durationMs } from '../../src/engine/duration.ts';
import { fanOut } from '../../src/engine/fan-out.ts';
import { AmbiguousCaptureError, Variables } from '../../src/engine/variables.ts';
import type { Host } from '../../src/inventory/types.ts';
import { captureSchema } from '../../src/runbook/schema.ts';

describe('capture', () => {
  const spec = (s: Record<string, unknown>) => captureSchema.parse({ name: 'v', ...s });

  test('regex: first group, named group `value`, or the whole match; multiline', () => {
    expect(capture(spec({ regex: 'id=(\\w+)' }), 'x\nid=abc def', '')).toEqual({
      ok: true,
      value: 'abc',
    });
    expect(capture(spec({ regex: '(\\w+)=(?<value>\\w+)' }), 'k=v', '')).toEqual({
      ok: true,
      value: 'v',
    });
    expect(capture(spec({ regex: '^\\d+$' }), 'a\n42\n', '')).toEqual({ ok: true, value: '42' });
  });

  test('from stderr', () => {
    expect(capture(spec({ regex: 'pid (\\d+)', from: 'stderr' }), 'pid 1', 'pid 2')).toEqual({
      ok: true,
      value: '2',
    });
  });

  test('JSONPath: strings as they are, anything else as JSON', () => {
    const out = JSON.stringify({ result: { height: 1200, name: 'n1', peers: ['a', 'b'] } });
    expect(capture(spec({ json: '$.result.name' }), out, '')).toEqual({ ok: true, value: 'n1' });
    expect(capture(spec({ json: '$.result.height' }), out, '')).toEqual({
      ok: true,
      value: '1200',
    });
    expect(capture(spec({ json: '$.result.peers' }), out, '')).toEqual({
      ok: true,
      value: '["a","b"]',
    });
    expect(capture(spec({ json: '$.result.peers[1]' }), out, '')).toEqual({ ok: true, value: 'b' });
  });

  test('failures say why', () => {
    expect(capture(spec({ regex: 'id=(\\w+)' }), 'nothing', '')).toEqual({
      ok: false,
      reason: 'no line of stdout matches /id=(\\w+)/',
    });
    expect(capture(spec({ json: '$.a' }), 'not json', '')).toEqual({
      ok: false,
      reason: 'stdout is not JSON',
    });
    expect(capture(spec({ json: '$.missing' }), '{"a":1}', '')).toEqual({
      ok: false,
      reason: 'nothing at $.missing',
    });
  });
});

test('durationMs', () => {
  expect(durationMs(undefined)).toBeUndefined();
  expect(durationMs(2)).toBe(2000);
  expect(durationMs('250ms')).toBe(250);
  expect(durationMs('1.5s')).toBe(1500);
  expect(durationMs('10m')).toBe(600_000);
  expect(durationMs('2h')).toBe(7_200_000);
  expect(durationMs('soon')).toBeUndefined();
});

describe('Variables', () => {
  const host = (name: string): Host => ({
    name,
    address: `10.0.0.${name.slice(1)}`,
    connection: 'local',
    env: {},
    vars: {},
    groups: [],
  });
  const vars = () =>
    new Variables('run-1', {
      global: { region: 'global-region' },
      forHost: (h) => ({ region: `region-of-${h}` }),
    });

  test('builtins, per-host parameters, choices before captures', () => {
    const v = vars();
    const n1 = v.lookupFor(host('n1'));
    expect([n1('host'), n1('host_address'), n1('run_id'), n1('region')]).toEqual([
      'n1',
      '10.0.0.1',
      'run-1',
      'region-of-n1',
    ]);
    expect(v.lookupFor({ ...host('n0'), name: 'local' })('region')).toBe('global-region');
    v.choices.set('snap', 'chosen');
    v.setCapture('snap', 'n1', 'captured');
    expect(n1('snap')).toBe('chosen');
    expect(n1('nothing')).toBeUndefined();
  });

  test('a capture is per host; the same value everywhere is shared; different values are ambiguous', () => {
    const v = vars();
    v.setCapture('leader', 'n1', 'n2');
    expect(v.lookupFor(host('n3'))('leader')).toBe('n2');
    v.setCapture('height', 'n1', '10');
    v.setCapture('height', 'n2', '11');
    expect(v.lookupFor(host('n2'))('height')).toBe('11');
    expect(() => v.lookupFor(host('n3'))('height')).toThrow(AmbiguousCaptureError);
  });
});

test('fanOut keeps results in input order and never exceeds the limit', async () => {
  let running = 0;
  let peak = 0;
  const results = await fanOut([30, 10, 20, 5, 15], 2, async (ms) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, ms));
    running--;
    return ms * 2;
  });
  expect(results).toEqual([60, 20, 40, 10, 30]);
  expect(peak).toBe(2);
  expect(await fanOut([1, 2], 0, async (x) => x)).toEqual([1, 2]);
});
