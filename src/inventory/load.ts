/**
 * Loads an Ansible YAML inventory into hosts and groups. Variables merge as in Ansible:
 * `all` < parent groups < child groups < host (groups of equal depth in name order). Problems
 * are reported together as `file:line:col: message`.
 */
import { readFile } from 'node:fs/promises';
import { OperatorError } from '../errors.ts';
import { type Problem, problemsError } from '../runbook/problem.ts';
import { type Finding, parseYaml, toProblem } from '../runbook/yaml-source.ts';
import { hostFromVars, type SourcedVar, type VarIssue } from './host-fields.ts';
import { type GroupDef, readInventoryDefs } from './inventory-defs.ts';
import type { Host, Inventory } from './types.ts';

const HINT =
  'stepwise reads Ansible YAML inventories: groups (under `all:`) with `hosts`, `vars` and `children`';

/** Reads and parses an inventory file; `OperatorError` when it cannot be used. */
export async function loadInventory(path: string): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new OperatorError(
      `cannot read inventory ${path}: ${why}`,
      'check the path given to -i',
      undefined,
      {
        cause: error,
      },
    );
  }
  return parseInventory(text, path);
}

/** Parses inventory text; `file` names it in problems and becomes `Inventory.path`. */
export function parseInventory(text: string, file: string): Inventory {
  const ini = iniProblem(text, file);
  if (ini !== undefined) {
    throw problemsError(
      [ini],
      'convert it with `ansible-inventory -i FILE --list --yaml > inventory.yaml`',
    );
  }
  const source = parseYaml(text, file);
  if (source.problems.length > 0) throw problemsError(source.problems, HINT);

  const defs = readInventoryDefs(source.data);
  const findings = [...defs.findings, ...cycleFindings(defs.groups, defs.links)];
  if (findings.length > 0)
    throw problemsError(
      findings.map((f) => toProblem(source, f)),
      HINT,
    );

  const depth = depths(defs.groups);
  const order = [...defs.groups.values()].sort(
    (a, b) => depth(a.name) - depth(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const groups = new Map<string, string[]>();
  for (const g of defs.groups.values()) groups.set(g.name, hostsOf(g, defs.groups));

  const members = new Map([...groups].map(([g, names]) => [g, new Set(names)]));
  const hosts = new Map<string, Host>();
  const issues: { host: string; issue: VarIssue }[] = [];
  for (const name of groups.get('all') ?? []) {
    const member = order.filter((g) => members.get(g.name)?.has(name));
    const vars = new Map<string, SourcedVar>();
    for (const g of member) for (const [k, v] of g.vars) vars.set(k, v);
    for (const [k, v] of defs.hostVars.get(name) ?? []) vars.set(k, v);
    const names = member.map((g) => g.name).filter((g) => g !== 'all');
    const built = hostFromVars(name, vars, names);
    hosts.set(name, built.host);
    issues.push(...built.issues.map((issue) => ({ host: name, issue })));
  }
  if (issues.length > 0)
    throw problemsError(
      combine(issues).map((f) => toProblem(source, f)),
      HINT,
    );

  const allVars = Object.fromEntries(
    [...(defs.groups.get('all')?.vars ?? [])].map(([k, v]) => [k, v.value]),
  );
  return { path: file, hosts, groups, vars: allVars };
}

/**
 * A group's hosts as Ansible lists them: its own, then those of its descendants breadth first,
 * each host once.
 */
function hostsOf(group: GroupDef, all: Map<string, GroupDef>): string[] {
  const hosts = new Set<string>();
  const queue = [group];
  const seen = new Set([group.name]);
  for (let g = queue.shift(); g !== undefined; g = queue.shift()) {
    for (const h of g.hosts) hosts.add(h);
    for (const c of g.children) {
      const child = all.get(c);
      if (child !== undefined && !seen.has(c)) {
        seen.add(c);
        queue.push(child);
      }
    }
  }
  return [...hosts];
}

/** Depth below `all` (the longest way down), so parents merge before their children. */
function depths(groups: Map<string, GroupDef>): (name: string) => number {
  const memo = new Map<string, number>([['all', 0]]);
  const depth = (name: string): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const parents = groups.get(name)?.parents ?? [];
    const d = 1 + Math.max(0, ...parents.map(depth));
    memo.set(name, d);
    return d;
  };
  return depth;
}

function cycleFindings(
  groups: Map<string, GroupDef>,
  links: Map<string, readonly PropertyKey[]>,
): Finding[] {
  const findings: Finding[] = [];
  const done = new Set<string>();
  const visit = (name: string, path: string[]) => {
    if (done.has(name)) return;
    for (const child of groups.get(name)?.children ?? []) {
      if (path.includes(child)) {
        const at = links.get(`${name}\u0000${child}`) ?? [];
        const loop = [...path.slice(path.indexOf(child)), name, child].join(' → ');
        findings.push({ at, key: true, message: `group "${child}" contains itself: ${loop}` });
      } else visit(child, [...path, name]);
    }
    done.add(name);
  };
  for (const name of groups.keys()) visit(name, []);
  return findings;
}

/** One finding per bad value, naming every host that inherits it. */
function combine(issues: { host: string; issue: VarIssue }[]): Finding[] {
  const byPlace = new Map<string, { at: readonly PropertyKey[]; what: string; hosts: string[] }>();
  for (const { host, issue } of issues) {
    const key = `${JSON.stringify(issue.at)}\u0000${issue.what}`;
    const entry = byPlace.get(key) ?? { at: issue.at, what: issue.what, hosts: [] };
    entry.hosts.push(host);
    byPlace.set(key, entry);
  }
  return [...byPlace.values()].map(({ at, what, hosts }) => ({
    at,
    message: `${hosts.length === 1 ? 'host' : 'hosts'} ${hosts.join(', ')}: ${what}`,
  }));
}

// An INI inventory is not YAML; say so instead of reporting a confusing YAML syntax error.
function iniProblem(text: string, file: string): Problem | undefined {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.trim() !== '' && !/^\s*[#;]/.test(l));
  const first = lines[line]?.trim() ?? '';
  if (!/^\[[A-Za-z0-9_:-]+\]$/.test(first)) return undefined;
  return {
    file,
    line: line + 1,
    col: 1,
    message: 'this looks like an INI inventory; stepwise reads YAML inventories',
  };
}
