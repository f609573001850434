/** Judges a probe's result against a declarative `expect:` block. */
import type { Expect } from '../runbook/schema.ts';
import type { ProbeResult } from './checks/kind.ts';

/** The outcome of judging: on failure, what was expected and what was found. */
export type Judgement =
  | { ok: true; found: string }
  | { ok: false; expected: string; found: string };

const ops = {
  gt: (a: number, b: number) => a > b,
  gte: (a: number, b: number) => a >= b,
  lt: (a: number, b: number) => a < b,
  lte: (a: number, b: number) => a <= b,
  eq: (a: number, b: number) => a === b,
} as const;
const opText = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '=' } as const;

/** What `found` says when a command printed nothing (already in parentheses). */
export const NO_OUTPUT = '(no output)';

/** Short, one-line form of output for evidence. */
export function summarize(text: string, max = 200): string {
  const t = text.trim();
  const firstLines = t.split('\n').slice(0, 3).join(' ⏎ ');
  return firstLines.length > max ? `${firstLines.slice(0, max - 1)}…` : firstLines;
}

/**
 * `resolve` renders template values in number comparisons (e.g. `gte: "{{ min_height }}"`).
 */
export function judge(
  result: ProbeResult,
  expect: Expect | undefined,
  resolve: (template: string) => string = (t) => t,
): Judgement {
  const found = summarize(result.stdout) || summarize(result.stderr) || NO_OUTPUT;
  const exits = expect?.exit === undefined ? [0] : [expect.exit].flat();
  if (result.exitCode === null || !exits.includes(result.exitCode)) {
    const how = result.exitCode === null ? 'killed by a signal' : `exit ${result.exitCode}`;
    return { ok: false, expected: `exit ${exits.join(' or ')}`, found: `${how}: ${found}` };
  }
  if (expect?.stdout !== undefined && !new RegExp(expect.stdout, 'm').test(result.stdout)) {
    return { ok: false, expected: `output matching /${expect.stdout}/`, found };
  }
  if (expect?.stdout_not !== undefined && new RegExp(expect.stdout_not, 'm').test(result.stdout)) {
    return { ok: false, expected: `output not matching /${expect.stdout_not}/`, found };
  }
  if (expect?.stderr !== undefined && !new RegExp(expect.stderr, 'm').test(result.stderr)) {
    return {
      ok: false,
      expected: `errors matching /${expect.stderr}/`,
      found: summarize(result.stderr),
    };
  }
  if (expect?.number) {
    const { from, ...limits } = expect.number;
    let raw = result.stdout.trim();
    if (from !== undefined) {
      const m = new RegExp(from, 'm').exec(result.stdout);
      raw = m ? (m[1] ?? m[0]) : '';
    }
    const value = Number(raw);
    if (raw === '' || Number.isNaN(value)) {
      return { ok: false, expected: 'a number', found: raw === '' ? found : raw };
    }
    for (const [op, limitRaw] of Object.entries(limits) as [keyof typeof ops, number | string][]) {
      if (limitRaw === undefined) continue;
      const limit = Number(typeof limitRaw === 'string' ? resolve(limitRaw) : limitRaw);
      if (!ops[op](value, limit)) {
        return { ok: false, expected: `a number ${opText[op]} ${limit}`, found: String(value) };
      }
    }
    return { ok: true, found: String(value) };
  }
  return { ok: true, found };
}
