/** The plain renderer's output lines: prefixed per host and stream, whole lines only. */
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
