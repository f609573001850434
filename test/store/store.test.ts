import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OperatorError } from '../../src/errors.ts';
import { newRunId } from '../../src/store/run-id.ts';
import { stateHome } from '../../src/store/state-home.ts';
import { type RunIndexEntry, Store } from '../../src/store/store.ts';

const dirs: string[] = [];
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-store-'));
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

const entry = (runId: string, extra: Partial<RunIndexEntry> = {}): RunIndexEntry => ({
  runId,
  runbook: 'loom-restore',
  title: 'Restore Loom',
  startedAt: '2026-11-21T03:15:02.000Z',
  status: 'running',
  journal: `/x/${runId}/journal.jsonl`,
  currentStep: null,
  ...extra,
});

describe('Store', () => {
  it('keeps the run index, versioned, in <stateHome>/stepwise.json', () => {
    const home = tmp();
    const store = Store.open(home);
    expect(store.path).toBe(path.join(home, 'stepwise.json'));
    expect(store.runs()).toEqual({});
    store.recordRun(entry('r1'));
    store.recordRun(entry('r2', { inventoryPath: '/inv.yaml' }));
    store.recordRun(entry('r1', { status: 'succeeded' }));
    const again = Store.open(home);
    expect(Object.keys(again.runs())).toEqual(['r1', 'r2']);
    expect(again.runs().r1!.status).toBe('succeeded');
    expect(JSON.parse(fs.readFileSync(store.path, 'utf8')).version).toBe(1);
  });

  it('never saves secret parameters', () => {
    const store = Store.open(tmp());
    store.saveLastParams(
      'loom-restore',
      { snapshot: 'snap-1', s3_secret_key: 'hunter2', already_masked: '••••••' },
      ['s3_secret_key'],
    );
    expect(store.lastParams('loom-restore')).toEqual({ snapshot: 'snap-1' });
    expect(fs.readFileSync(store.path, 'utf8')).not.toContain('hunter2');
    expect(store.lastParams('other')).toEqual({});
  });

  it('keeps the 10 most recent inventories, most recent first', () => {
    const store = Store.open(tmp());
    for (let i = 0; i < 12; i++) store.rememberInventory(`/inv/${i}.yaml`);
    store.rememberInventory('/inv/5.yaml');
    const recent = store.recentInventories();
    expect(recent).toHaveLength(10);
    expect(recent.slice(0, 3)).toEqual(['/inv/5.yaml', '/inv/11.yaml', '/inv/10.yaml']);
  });

  it('keeps settings', () => {
    const home = tmp();
    Store.open(home).setSetting('color', false);
    expect(Store.open(home).settings()).toEqual({ color: false });
  });

  it.each([
    ['corrupted', '{"version": 1, "runs": {'],
    ['empty', ''],
  ])(
    'a %s stepwise.json is an operator error naming it, and is left byte-identical',
    (_, content) => {
      const home = tmp();
      const file = path.join(home, 'stepwise.json');
      fs.writeFileSync(file, content);
      const error = catchError(() => Store.open(home));
      expect(error.message).toContain(file);
      expect(error.hint).toContain('Move it away');
      expect(error.hint).toContain(path.join(home, 'runs'));
      expect(error.cause).toBeInstanceOf(SyntaxError);
      expect(fs.readFileSync(file, 'utf8')).toBe(content);
    },
  );

  it('a store that goes bad after opening is reported, not overwritten', () => {
    const home = tmp();
    const store = Store.open(home);
    store.recordRun(entry('r1'));
    fs.writeFileSync(store.path, 'garbage');
    expect(catchError(() => store.recordRun(entry('r2'))).message).toContain(store.path);
    expect(fs.readFileSync(store.path, 'utf8')).toBe('garbage');
  });

  it('a store with the wrong shape is an operator error naming the field', () => {
    const home = tmp();
    const file = path.join(home, 'stepwise.json');
    fs.writeFileSync(file, JSON.stringify({ version: 1, recentInventories: 'nope' }));
    const error = catchError(() => Store.open(home));
    expect(error.message).toContain(file);
    expect(error.message).toContain('recentInventories');
  });

  it('refuses a store from a future version, and does not touch it', () => {
    const home = tmp();
    const file = path.join(home, 'stepwise.json');
    const content = JSON.stringify({ version: 2, runs: { x: 'new shape' } });
    fs.writeFileSync(file, content);
    const error = catchError(() => Store.open(home));
    expect(error.message).toContain(file);
    expect(error.message).toContain('version 2');
    expect(error.hint).toContain('newer stepwise');
    expect(fs.readFileSync(file, 'utf8')).toBe(content);
  });
});

describe('newRunId', () => {
  it('is sortable and readable: UTC time, runbook slug, 4 hex digits', () => {
    const clock = () => new Date('2026-11-21T03:15:02.999Z');
    const id = newRunId(clock, 'Loom/Restore', () => Uint8Array.of(0xab, 0x12));
    expect(id).toBe('20261121-031502-loom-restore-ab12');
    expect(newRunId(clock, 'loom-restore')).toMatch(/^20261121-031502-loom-restore-[0-9a-f]{4}$/);
    expect(newRunId(clock, '***', () => Uint8Array.of(0, 1))).toBe('20261121-031502-run-0001');
  });
});

describe('stateHome', () => {
  it('uses STEPWISE_HOME when set, else the platform data directory', () => {
    expect(stateHome({ STEPWISE_HOME: '/srv/stepwise' })).toBe('/srv/stepwise');
    expect(path.basename(stateHome({}))).toBe('stepwise');
  });
});
