import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OperatorError } from '../../src/errors.ts';
import { journalPath } from '../../src/journal/paths.ts';
import { readJournal } from '../../src/journal/reader.ts';
import { JournalWriter } from '../../src/journal/writer.ts';
import { crashedRun, newJournal, RUN_ID, SECRET } from './sample-run.ts';

const dirs: string[] = [];
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-journal-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function catchError(fn: () => unknown): OperatorError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OperatorError);
    return error as OperatorError;
  }
  throw new Error('expected an OperatorError');
}

function writeAll(file: string) {
  const events = crashedRun();
  const writer = JournalWriter.create(file, newJournal());
  for (const e of events) writer.append(e);
  writer.close();
  return events;
}

describe('journal writer and reader', () => {
  it('round-trips the header and every event', () => {
    const file = journalPath(tmp(), RUN_ID);
    const events = writeAll(file);
    const read = readJournal(file);
    expect(read.tornTail).toBe(false);
    expect(read.events).toEqual(events);
    expect(read.header).toMatchObject({
      type: 'journal',
      version: 2,
      runId: RUN_ID,
      runbook: 'loom-restore',
      stepOrder: ['stop-loom', 'restore-data', 'rebuild-index', 'start-loom'],
      inventoryPath: '/inv/prod.yaml',
    });
    expect(file.endsWith(path.join('runs', RUN_ID, 'journal.jsonl'))).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('redacts secret parameters in the header', () => {
    const file = journalPath(tmp(), RUN_ID);
    JournalWriter.create(file, newJournal()).close();
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain(SECRET);
    expect(readJournal(file).header.params).toEqual({
      snapshot: 'snap-2026-11-20',
      s3_secret_key: '••••••',
    });
  });

  it('can drop output events when reading', () => {
    const file = journalPath(tmp(), RUN_ID);
    writeAll(file);
    const { events } = readJournal(file, { output: false });
    expect(events.some((e) => e.type === 'output')).toBe(false);
    expect(events.length).toBe(crashedRun().length - 2);
  });

  it('refuses to create over an existing journal', () => {
    const file = journalPath(tmp(), RUN_ID);
    writeAll(file);
    const before = fs.readFileSync(file);
    const error = catchError(() => JournalWriter.create(file, newJournal()));
    expect(error.message).toContain(file);
    expect(fs.readFileSync(file)).toEqual(before);
  });

  it('drops a torn last line and says so', () => {
    const file = journalPath(tmp(), RUN_ID);
    const events = writeAll(file);
    fs.appendFileSync(file, '{"runId":"20261121-031502-loom-restore-ab12","at":"2026-11-21T03:1');
    const read = readJournal(file);
    expect(read.tornTail).toBe(true);
    expect(read.events).toEqual(events);
  });

  it('reopening cuts a torn tail so the next event is not glued to it', () => {
    const file = journalPath(tmp(), RUN_ID);
    const events = writeAll(file);
    fs.appendFileSync(file, '{"runId":"20261121-0315');
    const writer = JournalWriter.reopen(file);
    const resumed = {
      runId: RUN_ID,
      at: '2026-11-21T04:00:00.000Z',
      type: 'run-resumed',
      changed: null,
    } as const;
    writer.append(resumed);
    writer.close();
    const read = readJournal(file);
    expect(read.tornTail).toBe(false);
    expect(read.events).toEqual([...events, resumed]);
  });

  it('reopening completes a last line that is whole but lacks its newline', () => {
    const file = journalPath(tmp(), RUN_ID);
    const events = writeAll(file);
    const last = { runId: RUN_ID, at: '2026-11-21T04:00:00.000Z', type: 'run-paused' } as const;
    fs.appendFileSync(file, JSON.stringify(last));
    const writer = JournalWriter.reopen(file);
    writer.close();
    expect(readJournal(file).events).toEqual([...events, last]);
  });

  it('a damaged middle line is an error naming file:line, and the file is left alone', () => {
    const file = journalPath(tmp(), RUN_ID);
    writeAll(file);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[4] = '{"runId": garbage';
    fs.writeFileSync(file, lines.join('\n'));
    const before = fs.readFileSync(file);
    const error = catchError(() => readJournal(file));
    expect(error.message).toContain(`${file}:5`);
    expect(error.message).toContain('damaged');
    expect(error.hint).toContain('Nothing was changed');
    expect(error.exitCode).toBe(1);
    expect(fs.readFileSync(file)).toEqual(before);
  });

  it('an event of another run is damage', () => {
    const file = journalPath(tmp(), RUN_ID);
    writeAll(file);
    fs.appendFileSync(file, `${JSON.stringify({ runId: 'other', at: 'x', type: 'run-paused' })}\n`);
    const lineCount = fs.readFileSync(file, 'utf8').split('\n').length - 1;
    expect(catchError(() => readJournal(file)).message).toContain(`${file}:${lineCount}`);
  });

  it('a missing or invalid header is an error at line 1', () => {
    const dir = tmp();
    const empty = path.join(dir, 'empty.jsonl');
    fs.writeFileSync(empty, '');
    expect(catchError(() => readJournal(empty)).message).toContain(`${empty}:1`);

    const noHeader = path.join(dir, 'no-header.jsonl');
    fs.writeFileSync(noHeader, `${JSON.stringify(crashedRun()[0])}\n`);
    expect(catchError(() => readJournal(noHeader)).message).toMatch(
      /:1 is damaged: the header is not valid/,
    );

    const badHeader = path.join(dir, 'bad-header.jsonl');
    fs.writeFileSync(badHeader, '{"type":"journal","version":1,"runId":"x"}\n');
    expect(catchError(() => readJournal(badHeader)).message).toContain(`${badHeader}:1`);
  });

  it('refuses a journal from a newer version', () => {
    const file = path.join(tmp(), 'future.jsonl');
    fs.writeFileSync(file, '{"type":"journal","version":3,"runId":"x","whatever":true}\n');
    const error = catchError(() => readJournal(file));
    expect(error.message).toContain(`${file}:1`);
    expect(error.message).toContain('version 3');
    expect(error.hint).toContain('newer stepwise');
  });

  it('a missing journal is an operator error naming it', () => {
    const file = path.join(tmp(), 'nope.jsonl');
    expect(catchError(() => readJournal(file)).message).toContain(file);
  });

  it('a failing write (ENOSPC on /dev/full) is an operator error naming the file, keeping the cause', () => {
    const writer = JournalWriter.reopen('/dev/full');
    const event = crashedRun()[0]!;
    const error = catchError(() => writer.append(event));
    expect(error.message).toContain('/dev/full');
    expect(error.hint).toContain('Free space');
    expect(error.exitCode).toBe(1);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOSPC');
    // Nothing may follow a failed write: the file could end in half a line.
    expect(catchError(() => writer.append(event))).toBe(error);
    writer.close();
  });

  it('a real disk filling up mid-run (64 KiB tmpfs) fails cleanly and leaves a readable journal', (ctx) => {
    const mount = tmp();
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount], { stdio: 'ignore' });
    } catch {
      // Not root here: the /dev/full test still covers the error path.
      ctx.skip('cannot mount a tmpfs (needs root)');
      return;
    }
    try {
      const file = journalPath(mount, RUN_ID);
      const writer = JournalWriter.create(file, newJournal());
      const [started] = crashedRun();
      writer.append(started!);
      const chunk = 'x'.repeat(3000);
      let error: OperatorError | undefined;
      for (let i = 0; i < 100 && !error; i++) {
        try {
          writer.append({
            runId: RUN_ID,
            at: started!.at,
            type: 'output',
            host: 'node1',
            stream: 'stdout',
            data: chunk,
          });
        } catch (e) {
          error = e as OperatorError;
        }
      }
      expect(error).toBeInstanceOf(OperatorError);
      expect(error!.message).toContain(file);
      expect((error!.cause as NodeJS.ErrnoException).code).toBe('ENOSPC');
      writer.close();
      const read = readJournal(file);
      expect(read.header.runId).toBe(RUN_ID);
      expect(read.events[0]).toEqual(started);
    } finally {
      execFileSync('umount', [mount]);
    }
  });
});
