/** judge(): a probe's result against a declarative `expect:` block. */
import { describe, expect, test } from 'vitest';
import type { ProbeResult } from '../../src/engine/checks/kind.ts';
import { judge, summarize } from '../../src/engine/expect.ts';

const result = (stdout: string, exitCode: number | null = 0, stderr = ''): ProbeResult => ({
  exitCode,
  stdout,
  stderr,
});

describe('exit codes', () => {
  test('0 by default', () => {
    expect(judge(result('fine'), undefined)).toEqual({ ok: true, found: 'fine' });
    expect(judge(result('', 2, 'boom'), undefined)).toEqual({
      ok: false,
      expected: 'exit 0',
      found: 'exit 2: boom',
    });
  });

  test('a single code or a list', () => {
    expect(judge(result('', 3), { exit: 3 }).ok).toBe(true);
    expect(judge(result('', 1), { exit: [0, 1] }).ok).toBe(true);
    expect(judge(result('x', 2), { exit: [0, 1] })).toEqual({
      ok: false,
      expected: 'exit 0 or 1',
      found: 'exit 2: x',
    });
  });

  test('killed by a signal never passes', () => {
    expect(judge(result('', null), { exit: [0] })).toEqual({
      ok: false,
      expected: 'exit 0',
      found: 'killed by a signal: (no output)',
    });
  });
});

describe('output regexes', () => {
  test('stdout must match, per line (multiline)', () => {
    expect(judge(result('a\nstatus: active\n'), { stdout: '^status: active$' }).ok).toBe(true);
    expect(judge(result('status: failed'), { stdout: '^status: active$' })).toEqual({
      ok: false,
      expected: 'output matching /^status: active$/',
      found: 'status: failed',
    });
  });

  test('stdout_not must not match', () => {
    expect(judge(result('all good'), { stdout_not: 'ERROR' }).ok).toBe(true);
    expect(judge(result('x\nERROR: disk'), { stdout_not: '^ERROR' })).toEqual({
      ok: false,
      expected: 'output not matching /^ERROR/',
      found: 'x ⏎ ERROR: disk',
    });
  });

  test('stderr must match', () => {
    expect(judge(result('', 0, 'warning: old\n'), { stderr: 'warning' }).ok).toBe(true);
    expect(judge(result('out', 0, 'nothing'), { stderr: 'warning' })).toEqual({
      ok: false,
      expected: 'errors matching /warning/',
      found: 'nothing',
    });
  });

  test('every condition must hold, exit first', () => {
    expect(judge(result('ok', 1), { stdout: 'ok' }).ok).toBe(false);
    expect(judge(result('ok ERROR'), { stdout: 'ok', stdout_not: 'ERROR' }).ok).toBe(false);
  });
});

describe('number comparisons', () => {
  test('the whole output by default', () => {
    expect(judge(result(' 42\n'), { number: { gte: 42, lt: 43 } })).toEqual({
      ok: true,
      found: '42',
    });
    expect(judge(result('42'), { number: { gt: 42 } })).toEqual({
      ok: false,
      expected: 'a number > 42',
      found: '42',
    });
  });

  test('each operator', () => {
    const n = (op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq', limit: number) =>
      judge(result('10'), { number: { [op]: limit } }).ok;
    expect([n('gt', 9), n('gt', 10), n('gte', 10), n('gte', 11)]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect([n('lt', 11), n('lt', 10), n('lte', 10), n('lte', 9)]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect([n('eq', 10), n('eq', 10.5)]).toEqual([true, false]);
  });

  test('`from` takes the first group, or the whole match', () => {
    const out = 'height: 1200\npeers: 3\n';
    expect(judge(result(out), { number: { from: 'peers: (\\d+)', gte: 3 } })).toEqual({
      ok: true,
      found: '3',
    });
    expect(judge(result(out), { number: { from: '\\d{4}', eq: 1200 } }).ok).toBe(true);
    expect(judge(result(out), { number: { from: 'lag: (\\d+)', lt: 5 } })).toEqual({
      ok: false,
      expected: 'a number',
      found: 'height: 1200 ⏎ peers: 3',
    });
  });

  test('output that is not a number fails as such', () => {
    expect(judge(result('n/a'), { number: { gt: 0 } })).toEqual({
      ok: false,
      expected: 'a number',
      found: 'n/a',
    });
  });

  test('templated limits are resolved, then compared as numbers', () => {
    const resolve = (t: string) => t.replace('{{ min_height }}', '1000');
    expect(judge(result('999'), { number: { gte: '{{ min_height }}' } }, resolve)).toEqual({
      ok: false,
      expected: 'a number >= 1000',
      found: '999',
    });
    expect(judge(result('1000'), { number: { gte: '{{ min_height }}' } }, resolve).ok).toBe(true);
    // Compared as numbers, not strings: "9" < "10" as text would be false.
    expect(judge(result('9'), { number: { lt: '10' } }).ok).toBe(true);
  });
});

test('summarize keeps three lines and a bounded length', () => {
  expect(summarize('a\nb\nc\nd')).toBe('a ⏎ b ⏎ c');
  expect(summarize('x'.repeat(300))).toHaveLength(200);
  expect(summarize('  \n')).toBe('');
});
