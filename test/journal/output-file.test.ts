/**
 * Journal format 2: command output is kept raw in output.log beside the journal, and the
 * journal's output lines say where. Version-1 journals (output inline) still read and resume.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { RunEvent } from '../../src/engine/events.ts';
import { OperatorError } from '../../src/errors.ts';
import { journalPath } from '../../src/journal/paths.ts';
import { readJournal } from '../../src/journal/reader.ts';
import { JournalWriter } from '../../src/journal/writer.ts';
import { header, newJournal, RUN_ID } from './sample-run.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function journalFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-output-'));
  dirs.push(dir);
  return journalPath(dir, RUN_ID);
}

const at = '2026-11-21T03:15:03.000Z';
const output = (
  data: string,
  host = 'node1',
  stream: 'stdout' | 'stderr' = 'stdout',
): RunEvent => ({
  type: 'output',
  runId: RUN_ID,
  at,
  step: 'stop-loom',
  host,
  stream,
  data,
});
const warning: RunEvent = { type: 'warning', runId: RUN_ID, at, message: 'look' };
const rawLines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .slice(1, -1)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

it('keeps output raw in output.log and points at it from the journal', () => {
  const file = journalFile();
  const writer = JournalWriter.create(file, newJournal());
  writer.append(output('héllo "quoted"\n'));
  writer.append(output('oops\n', 'node1', 'stderr'));
  writer.append(output('node2 line\n', 'node2'));
  writer.append(warning);
  writer.close();

  const log = path.join(path.dirname(file), 'output.log');
  expect(fs.readFileSync(log, 'utf8')).toBe('héllo "quoted"\noops\nnode2 line\n');
  expect(fs.statSync(log).mode & 0o777).toBe(0o600);
  const lines = rawLines(file);
  expect(lines[0]).toMatchObject({ type: 'output', host: 'node1', offset: 0, length: 16 });
  expect(lines[0]).not.toHaveProperty('data');
  expect(lines[1]).toMatchObject({ stream: 'stderr', offset: 16, length: 5 });
  expect(readJournal(file).events).toEqual([
    output('héllo "quoted"\n'),
    output('oops\n', 'node1', 'stderr'),
    output('node2 line\n', 'node2'),
    warning,
  ]);
  expect(readJournal(file, { output: false }).events).toEqual([warning]);
});

it('resumes after bytes were written that no line points at, and reads the rest right', () => {
  const file = journalFile();
  const first = JournalWriter.create(file, newJournal());
  first.append(output('before\n'));
  first.append(warning);
  first.close();
  // A crash between writing the bytes and the line that points at them.
  fs.appendFileSync(path.join(path.dirname(file), 'output.log'), 'orphan bytes\n');
  const again = JournalWriter.reopen(file);
  again.append(output('after\n'));
  again.close();
  expect(readJournal(file).events).toEqual([output('before\n'), warning, output('after\n')]);
});

it('names the journal line whose output is missing from output.log', () => {
  const file = journalFile();
  const writer = JournalWriter.create(file, newJournal());
  writer.append(output('0123456789\n'));
  writer.close();
  fs.truncateSync(path.join(path.dirname(file), 'output.log'), 4);
  let error: unknown;
  try {
    readJournal(file);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(OperatorError);
  expect((error as Error).message).toContain(`${file}:2`);
  expect((error as Error).message).toContain('output.log');
  // Listing runs does not need the output, so it still works.
  expect(readJournal(file, { output: false }).events).toEqual([]);
});

it('reads a version-1 journal and keeps appending to it in version 1', () => {
  const file = journalFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const inline = output('inline\n');
  fs.writeFileSync(file, `${JSON.stringify(header())}\n${JSON.stringify(inline)}\n`);
  expect(readJournal(file).header.version).toBe(1);
  const writer = JournalWriter.reopen(file);
  writer.append(output('more\n'));
  writer.append(warning);
  writer.close();
  expect(fs.existsSync(path.join(path.dirname(file), 'output.log'))).toBe(false);
  expect(rawLines(file)[1]).toMatchObject({ data: 'more\n' });
  expect(readJournal(file).events).toEqual([inline, output('more\n'), warning]);
});
