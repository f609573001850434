/**
 * Turns command-line input into what the engine needs: the runbook, the inventory, parameter
 * values (with `--set` split into parameters and up-front choices) and the secrets to redact.
 */
import { resolve } from 'node:path';
import { MASK } from '../engine/redact.ts';
import type { ParamValues } from '../engine/variables.ts';
import { NeedsInputError, OperatorError } from '../errors.ts';
import { loadInventory } from '../inventory/load.ts';
import type { Inventory } from '../inventory/types.ts';
import { type RunbookRef, resolveRunbook, runbookDirs } from '../runbook/discover.ts';
import { type LoadedRunbook, loadRunbook } from '../runbook/load.ts';
import { resolveParams } from '../runbook/params.ts';

/** Parses repeated `--set k=v` flags. */
export function parseSets(values: readonly string[]): Record<string, string> {
  const sets: Record<string, string> = {};
  for (const raw of values) {
    const eq = raw.indexOf('=');
    if (eq <= 0) {
      throw new OperatorError(`--set ${raw}: expected NAME=VALUE`, 'write it as --set name=value');
    }
    sets[raw.slice(0, eq)] = raw.slice(eq + 1);
  }
  return sets;
}

/** Parses repeated `--override CHECK=REASON` flags. */
export function parseOverrides(values: readonly string[]): Record<string, string> {
  return parseReasons(
    values,
    '--override',
    'CHECK',
    'an override needs the check id and a reason, e.g. --override peers-match="keys rotated today"',
  );
}

/** `--skip STEP=REASON` values, by step id. */
export function parseSkips(values: readonly string[]): Record<string, string> {
  return parseReasons(
    values,
    '--skip',
    'STEP',
    'a skip needs the step id and a reason, e.g. --skip stop-alien4cloud="embedded ES: left idle instead"',
  );
}

function parseReasons(
  values: readonly string[],
  flag: string,
  what: string,
  hint: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of values) {
    const eq = raw.indexOf('=');
    if (eq <= 0 || raw.slice(eq + 1).trim() === '') {
      throw new OperatorError(`${flag} ${raw}: expected ${what}=REASON`, hint);
    }
    out[raw.slice(0, eq)] = raw.slice(eq + 1);
  }
  return out;
}

/** A runbook with everything resolved for one run. */
export interface Prepared {
  ref: RunbookRef;
  runbook: LoadedRunbook;
  inventory: Inventory | undefined;
  params: ParamValues;
  /** Global values for display and the journal, secrets masked. */
  displayParams: Record<string, string>;
  /** `--set` values that are not secret, kept in the journal so resume resolves the same way. */
  savedSets: Record<string, string>;
  secretNames: string[];
  secretValues: string[];
  presetChoices: Record<string, string>;
}

export async function prepare(opts: {
  runbook: string;
  runbookDirs: readonly string[];
  inventoryPath: string | undefined;
  sets: Record<string, string>;
  cwd: string;
}): Promise<Prepared> {
  const ref = await resolveRunbook(opts.runbook, runbookDirs(opts.runbookDirs));
  // Absolute, so a resume from another directory finds the same file.
  const runbook = await loadRunbook(resolve(opts.cwd, ref.path));
  const inventoryPath = opts.inventoryPath ? resolve(opts.cwd, opts.inventoryPath) : undefined;
  const inventory = inventoryPath ? await loadInventory(inventoryPath) : undefined;

  const chooseVars = new Set(runbook.spec.steps.flatMap((s) => (s.choose ? [s.choose.var] : [])));
  const presetChoices: Record<string, string> = {};
  const paramSets: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.sets)) {
    if (chooseVars.has(k)) presetChoices[k] = v;
    else paramSets[k] = v;
  }
  const resolved = resolveParams(runbook.spec, inventory, paramSets);
  if (resolved.missing.length > 0) {
    const list = resolved.missing.map((n) => `--set ${n}=…`).join(' ');
    throw new NeedsInputError(
      `${runbook.id} needs a value for ${resolved.missing.join(', ')}`,
      `pass ${list}${inventory ? ' or set it in the inventory' : ''}`,
    );
  }
  const hostNames = [...(inventory?.hosts.keys() ?? [])];
  const secretValues = new Set<string>();
  for (const name of resolved.secrets) {
    const g = resolved.global[name];
    if (g) secretValues.add(g);
    for (const h of hostNames) {
      const v = resolved.forHost(h)[name];
      if (v) secretValues.add(v);
    }
  }
  const secret = new Set(resolved.secrets);
  const displayParams = Object.fromEntries(
    Object.entries(resolved.global).map(([k, v]) => [k, secret.has(k) ? MASK : v]),
  );
  const savedSets = Object.fromEntries(Object.entries(opts.sets).filter(([k]) => !secret.has(k)));
  return {
    ref,
    runbook,
    inventory,
    params: { global: resolved.global, forHost: (h) => resolved.forHost(h) },
    displayParams,
    savedSets,
    secretNames: resolved.secrets,
    secretValues: [...secretValues],
    presetChoices,
  };
}
