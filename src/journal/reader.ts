/**
 * Reads a journal back. A torn last line (the process died in the middle of a write) is
 * expected after a crash and is dropped; any other damage stops the read with the file and
 * line, and the journal is left exactly as it is.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunEvent } from '../engine/events.ts';
import { EXIT, OperatorError } from '../errors.ts';
import {
  JOURNAL_VERSION,
  type JournalHeader,
  journalHeaderSchema,
  OUTPUT_FILE,
  READABLE_VERSIONS,
} from './header.ts';
import { OutputFileReader } from './output-file.ts';

/** A journal as read from disk. */
export interface JournalContents {
  header: JournalHeader;
  events: RunEvent[];
  /** The last line was an incomplete write and was dropped; the caller should say so. */
  tornTail: boolean;
}

export interface ReadJournalOptions {
  /** Keep `output` events (default true). Listing runs does not need them, and they are most of a journal. */
  output?: boolean;
}

const CHUNK = 1024 * 1024;

/** Reads and checks a whole journal. Throws an {@link OperatorError} naming `file:line` if it is damaged. */
export function readJournal(file: string, options: ReadJournalOptions = {}): JournalContents {
  const keepOutput = options.output ?? true;
  let header: JournalHeader | undefined;
  let outputFile: OutputFileReader | undefined;
  const events: RunEvent[] = [];
  let tornTail = false;
  let lineNo = 0;

  const take = (bytes: Buffer, terminated: boolean): void => {
    lineNo++;
    const text = bytes.toString('utf8');
    if (header === undefined) {
      header = parseHeader(file, text, terminated);
      return;
    }
    if (text === '') throw damaged(file, lineNo, 'an empty line');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (!terminated) {
        tornTail = true;
        return;
      }
      throw damaged(file, lineNo, 'a line that is not valid JSON', error);
    }
    const event = asEvent(value, header.runId);
    if (typeof event === 'string') throw damaged(file, lineNo, event);
    if (event.type !== 'output') {
      events.push(event);
    } else if (keepOutput) {
      if (header.version === 1) {
        events.push(event);
      } else {
        outputFile ??= new OutputFileReader(path.join(path.dirname(file), OUTPUT_FILE));
        const data = outputFile.read(event as unknown as OutputRef);
        if (typeof data !== 'string') throw damaged(file, lineNo, data.problem);
        const { offset: _o, length: _l, ...rest } = event as unknown as OutputRef;
        events.push({ ...(rest as object), data } as RunEvent);
      }
    }
  };

  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new OperatorError(
      missing
        ? `There is no journal at ${file}.`
        : `Could not read the journal ${file}: ${(error as Error).message}`,
      missing
        ? 'Check the run id: `stepwise runs` lists the runs kept on this machine.'
        : 'Check the permissions of the file and of the directory that holds it.',
      EXIT.failed,
      { cause: error },
    );
  }
  try {
    // Read in chunks and split on newline bytes, so a journal larger than a string can hold
    // (a long stream of output) can still be read.
    const chunk = Buffer.alloc(CHUNK);
    let pending: Buffer[] = [];
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, CHUNK, null);
      if (n === 0) break;
      const data = chunk.subarray(0, n);
      let from = 0;
      for (let at = data.indexOf(0x0a); at >= 0; at = data.indexOf(0x0a, from)) {
        const piece = data.subarray(from, at);
        take(pending.length ? Buffer.concat([...pending, piece]) : piece, true);
        pending = [];
        from = at + 1;
      }
      // Copied: `chunk` is reused by the next read.
      if (from < n) pending.push(Buffer.from(data.subarray(from)));
    }
    if (pending.length) take(Buffer.concat(pending), false);
  } finally {
    fs.closeSync(fd);
    outputFile?.close();
  }
  if (header === undefined) throw damaged(file, 1, 'the file is empty, with no header line');
  return { header, events, tornTail };
}

function parseHeader(file: string, text: string, terminated: boolean): JournalHeader {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const what = terminated ? 'the header line is not valid JSON' : 'the header line is incomplete';
    throw damaged(file, 1, what, error);
  }
  const raw = value as { type?: unknown; version?: unknown } | null;
  if (
    raw !== null &&
    typeof raw === 'object' &&
    raw.type === 'journal' &&
    typeof raw.version === 'number' &&
    !READABLE_VERSIONS.includes(raw.version)
  ) {
    throw new OperatorError(
      `The journal ${file}:1 has format version ${raw.version}; this stepwise reads versions ${READABLE_VERSIONS.join(' and ')}.`,
      raw.version > JOURNAL_VERSION
        ? 'It was written by a newer stepwise: use that version to resume or report this run. Nothing was changed.'
        : 'Nothing was changed. This version cannot read it.',
      EXIT.failed,
    );
  }
  const parsed = journalHeaderSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
    throw damaged(
      file,
      1,
      `the header is not valid${where}: ${issue?.message ?? 'unknown problem'}`,
    );
  }
  return parsed.data;
}

/** The event, or what is wrong with it. Only the envelope is checked: the writer is trusted for the rest. */
function asEvent(value: unknown, runId: string): RunEvent | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return 'a line that is not an event';
  const event = value as { type?: unknown; at?: unknown; runId?: unknown };
  if (typeof event.type !== 'string' || typeof event.at !== 'string') {
    return 'an event without a type or time';
  }
  if (event.runId !== runId) return `an event of another run (${String(event.runId)})`;
  return value as RunEvent;
}

/** A version-2 `output` line: where its bytes are in the output file. */
interface OutputRef {
  offset: number;
  length: number;
}

function damaged(file: string, line: number, what: string, cause?: unknown): OperatorError {
  return new OperatorError(
    `The journal ${file}:${line} is damaged: ${what}.`,
    'Nothing was changed: the journal is left exactly as it is. Keep a copy of it for the record; this run cannot be resumed from it, so start a new run.',
    EXIT.failed,
    cause === undefined ? undefined : { cause },
  );
}
