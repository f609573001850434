/**
 * The journal batches command output (at most 256 KiB or 50 ms) and nothing else: every other
 * event, and all output before it, is in the file when `append` returns.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { toJsonLine } from '../../src/engine/event-bus.ts';
import type { RunEvent } from '../../src/engine/events.ts';
import { OperatorError } from '../../src/errors.ts';
import { journalPath } from '../../src/journal/paths.ts';
import { readJournal } from '../../src/journal/reader.ts';
import { JournalWriter } from '../../src/journal/writer.ts';
import { newJournal, RUN_ID } from './sample-run.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function create(): { writer: JournalWriter; lines: () => RunEvent[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-batching-'));
  dirs.push(dir);
  const file = journalPath(dir, RUN_ID);
  const writer = JournalWriter.create(file, newJournal());
  // Read back as the reader sees it: output lines point into output.log and get their text back.
  const lines = () => readJournal(file).events;
  return { writer, lines };
}

const at = '2026-11-21T03:15:03.000Z';
const output = (data: string): RunEvent => ({
  type: 'output',
  runId: RUN_ID,
  at,
  step: 'stop-loom',
  host: 'node1',
  stream: 'stdout',
  data,
});
const finished: RunEvent = {
  type: 'host-finished',
  runId: RUN_ID,
  at,
  step: 'stop-loom',
  host: 'node1',
  phase: 'run',
  status: 'ok',
  exitCode: 0,
  signal: null,
  durationMs: 5,
};

it('writes held output before the next other event, in order, by the time append returns', () => {
  const { writer, lines } = create();
  writer.append(output('one\n'));
  writer.append(output('two\n'));
  expect(lines()).toEqual([]);
  writer.append(finished);
  // Consecutive chunks of one stream become one journal line.
  expect(lines()).toEqual([output('one\ntwo\n'), finished]);
  writer.close();
});

it('writes output once 256 KiB of it is held', () => {
  const { writer, lines } = create();
  const chunk = 'x'.repeat(80 * 1024);
  for (let i = 0; i < 3; i++) writer.append(output(chunk));
  expect(lines()).toEqual([]);
  writer.append(output(chunk));
  expect(lines()).toEqual([output(chunk.repeat(4))]);
  writer.close();
});

it('writes output held for 50 ms without waiting for another event', async () => {
  const { writer, lines } = create();
  writer.append(output('slow\n'));
  await new Promise((resolve) => setTimeout(resolve, 120));
  expect(lines()).toEqual([output('slow\n')]);
  writer.close();
});

it('writes held output on close', () => {
  const { writer, lines } = create();
  writer.append(output('last\n'));
  writer.close();
  expect(lines()).toEqual([output('last\n')]);
});

it('uses the line it is given, which is the one --json prints', () => {
  const { writer, lines } = create();
  writer.append(finished, toJsonLine(finished));
  writer.close();
  expect(lines()).toEqual([finished]);
});

it('a timed write that fails is reported by close(), since no append was left to report it', async () => {
  const writer = JournalWriter.reopen('/dev/full');
  writer.append(output('lost\n'));
  await new Promise((resolve) => setTimeout(resolve, 120));
  let error: unknown;
  try {
    writer.close();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(OperatorError);
  expect((error as OperatorError).message).toContain('/dev/full');
  expect(((error as OperatorError).cause as NodeJS.ErrnoException).code).toBe('ENOSPC');
  expect(() => writer.close()).not.toThrow();
});

// Thousands of chunks between other events: output lines are cut where batches were written.
it('a chatty step reads back exactly, every event in order', () => {
  const { writer, lines } = create();
  const expected: string[] = [];
  let text = '';
  for (let i = 0; i < 4000; i++) {
    const chunk = `${i} ${'y'.repeat(i % 700)}\n`;
    writer.append(output(chunk));
    text += chunk;
    if (i % 1000 === 999) {
      writer.append(finished);
      // Everything but output is in the file when append returns.
      expect(lines().at(-1)).toEqual(finished);
      expected.push(text, 'finished');
      text = '';
    }
  }
  writer.close();
  // Output lines are cut where batches were written; joined, each run of them is the text.
  const got: string[] = [];
  for (const e of lines()) {
    if (e.type === 'output' && typeof got.at(-1) === 'string' && got.at(-1) !== 'finished') {
      got[got.length - 1] += e.data;
    } else got.push(e.type === 'output' ? e.data : 'finished');
  }
  expect(got).toEqual(expected);
});
