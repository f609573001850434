/**
 * Parameter values for a run. Per host: runbook default < the host's inventory variables (for
 * declared parameters only) < `--set`. For `local` targets: default < the inventory's `all`
 * variables < `--set`. Values are coerced to their declared type and kept as strings.
 */
import { OperatorError } from '../errors.ts';
import type { Inventory } from '../inventory/types.ts';
import { coerceParam } from './param-value.ts';
import type { ParameterSpec, RunbookSpec } from './schema.ts';

/** Parameter values, the names of secret ones, and the required ones that have no value. */
export interface ResolvedParams {
  /** Values for commands on the operator's machine. */
  global: Record<string, string>;
  /** Values for commands on an inventory host; throws for a name not in the inventory. */
  forHost(hostName: string): Record<string, string>;
  /** Names of secret parameters, whose values must be redacted. */
  secrets: string[];
  /**
   * Required parameters with no value anywhere (default, inventory, `--set`): the caller asks
   * for them or fails with "--set NAME=…". Optional parameters without a value are "".
   */
  missing: string[];
}

/** Where a value came from, for messages. */
type Source =
  | { kind: 'default' }
  | { kind: 'set' }
  | { kind: 'host'; host: string }
  | { kind: 'all' };

/** Resolves every declared parameter; a value of the wrong type is an `OperatorError`. */
export function resolveParams(
  spec: RunbookSpec,
  inventory: Inventory | undefined,
  sets: Record<string, string>,
): ResolvedParams {
  const declared = Object.keys(spec.parameters);
  for (const name of Object.keys(sets)) {
    if (!(name in spec.parameters)) {
      throw new OperatorError(
        `--set ${name}: this runbook has no parameter "${name}"`,
        declared.length > 0
          ? `its parameters are: ${declared.join(', ')}`
          : 'this runbook takes no parameters',
      );
    }
  }

  const resolve = (vars: Record<string, unknown> | undefined, source: Source) => {
    const values: Record<string, string> = {};
    for (const [name, param] of Object.entries(spec.parameters)) {
      const value = pickValue(name, param, vars?.[name], source, sets[name], inventory?.path);
      if (value !== undefined) values[name] = value;
    }
    return values;
  };

  const global = resolve(inventory?.vars, { kind: 'all' });
  const perHost = new Map<string, Record<string, string>>();
  for (const host of inventory?.hosts.values() ?? []) {
    perHost.set(host.name, resolve(host.vars, { kind: 'host', host: host.name }));
  }

  const hasValue = (name: string) =>
    name in global || [...perHost.values()].some((values) => name in values);
  return {
    global,
    forHost(hostName) {
      const values = perHost.get(hostName);
      if (values === undefined) throw new Error(`bug: no inventory host named ${hostName}`);
      return values;
    },
    secrets: declared.filter((name) => spec.parameters[name]?.secret),
    missing: declared.filter((name) => !spec.parameters[name]?.optional && !hasValue(name)),
  };
}

/** The value with the highest precedence, coerced; undefined when a required one has none. */
function pickValue(
  name: string,
  param: ParameterSpec,
  inventoryValue: unknown,
  inventorySource: Source,
  set: string | undefined,
  inventoryPath: string | undefined,
): string | undefined {
  const [raw, source]: [unknown, Source] =
    set !== undefined
      ? [set, { kind: 'set' }]
      : inventoryValue !== undefined && inventoryValue !== null
        ? [inventoryValue, inventorySource]
        : [param.default, { kind: 'default' }];
  // An empty value is "no value": fine for optional parameters, missing for required ones.
  if (raw === undefined || raw === '') return param.optional ? '' : undefined;
  const coerced = coerceParam(param, raw);
  if (coerced.ok) return coerced.value;
  // A secret's value must not reach an error message either.
  const reason = param.secret ? `its value is not ${coerced.allowed}` : coerced.reason;
  throw new OperatorError(
    `parameter "${name}": ${reason} (value from ${describeSource(source)})`,
    fixHint(name, source, coerced.allowed, inventoryPath),
  );
}

function describeSource(source: Source): string {
  switch (source.kind) {
    case 'default':
      return 'the runbook default';
    case 'set':
      return '--set';
    case 'host':
      return `inventory host ${source.host}`;
    case 'all':
      return 'the inventory group all';
  }
}

function fixHint(
  name: string,
  source: Source,
  allowed: string,
  inventory = 'the inventory',
): string {
  switch (source.kind) {
    case 'default':
      return `fix parameters.${name}.default in the runbook (${allowed}), or pass --set ${name}=VALUE`;
    case 'set':
      return `pass --set ${name}=VALUE with ${allowed}`;
    case 'host':
      return `fix the variable ${name} of host ${source.host} in ${inventory} (${allowed}), or override it with --set ${name}=VALUE`;
    case 'all':
      return `fix the variable ${name} of the group all in ${inventory} (${allowed}), or override it with --set ${name}=VALUE`;
  }
}
