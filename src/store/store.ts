/**
 * The small things stepwise keeps between runs, in `<stateHome>/stepwise.json` through conf
 * (atomic writes): the index of runs, last-used parameters, recent inventories, settings.
 * Journals are the record; this file is a convenience that can always be rebuilt from them.
 */
import Conf from 'conf';
import { MASK } from '../engine/redact.ts';
import { EXIT, OperatorError } from '../errors.ts';
import { runsDir } from '../journal/paths.ts';
import {
  MAX_RECENT_INVENTORIES,
  type RunIndexEntry,
  type SettingValue,
  STORE_VERSION,
  type StoreFile,
  storeFileSchema,
} from './store-schema.ts';

export type { RunIndexEntry, SettingValue } from './store-schema.ts';

type Patch = Partial<Omit<StoreFile, 'version'>>;

export class Store {
  /** The store file. */
  readonly path: string;
  readonly #stateHome: string;
  readonly #conf: Conf<Record<string, unknown>>;

  private constructor(stateHome: string, conf: Conf<Record<string, unknown>>) {
    this.#stateHome = stateHome;
    this.#conf = conf;
    this.path = conf.path;
  }

  /**
   * Opens (without creating) the store in `stateHome` and checks it. A damaged file or one from
   * a newer stepwise throws an {@link OperatorError} and is left byte for byte as it was.
   */
  static open(stateHome: string): Store {
    let conf: Conf<Record<string, unknown>>;
    try {
      conf = new Conf<Record<string, unknown>>({
        cwd: stateHome,
        configName: 'stepwise',
        // Keys are run ids and runbook ids, never paths into the object.
        accessPropertiesByDotNotation: false,
        configFileMode: 0o600,
        // Never true: it would wipe the index and saved parameters on a single bad byte.
        clearInvalidConfig: false,
      });
    } catch (error) {
      throw storeError(`${stateHome}/stepwise.json`, stateHome, error);
    }
    const store = new Store(stateHome, conf);
    store.#read();
    return store;
  }

  /** The index of runs, by run id. */
  runs(): Record<string, RunIndexEntry> {
    return this.#read().runs;
  }

  /** Adds a run to the index, or replaces its entry. */
  recordRun(entry: RunIndexEntry): void {
    const runs = this.#read().runs;
    this.#write({ runs: withOwn(runs, entry.runId, entry) });
  }

  /** The parameters last used with a runbook (never secrets). */
  lastParams(runbook: string): Record<string, string> {
    const all = this.#read().lastParams;
    return Object.hasOwn(all, runbook) ? { ...all[runbook] } : {};
  }

  /**
   * Remembers the parameters used with a runbook, minus every parameter named in `secretNames`
   * and any value that is already a redaction mask.
   */
  saveLastParams(
    runbook: string,
    params: Record<string, string>,
    secretNames: Iterable<string>,
  ): void {
    const secrets = new Set(secretNames);
    let kept: Record<string, string> = {};
    for (const [name, value] of Object.entries(params)) {
      if (!secrets.has(name) && value !== MASK) kept = withOwn(kept, name, value);
    }
    this.#write({ lastParams: withOwn(this.#read().lastParams, runbook, kept) });
  }

  /** Inventory files used lately, most recent first. */
  recentInventories(): string[] {
    return this.#read().recentInventories;
  }

  /** Puts an inventory path first in the recent list (kept to the last 10). */
  rememberInventory(inventoryPath: string): void {
    const rest = this.#read().recentInventories.filter((p) => p !== inventoryPath);
    this.#write({ recentInventories: [inventoryPath, ...rest].slice(0, MAX_RECENT_INVENTORIES) });
  }

  /** All settings. */
  settings(): Record<string, SettingValue> {
    return this.#read().settings;
  }

  setSetting(name: string, value: SettingValue): void {
    this.#write({ settings: withOwn(this.#read().settings, name, value) });
  }

  /** Reads the file afresh (another stepwise may have written it) and checks it. */
  #read(): StoreFile {
    let raw: Record<string, unknown>;
    try {
      raw = this.#conf.store;
    } catch (error) {
      throw storeError(this.path, this.#stateHome, error);
    }
    return checkStore(raw, this.path, this.#stateHome);
  }

  #write(patch: Patch): void {
    try {
      this.#conf.set({ ...patch, version: STORE_VERSION });
    } catch (error) {
      if (error instanceof SyntaxError) throw storeError(this.path, this.#stateHome, error);
      throw new OperatorError(
        `Could not save ${this.path}: ${(error as Error).message}`,
        'Free space on that disk or fix its permissions. The run itself is recorded in its journal either way.',
        EXIT.failed,
        { cause: error },
      );
    }
  }
}

function checkStore(raw: Record<string, unknown>, file: string, stateHome: string): StoreFile {
  const version = raw.version;
  if (typeof version === 'number' && version > STORE_VERSION) {
    throw new OperatorError(
      `${file} has version ${version}; this stepwise understands version ${STORE_VERSION}.`,
      `It was written by a newer stepwise: use that one. Or move the file away to start a new store here; ${recovery(stateHome)}`,
      EXIT.failed,
    );
  }
  const parsed = storeFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new OperatorError(
      `${file} is damaged${where}: ${issue?.message ?? 'unknown problem'}.`,
      moveAway(file, stateHome),
      EXIT.failed,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

/** A store that conf cannot read: not JSON, empty, or not readable at all. */
function storeError(file: string, stateHome: string, error: unknown): OperatorError {
  if (error instanceof SyntaxError) {
    return new OperatorError(
      `${file} is damaged: it is not valid JSON.`,
      moveAway(file, stateHome),
      EXIT.failed,
      {
        cause: error,
      },
    );
  }
  return new OperatorError(
    `Could not read ${file}: ${(error as Error).message}`,
    'Check the permissions of the file and of its directory.',
    EXIT.failed,
    { cause: error },
  );
}

function moveAway(file: string, stateHome: string): string {
  return `Move it away (e.g. \`mv ${file} ${file}.damaged\`) and run again to start a new one; ${recovery(stateHome)}`;
}

function recovery(stateHome: string): string {
  return `the journals in ${runsDir(stateHome)} are untouched and \`stepwise runs\` lists the runs from them (saved parameters and recent inventories are lost).`;
}

/** A copy of `record` with `key` set as an own property, even when it is `__proto__`. */
function withOwn<T>(record: Record<string, T>, key: string, value: T): Record<string, T> {
  const next = { ...record };
  Object.defineProperty(next, key, { value, enumerable: true, writable: true, configurable: true });
  return next;
}
