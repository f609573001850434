/**
 * The plain renderer's output lines: prefixed per host and stream when a step runs on several
 * hosts (stdout of a one-host step as it is), whole lines only.
 */
import { expect, test } from 'vitest';
import type { RunEvent } from '../../src/engine/events.ts';
import { plainRenderer } from '../../src/render/plain-renderer.ts';

const base = { runId: 'r1', at: '2026-11-21T03:00:00.000Z' };
const output = (host: string, data: string, stream: 'stdout' | 'stderr' = 'stdout'): RunEvent => ({
  ...base,
  type: 'output',
  step: 'one',
  host,
  stream,
  data,
});
const finished = (host: string): RunEvent => ({
  ...base,
  type: 'host-finished',
  step: 'one',
  host,
  phase: 'run',
  status: 'ok',
  exitCode: 0,
  signal: null,
  durationMs: 0,
});

function render(events: RunEvent[]): string {
  let text = '';
  const renderer = plainRenderer(['one'], (t) => {
    text += t;
  });
  for (const e of events) renderer(e);
  return text;
}

test('every line is prefixed, lines split across chunks are shown whole', () => {
  expect(render([output('n1', 'a\nb'), output('n1', 'c\nd\n'), output('n1', 'e\n')])).toBe(
    '    n1 | a\n    n1 | bc\n    n1 | d\n    n1 | e\n',
  );
});

test('hosts and streams keep their own partial lines; the last ones show when the host ends', () => {
  const text = render([
    output('n1', 'out-'),
    output('n1', 'err-', 'stderr'),
    output('n2', 'other\n'),
    output('n1', 'tail'),
    finished('n1'),
  ]);
  expect(text).toBe('    n2 | other\n    n1 | out-tail\n    n1!| err-\n  n1 ✓ exit 0 · 0.0s\n');
});

test('a host name with $ in it is printed as it is', () => {
  expect(render([output('db$1', 'x\ny\n')])).toBe('    db$1 | x\n    db$1 | y\n');
});

test('a line longer than 64 KiB is shown in pieces rather than held until its newline', () => {
  const long = 'x'.repeat(70 * 1024);
  expect(render([output('n1', long)])).toBe(`    n1 | ${long}\n`);
});

test('text outside ASCII keeps its bytes, split across chunks or not', () => {
  expect(render([output('n1', 'héllo ✓ '), output('n1', 'naïve\nзаписи\n')])).toBe(
    '    n1 | héllo ✓ naïve\n    n1 | записи\n',
  );
});

const started = (hosts: string[]): RunEvent => ({
  ...base,
  type: 'step-started',
  step: 'one',
  title: 'One',
  risk: 'read-only',
  hosts,
  attempt: 1,
});

test("a one-host step's stdout is shown as it is, whole lines; its stderr keeps the prefix", () => {
  const text = render([
    started(['n1']),
    output('n1', 'a\nb'),
    output('n1', 'oops\n', 'stderr'),
    output('n1', 'c\nd'),
    output('n1', 'half', 'stderr'),
    finished('n1'),
  ]);
  expect(text.slice(text.indexOf('\n', 1) + 1)).toBe(
    'a\n    n1!| oops\nbc\nd\n    n1!| half\n  n1 ✓ exit 0 · 0.0s\n',
  );
  const long = 'y'.repeat(70 * 1024);
  expect(render([started(['n1']), output('n1', long)]).endsWith(`\n${long}\n`)).toBe(true);
});

test('with several hosts every stdout line names its host', () => {
  const text = render([started(['n1', 'n2']), output('n2', 'x\n'), output('n1', 'y\n')]);
  expect(text.endsWith('    n2 | x\n    n1 | y\n')).toBe(true);
});

test("a passing verification's last line without a newline is shown when it ends, not glued to the host's next output", () => {
  const verifyOk: RunEvent = { ...(finished('n1') as object), phase: 'verify' } as RunEvent;
  const text = render([
    output('n1', 'x\n'),
    output('n2', 'y\n'),
    output('n1', '{"status":"green"}'),
    verifyOk,
    output('n1', 'next\n'),
  ]);
  expect(text).toBe('    n1 | x\n    n2 | y\n    n1 | {"status":"green"}\n    n1 | next\n');
});
