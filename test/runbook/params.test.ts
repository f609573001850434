import { describe, expect, it } from 'vitest';
import { OperatorError } from '../../src/errors.ts';
import { parseInventory } from '../../src/inventory/load.ts';
import { parseRunbook } from '../../src/runbook/load.ts';
import { resolveParams } from '../../src/runbook/params.ts';
import type { RunbookSpec } from '../../src/runbook/schema.ts';

function spec(parameters: string): RunbookSpec {
  const text = `title: T
system: s
summary: S
source: { document: d }
parameters:
${parameters}
steps:
  - id: a
    title: A
    explain: E
    run: 'true'
    risk: read-only
`;
  const result = parseRunbook(text, 'demo/params.yaml');
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
  return result.runbook.spec;
}

const inventory = parseInventory(
  `all:
  vars:
    backup_dir: /from-all
    unrelated: 1
  children:
    nodes:
      vars:
        backup_dir: /from-group
      hosts:
        node1:
        node2:
          backup_dir: /from-host
          port: "2200"
          verbose: "Yes"
`,
  'inventory.yaml',
);

const params = spec(`  backup_dir: { description: d, default: /from-default }
  port: { description: p, type: int, default: 22 }
  verbose: { description: v, type: bool, default: no }
  mode: { description: m, type: enum, values: [full, data], default: full }
  token: { description: t, secret: true }
  note: { description: n, optional: true }`);

describe('resolveParams', () => {
  it('uses defaults when nothing else is given', () => {
    const r = resolveParams(params, undefined, { token: 's3cret' });
    expect(r.global).toEqual({
      backup_dir: '/from-default',
      port: '22',
      verbose: 'false',
      mode: 'full',
      token: 's3cret',
      note: '',
    });
    expect(r.secrets).toEqual(['token']);
    expect(r.missing).toEqual([]);
  });

  it('per host: default < inventory variables of the host < --set', () => {
    const r = resolveParams(params, inventory, { token: 't', mode: 'data' });
    expect(r.forHost('node1')).toMatchObject({
      backup_dir: '/from-group',
      port: '22',
      mode: 'data',
    });
    expect(r.forHost('node2')).toMatchObject({
      backup_dir: '/from-host',
      port: '2200',
      verbose: 'true',
      mode: 'data',
    });
    // only declared parameters come from the inventory
    expect(r.forHost('node2')).not.toHaveProperty('unrelated');
    const overridden = resolveParams(params, inventory, { token: 't', backup_dir: '/from-set' });
    expect(overridden.forHost('node2').backup_dir).toBe('/from-set');
    expect(overridden.global.backup_dir).toBe('/from-set');
  });

  it('global view: default < the inventory group all < --set', () => {
    expect(resolveParams(params, inventory, { token: 't' }).global.backup_dir).toBe('/from-all');
  });

  it('lists required parameters that have no value anywhere', () => {
    const r = resolveParams(params, inventory, {});
    expect(r.missing).toEqual(['token']);
    expect(r.global).not.toHaveProperty('token');
    // an empty value is no value for a required parameter
    expect(resolveParams(params, undefined, { token: '' }).missing).toEqual(['token']);
  });

  it('a value on some host only is not missing', () => {
    const s = spec('  region: { description: r }');
    const inv = parseInventory('all:\n  hosts:\n    a:\n      region: eu\n    b:\n', 'i.yaml');
    const r = resolveParams(s, inv, {});
    expect(r.missing).toEqual([]);
    expect(r.forHost('a')).toEqual({ region: 'eu' });
    expect(r.forHost('b')).toEqual({});
  });

  it('coerces values to their declared type', () => {
    const s = spec(`  n: { description: n, type: int }
  x: { description: x, type: number }
  b: { description: b, type: bool }
  p: { description: p, type: path }`);
    const r = resolveParams(s, undefined, { n: '+007', x: '1.50', b: 'NO', p: '~/x y' });
    expect(r.global).toEqual({ n: '7', x: '1.5', b: 'false', p: '~/x y' });
  });

  it('names the parameter, the source of a bad value and what is allowed', () => {
    const bad = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(OperatorError);
        return [(error as OperatorError).message, (error as OperatorError).hint];
      }
      throw new Error('expected an error');
    };
    expect(bad(() => resolveParams(params, undefined, { token: 't', port: 'ssh' }))).toEqual([
      'parameter "port": "ssh" is not a whole number (value from --set)',
      'pass --set port=VALUE with a whole number',
    ]);
    expect(bad(() => resolveParams(params, undefined, { token: 't', mode: 'fast' }))).toEqual([
      'parameter "mode": "fast" is not one of full, data (value from --set)',
      'pass --set mode=VALUE with one of full, data',
    ]);
    const inv = parseInventory('all:\n  hosts:\n    db1:\n      verbose: maybe\n', 'inv.yaml');
    expect(bad(() => resolveParams(params, inv, { token: 't' }))).toEqual([
      'parameter "verbose": "maybe" is not true, false, yes or no (value from inventory host db1)',
      'fix the variable verbose of host db1 in inv.yaml (true, false, yes or no), or override it with --set verbose=VALUE',
    ]);
  });

  it('refuses --set for a parameter the runbook does not declare', () => {
    expect(() => resolveParams(params, undefined, { prot: '1' })).toThrow(
      '--set prot: this runbook has no parameter "prot"',
    );
  });

  it('throws for a host that is not in the inventory', () => {
    expect(() => resolveParams(params, inventory, { token: 't' }).forHost('nope')).toThrow(
      'no inventory host named nope',
    );
  });
});
