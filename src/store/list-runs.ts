/**
 * The runs kept on this machine: the index, checked against the journals on disk. A run whose
 * index entry was never written (a crash before it) is found by its journal, and a run the index
 * still calls running is re-read, since it may have crashed or ended since.
 */
import fs from 'node:fs';
import { OperatorError } from '../errors.ts';
import { journalPath, runsDir } from '../journal/paths.ts';
import { readJournal } from '../journal/reader.ts';
import { foldRun, type RunProgress } from '../journal/run-state.ts';
import { Store } from './store.ts';
import type { RunIndexEntry } from './store-schema.ts';

/** A run as `stepwise runs` shows it. */
export interface ListedRun extends Omit<RunIndexEntry, 'status'> {
  /** `unknown` when the journal could not be read and the index has no entry either. */
  status: RunProgress | 'unknown';
  /** Where the entry came from: the index, a journal found on disk, or both. */
  source: 'index' | 'journal' | 'both';
  /** Why the journal could not be read (missing, damaged), if so. */
  problem: string | null;
}

/** Runs newest first. Opens the store unless one is given. */
export function listRuns(stateHome: string, store: Store = Store.open(stateHome)): ListedRun[] {
  const index = store.runs();
  const onDisk = new Set(journalDirs(stateHome));
  const listed = new Map<string, ListedRun>();

  for (const entry of Object.values(index)) {
    const found = onDisk.has(entry.runId);
    const base: ListedRun = { ...entry, source: found ? 'both' : 'index', problem: null };
    if (!found && !fs.existsSync(entry.journal)) {
      listed.set(entry.runId, { ...base, problem: `journal missing: ${entry.journal}` });
    } else if (entry.status === 'running' || entry.status === 'paused') {
      listed.set(
        entry.runId,
        refresh(base, found ? journalPath(stateHome, entry.runId) : entry.journal),
      );
    } else {
      listed.set(entry.runId, base);
    }
  }

  for (const runId of onDisk) {
    if (listed.has(runId)) continue;
    listed.set(runId, fromJournal(runId, journalPath(stateHome, runId)));
  }

  // Run ids start with their UTC start time, so sorting them sorts by time.
  return [...listed.values()].sort((a, b) => (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0));
}

/** Run ids that have a journal under `runs/`. */
function journalDirs(stateHome: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(runsDir(stateHome), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((e) => e.isDirectory() && fs.existsSync(journalPath(stateHome, e.name)))
    .map((e) => e.name);
}

/** The index entry with status and current step taken from the journal. */
function refresh(entry: ListedRun, file: string): ListedRun {
  try {
    const { header, events } = readJournal(file, { output: false });
    const state = foldRun(header, events);
    return { ...entry, journal: file, status: state.status, currentStep: state.currentStep };
  } catch (error) {
    if (!(error instanceof OperatorError)) throw error;
    return { ...entry, problem: error.message };
  }
}

function fromJournal(runId: string, file: string): ListedRun {
  try {
    const { header, events } = readJournal(file, { output: false });
    const state = foldRun(header, events);
    return {
      runId,
      runbook: state.runbook,
      title: state.title ?? state.runbook,
      startedAt: state.startedAt,
      status: state.status,
      journal: file,
      ...(state.inventoryPath === null ? {} : { inventoryPath: state.inventoryPath }),
      currentStep: state.currentStep,
      source: 'journal',
      problem: null,
    };
  } catch (error) {
    if (!(error instanceof OperatorError)) throw error;
    return {
      runId,
      runbook: '',
      title: '',
      startedAt: '',
      status: 'unknown',
      journal: file,
      currentStep: null,
      source: 'journal',
      problem: error.message,
    };
  }
}
