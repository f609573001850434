/**
 * Reads the shape of an Ansible YAML inventory: groups with `hosts`, `vars` and `children`,
 * nested to any depth, and the variables of each host, remembering where each value was set.
 * Top-level groups other than `all` are children of `all`, as in Ansible.
 */
import { type Finding, pathPrefix } from '../runbook/yaml-source.ts';
import { describe } from '../runbook/zod-findings.ts';
import type { SourcedVar } from './host-fields.ts';
import { expandHostPattern } from './host-pattern.ts';

/** A group as written, merged over every place it is mentioned. */
export interface GroupDef {
  name: string;
  /** Hosts listed directly in the group, in inventory order. */
  hosts: string[];
  children: string[];
  parents: string[];
  vars: Map<string, SourcedVar>;
}

/** Groups (in order of first mention, `all` first) and host variables, plus shape problems. */
export interface InventoryDefs {
  groups: Map<string, GroupDef>;
  hostVars: Map<string, Map<string, SourcedVar>>;
  /** Where each parent → child link was written, keyed `parent\u0000child`. */
  links: Map<string, readonly PropertyKey[]>;
  findings: Finding[];
}

const GROUP_KEYS = ['hosts', 'vars', 'children'];

/** Walks the plain data of an inventory file. */
export function readInventoryDefs(data: unknown): InventoryDefs {
  const defs: InventoryDefs = {
    groups: new Map(),
    hostVars: new Map(),
    links: new Map(),
    findings: [],
  };
  const fail = (at: readonly PropertyKey[], message: string, key = false) =>
    defs.findings.push({ at, key, message: `${pathPrefix(at)}${message}` });
  const group = (name: string): GroupDef => {
    let g = defs.groups.get(name);
    if (g === undefined) {
      g = { name, hosts: [], children: [], parents: [], vars: new Map() };
      defs.groups.set(name, g);
    }
    return g;
  };
  group('all');

  const walk = (name: string, body: unknown, at: PropertyKey[], parent: string | undefined) => {
    const g = group(name);
    if (parent !== undefined && !g.parents.includes(parent)) {
      g.parents.push(parent);
      group(parent).children.push(name);
      defs.links.set(`${parent}\u0000${name}`, at);
    }
    if (body === null || body === undefined) return;
    if (!isMap(body)) {
      fail(
        at,
        `group "${name}" must be a map with hosts, vars and children, got ${describe(body)}`,
      );
      return;
    }
    for (const key of Object.keys(body)) {
      if (!GROUP_KEYS.includes(key)) {
        fail(
          [...at, key],
          `unknown field "${key}" in group "${name}" (a group has hosts, vars and children)`,
          true,
        );
      }
    }
    const { hosts, vars, children } = body;
    if (isMap(hosts)) {
      for (const [pattern, hostBody] of Object.entries(hosts)) {
        const hat = [...at, 'hosts', pattern];
        let names: string[];
        try {
          names = expandHostPattern(pattern);
        } catch (error) {
          fail(hat, (error as Error).message, true);
          continue;
        }
        if (hostBody !== null && !isMap(hostBody)) {
          fail(
            hat,
            `host "${pattern}" must have a map of variables or nothing, got ${describe(hostBody)}`,
          );
        }
        for (const h of names) {
          if (!g.hosts.includes(h)) g.hosts.push(h);
          const hv = defs.hostVars.get(h) ?? new Map<string, SourcedVar>();
          defs.hostVars.set(h, hv);
          if (isMap(hostBody)) addVars(hv, hostBody, hat);
        }
      }
    } else if (hosts !== null && hosts !== undefined) {
      fail(
        [...at, 'hosts'],
        `hosts of group "${name}" must be a map of host names (each \`name:\` on its own line), got ${describe(hosts)}`,
      );
    }
    if (isMap(vars)) addVars(g.vars, vars, [...at, 'vars']);
    else if (vars !== null && vars !== undefined) {
      fail([...at, 'vars'], `vars of group "${name}" must be a map, got ${describe(vars)}`);
    }
    if (isMap(children)) {
      for (const [child, childBody] of Object.entries(children)) {
        walk(child, childBody, [...at, 'children', child], name);
      }
    } else if (children !== null && children !== undefined) {
      fail(
        [...at, 'children'],
        `children of group "${name}" must be a map of group names, got ${describe(children)}`,
      );
    }
  };

  if (!isMap(data)) {
    fail([], `an inventory is a map of groups (usually just \`all:\`), got ${describe(data)}`);
    return defs;
  }
  for (const [name, body] of Object.entries(data)) {
    walk(name, body, [name], name === 'all' ? undefined : 'all');
  }
  return defs;
}

function addVars(into: Map<string, SourcedVar>, vars: Record<string, unknown>, at: PropertyKey[]) {
  for (const [k, value] of Object.entries(vars)) into.set(k, { value, at: [...at, k] });
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
