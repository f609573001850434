/**
 * Appends a run's events to its journal, one JSON object per line. Writes go straight to the
 * file descriptor (no userland buffer), so an event is in the kernel as soon as `append` returns
 * and survives the process being killed; fsync makes it survive a power cut as well. The one
 * exception is command output, which is batched (see `append`).
 *
 * Command output goes, as raw bytes, to `output.log` beside the journal (format version 2); the
 * journal's `output` lines say where (`offset`, `length`). Bytes are always written before the
 * line that points at them, so a crash can leave bytes nothing points to, never a dangling line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { toJsonLine } from '../engine/event-bus.ts';
import type { RunEvent } from '../engine/events.ts';
import { outputBytes, withoutData } from '../engine/output-data.ts';
import { MASK } from '../engine/redact.ts';
import { EXIT, OperatorError } from '../errors.ts';
import { JOURNAL_VERSION, type JournalHeader, OUTPUT_FILE } from './header.ts';
import { writevAll } from './write-all.ts';

/** What a new journal's header is made of. */
export interface NewJournal {
  runId: string;
  /** The runbook's id. */
  runbook: string;
  runbookPath: string;
  runbookHash: string;
  /** Step id → hash of that step's definition. */
  stepHashes: Record<string, string>;
  /** Step ids in runbook order; defaults to the keys of `stepHashes`. */
  stepOrder?: string[];
  /** Every parameter value; the ones named in `secretParams` are replaced by `••••••`. */
  params: Record<string, string>;
  secretParams: Iterable<string>;
  /** Non-secret `--set` values as given (secret ones are dropped here too). */
  sets?: Record<string, string>;
  inventoryPath?: string;
  /** ISO-8601 time from the injected clock. */
  createdAt: string;
}

/**
 * Output lines held back for one write reach the kernel once they add up to this many chars (a
 * write per 22 KiB SSH packet cost twice the time of fewer, larger ones)…
 */
const OUTPUT_BATCH_CHARS = 256 * 1024;
/** …or once the oldest of them is this old, whichever comes first. */
const OUTPUT_BATCH_MS = 50;

/**
 * The output file is flushed to disk this often, on the thread pool while the step goes on, so
 * the fsync that makes the step durable has little left to write.
 */
const DATASYNC_EVERY = 32 * 1024 * 1024;

/** A version-2 `output` line not written yet; consecutive chunks of one stream share it. */
interface HeldRef {
  event: Extract<RunEvent, { type: 'output' }>;
  offset: number;
  length: number;
}

/**
 * Events that change what a resume does (a step started or ended, an answer, a pick, a capture, how
 * the run ended) are fsync'd before `append` returns, so they survive a power cut. The others
 * (check results, a host's start and end, progress, warnings) are written at once as well and so
 * survive the process being killed, and the next durable event's fsync covers them. An fsync per
 * event cost a 50-host fan-out more time than its commands took.
 */
const DURABLE: ReadonlySet<RunEvent['type']> = new Set([
  'run-started',
  'run-resumed',
  'step-started',
  'step-finished',
  'decision',
  'check-overridden',
  'choice',
  'capture',
  'run-paused',
  'run-finished',
]);

export class JournalWriter {
  readonly path: string;
  #fd: number | null;
  /** The output file of a version-2 journal; null for a version-1 journal (output inline). */
  #outFd: number | null = null;
  /** Where the next output byte goes in the output file. */
  #outOffset = 0;
  /** Output bytes not written yet. */
  #heldOut: Buffer[] = [];
  /** Set once a write failed: the file may end in a partial line, so nothing may follow it. */
  #failure: OperatorError | null = null;
  /** A failure met by a timed write, which no caller has seen yet: close() reports it. */
  #unreported = false;
  /** Lines not written yet, in order, and their total length. */
  #held: (string | HeldRef)[] = [];
  #heldChars = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Output written since the last fdatasync was started, and whether one is running. */
  #outputSinceDatasync = 0;
  #datasyncing = false;

  private constructor(file: string, fd: number) {
    this.path = file;
    this.#fd = fd;
  }

  /** Creates the journal of a new run (refusing to touch an existing file) and writes its header. */
  static create(file: string, journal: NewJournal): JournalWriter {
    let fd: number;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      // `ax`: a run id is never reused, and appending to another run's journal would mix two runs.
      fd = fs.openSync(file, 'ax', 0o600);
    } catch (error) {
      throw journalError(file, 'create', error);
    }
    const writer = new JournalWriter(file, fd);
    try {
      writer.#outFd = fs.openSync(path.join(path.dirname(file), OUTPUT_FILE), 'ax', 0o600);
      writer.#write(`${JSON.stringify(headerOf(journal))}\n`, true);
      // The new file's directory entry, and the run's new directory, must survive a power cut too.
      syncDirectory(path.dirname(file));
      syncDirectory(path.dirname(path.dirname(file)));
    } catch (error) {
      writer.close();
      throw error;
    }
    return writer;
  }

  /**
   * Opens an existing journal to append to it (resuming a run). A torn last line (a crash in the
   * middle of a write) is cut off first, since the next line would otherwise be glued to it and
   * damage the journal; the reader already ignored it, so nothing it reported is lost.
   */
  static reopen(file: string): JournalWriter {
    let fd: number;
    try {
      fd = fs.openSync(file, 'a');
    } catch (error) {
      throw journalError(file, 'open', error);
    }
    const writer = new JournalWriter(file, fd);
    try {
      repairTornTail(file, fd);
      if (headerVersion(file) >= 2) {
        const out = path.join(path.dirname(file), OUTPUT_FILE);
        writer.#outFd = fs.openSync(out, 'a', 0o600);
        // Bytes past the last line that points at them (a crash between the two writes) are
        // left where they are: offsets are absolute, so they are simply never read.
        writer.#outOffset = fs.fstatSync(writer.#outFd).size;
      }
    } catch (error) {
      fs.closeSync(fd);
      if (writer.#outFd !== null) fs.closeSync(writer.#outFd);
      if (error instanceof OperatorError) throw error;
      throw journalError(file, 'repair', error);
    }
    return writer;
  }

  /**
   * Appends one event; `line` is its JSON line when the caller already made it (the bus shares
   * one with `--json`). Every event but `output` is in the kernel when this returns, and the DURABLE ones fsync'd.
   *
   * Output is batched: a command printing small chunks would otherwise cost a write system call
   * per chunk. It is held for at most 256 KiB or 50 ms, so a stepwise killed outright (kill -9)
   * loses at most that much output from its journal, and never an event that says what happened
   * or what to resume: anything held is written before the next other event (in the same write,
   * so the journal keeps the order of events) and on close. Nor is output fsync'd chunk by chunk,
   * which would cap streaming at the disk's sync rate: the fsync of the host-finished or
   * step-finished that follows makes it durable.
   */
  append(event: RunEvent, line?: string): void {
    if (event.type === 'output') {
      if (this.#outFd === null) this.#hold(line ?? toJsonLine(event), line?.length ?? 0);
      else this.#holdOutput(event);
      return;
    }
    this.#writable();
    this.#held.push(line ?? toJsonLine(event));
    this.#flush(DURABLE.has(event.type));
  }

  /** Queues the bytes for the output file and a line pointing at them. */
  #holdOutput(event: Extract<RunEvent, { type: 'output' }>): void {
    this.#writable();
    const bytes = outputBytes(event);
    this.#heldOut.push(bytes);
    const last = this.#held.at(-1);
    // One line for a run of chunks from the same stream, instead of one per chunk.
    if (
      typeof last === 'object' &&
      last.offset + last.length === this.#outOffset &&
      last.event.host === event.host &&
      last.event.stream === event.stream &&
      last.event.step === event.step &&
      last.event.check === event.check
    ) {
      last.length += bytes.length;
    } else {
      this.#held.push({ event, offset: this.#outOffset, length: bytes.length });
    }
    this.#outOffset += bytes.length;
    this.#hold(undefined, bytes.length);
  }

  /** Flushes what is left to disk and closes the file. Closing twice is harmless. */
  close(): void {
    const fd = this.#fd;
    if (fd === null) return;
    try {
      if (this.#failure === null) this.#flush(true);
    } finally {
      this.#fd = null;
      clearTimeout(this.#timer);
      fs.closeSync(fd);
      if (this.#outFd !== null) fs.closeSync(this.#outFd);
      this.#outFd = null;
    }
    // A failed timed write left output out of the journal, and nobody has been told yet.
    if (this.#unreported) {
      this.#unreported = false;
      throw this.#failure;
    }
  }

  /** Holds a version-1 output line (or accounts for bytes #holdOutput queued) until a flush. */
  #hold(line: string | undefined, size: number): void {
    this.#writable();
    if (line !== undefined) this.#held.push(line);
    this.#heldChars += line?.length ?? size;
    if (this.#heldChars >= OUTPUT_BATCH_CHARS) {
      this.#flush(false);
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      try {
        this.#flush(false);
      } catch {
        // Kept in #failure: the next append, or close(), reports it.
        this.#unreported = true;
      }
    }, OUTPUT_BATCH_MS).unref();
  }

  /**
   * Writes held output bytes, then every held line in one system call, then fsyncs if asked (the
   * output file first, so no synced line points at bytes a power cut could lose).
   */
  #flush(sync: boolean): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const held = this.#held;
    const out = this.#heldOut;
    this.#held = [];
    this.#heldOut = [];
    this.#heldChars = 0;
    if (this.#outFd !== null && (out.length > 0 || sync)) this.#writeOutput(out, sync);
    const lines = held.map((h) => (typeof h === 'string' ? h : refLine(h)));
    this.#write(lines.length === 1 ? lines[0]! : lines.join(''), sync);
  }

  #writeOutput(chunks: Buffer[], sync: boolean): void {
    const fd = this.#outFd!;
    try {
      writevAll(fd, chunks);
      for (const c of chunks) this.#outputSinceDatasync += c.length;
      if (sync) fs.fsyncSync(fd);
      else if (this.#outputSinceDatasync >= DATASYNC_EVERY && !this.#datasyncing) {
        // Started now, on the thread pool, so the fsync that makes the step durable finds
        // little left to write (a 230 MB step waited 0.2-0.3 s for it). Its error, if any,
        // is the next fsync's.
        this.#outputSinceDatasync = 0;
        this.#datasyncing = true;
        fs.fdatasync(fd, () => {
          this.#datasyncing = false;
        });
      }
    } catch (error) {
      // Named by its journal, the file the operator knows; the cause names the output file's error.
      this.#failure = journalError(this.path, 'write', error);
      throw this.#failure;
    }
  }

  /** The open file, or the reason nothing more may be written to it. */
  #writable(): number {
    if (this.#failure) {
      this.#unreported = false;
      throw this.#failure;
    }
    if (this.#fd === null) throw new Error(`journal ${this.path} was written to after close()`);
    return this.#fd;
  }

  #write(text: string, sync: boolean): void {
    const fd = this.#writable();
    const bytes = Buffer.from(text, 'utf8');
    try {
      writevAll(fd, [bytes]);
      if (sync) fs.fsyncSync(fd);
    } catch (error) {
      this.#failure = journalError(this.path, 'write', error);
      throw this.#failure;
    }
  }
}

/** A version-2 output line: the event without its text, and where the text is. */
function refLine(h: HeldRef): string {
  return `${JSON.stringify({ ...withoutData(h.event), offset: h.offset, length: h.length })}\n`;
}

/**
 * The format version in a journal's header line. Anything unreadable counts as version 1 (output
 * inline): the reader, which runs before a resume reopens a journal, reports real damage.
 */
function headerVersion(file: string): number {
  const fd = fs.openSync(file, 'r');
  try {
    // A header is a few KiB; the cap keeps a device or a damaged file from being read forever.
    const buf = Buffer.alloc(1024 * 1024);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const end = buf.subarray(0, n).indexOf(0x0a);
    const version = (
      JSON.parse(buf.subarray(0, end >= 0 ? end : n).toString('utf8')) as {
        version?: unknown;
      }
    ).version;
    return typeof version === 'number' ? version : 1;
  } catch {
    return 1;
  } finally {
    fs.closeSync(fd);
  }
}

function headerOf(journal: NewJournal): JournalHeader {
  const secrets = new Set(journal.secretParams);
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(journal.params)) {
    Object.defineProperty(params, name, {
      value: secrets.has(name) ? MASK : value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return {
    type: 'journal',
    version: JOURNAL_VERSION,
    runId: journal.runId,
    runbook: journal.runbook,
    runbookPath: journal.runbookPath,
    runbookHash: journal.runbookHash,
    stepHashes: journal.stepHashes,
    stepOrder: journal.stepOrder ?? Object.keys(journal.stepHashes),
    params,
    sets: Object.fromEntries(Object.entries(journal.sets ?? {}).filter(([k]) => !secrets.has(k))),
    ...(journal.inventoryPath === undefined ? {} : { inventoryPath: journal.inventoryPath }),
    createdAt: journal.createdAt,
  };
}

/** Cuts off a last line that has no newline and is not valid JSON; completes one that is. */
function repairTornTail(file: string, fd: number): void {
  const size = fs.fstatSync(fd).size;
  if (size === 0) return;
  const read = fs.openSync(file, 'r');
  try {
    const last = Buffer.alloc(1);
    fs.readSync(read, last, 0, 1, size - 1);
    if (last[0] === 0x0a) return;
    const start = lastNewline(read, size) + 1;
    if (start === 0) {
      throw new OperatorError(
        `The journal ${file}:1 is damaged: its header line is incomplete.`,
        'Nothing was changed. The run never recorded a step, so start it again as a new run.',
        EXIT.failed,
      );
    }
    const tail = Buffer.alloc(size - start);
    fs.readSync(read, tail, 0, tail.length, start);
    if (parses(tail.toString('utf8'))) {
      fs.writeSync(fd, '\n');
    } else {
      fs.ftruncateSync(fd, start);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(read);
  }
}

/** Offset of the last `\n` before `size`, or -1. Reads backwards so a huge file is not loaded. */
function lastNewline(fd: number, size: number): number {
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const n = fs.readSync(fd, chunk, 0, end - start, start);
    const at = chunk.subarray(0, n).lastIndexOf(0x0a);
    if (at >= 0) return start + at;
    end = start;
  }
  return -1;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (error) {
    // Some platforms (Windows) cannot open or fsync a directory; the file itself is synced.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') {
      throw journalError(dir, 'write', error);
    }
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function journalError(
  file: string,
  action: 'create' | 'open' | 'repair' | 'write',
  cause: unknown,
): OperatorError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const detail = cause instanceof Error ? cause.message : String(cause);
  const hint =
    code === 'EEXIST'
      ? 'A journal for this run id already exists; resume that run, or start a new one.'
      : `Free space on the disk that holds ${path.dirname(file)} (or fix the disk or its permissions), then resume the run: every event before this one is kept in the journal.`;
  return new OperatorError(
    `Could not ${action} the journal ${file}: ${detail}`,
    hint,
    EXIT.failed,
    {
      cause,
    },
  );
}
