import { describe, expect, it } from 'vitest';
import { OperatorError } from '../../src/errors.ts';
import { loadInventory, parseInventory } from '../../src/inventory/load.ts';

const FILE = 'inventory.yaml';

function failure(text: string): { lines: string[]; hint: string } {
  try {
    parseInventory(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(OperatorError);
    return { lines: (error as Error).message.split('\n'), hint: (error as OperatorError).hint };
  }
  throw new Error('expected the inventory to be rejected');
}

describe('parseInventory', () => {
  it('loads groups with their hosts in inventory order, including child groups', async () => {
    const inv = await loadInventory(new URL('./fixtures/cluster.yaml', import.meta.url).pathname);
    expect([...inv.groups]).toEqual([
      ['all', ['bastion', 'node1', 'node2', 'node3', 'solo']],
      ['loom', ['node1', 'node2', 'node3']],
      ['leaders', ['node2']],
      ['extra', ['node3', 'solo']],
    ]);
    expect([...inv.hosts.keys()]).toEqual(['bastion', 'node1', 'node2', 'node3', 'solo']);
    expect(inv.hosts.get('node3')?.groups).toEqual(['extra', 'loom']);
    expect(inv.hosts.get('node2')?.groups).toEqual(['loom', 'leaders']);
    expect(inv.vars).toEqual({ backup_dir: '/all', ansible_user: 'ops' });
  });

  it('merges variables: all < parent group < child group < host', async () => {
    const inv = await loadInventory(new URL('./fixtures/cluster.yaml', import.meta.url).pathname);
    const dir = (h: string) => inv.hosts.get(h)?.vars.backup_dir;
    expect(dir('bastion')).toBe('/all');
    expect(dir('node1')).toBe('/loom');
    expect(dir('node3')).toBe('/loom'); // extra and loom are equally deep: later name wins
    expect(dir('solo')).toBe('/extra');
    const node2 = inv.hosts.get('node2');
    expect(node2?.vars.backup_dir).toBe('/host');
    expect(node2?.vars.leader_only).toBe(true);
  });

  it('maps connection variables into host fields', async () => {
    const inv = await loadInventory(new URL('./fixtures/cluster.yaml', import.meta.url).pathname);
    expect(inv.hosts.get('bastion')).toEqual({
      name: 'bastion',
      address: 'bastion',
      connection: 'local',
      user: 'ops',
      env: {},
      vars: { backup_dir: '/all', ansible_user: 'ops', ansible_connection: 'local' },
      groups: [],
    });
    expect(inv.hosts.get('node2')).toMatchObject({
      address: '10.0.0.2',
      port: 2222,
      user: 'loom',
      privateKeyFile: '~/.ssh/loom',
      connection: 'ssh',
      env: { LOOM_HOME: '/opt/loom', RETRIES: '3', DEBUG: 'false', EMPTY: '' },
    });
    expect(inv.hosts.get('solo')).toMatchObject({ address: '10.0.0.9', connection: 'ssh' });
    expect(inv.hosts.get('solo')?.port).toBeUndefined();
  });

  it('expands host ranges and accepts hosts with no variables', () => {
    const inv = parseInventory(
      'all:\n  hosts:\n    web[01:03]:\n    db-[a:b]:\n      x: 1\n',
      FILE,
    );
    expect(inv.groups.get('all')).toEqual(['web01', 'web02', 'web03', 'db-a', 'db-b']);
    expect(inv.hosts.get('db-b')?.vars).toEqual({ x: 1 });
  });

  it('treats other top-level groups as children of all', () => {
    const inv = parseInventory('web:\n  hosts:\n    w1:\ndb:\n  hosts:\n    d1:\n', FILE);
    expect([...inv.groups]).toEqual([
      ['all', ['w1', 'd1']],
      ['web', ['w1']],
      ['db', ['d1']],
    ]);
  });

  it('names the hosts and the value of an unsupported connection', () => {
    const { lines } = failure(
      'all:\n  children:\n    web:\n      vars:\n        ansible_connection: docker\n      hosts:\n        w1:\n        w2:\n',
    );
    expect(lines).toEqual([
      `${FILE}:5:29: hosts w1, w2: ansible_connection "docker" is not supported (use ssh or local)`,
    ]);
  });

  it('rejects a port that is not a port number', () => {
    expect(failure('all:\n  hosts:\n    a:\n      ansible_port: 99999\n').lines).toEqual([
      `${FILE}:4:21: host a: ansible_port must be a port number (1-65535), got 99999`,
    ]);
  });

  it('rejects wrong shapes at the offending node', () => {
    const { lines, hint } = failure(`all:
  hosts: [a, b]
  children:
    web:
      host:
        w1:
      vars: [1]
`);
    expect(lines).toEqual([
      `${FILE}:2:10: all.hosts: hosts of group "all" must be a map of host names (each \`name:\` on its own line), got a list`,
      `${FILE}:5:7: all.children.web.host: unknown field "host" in group "web" (a group has hosts, vars and children)`,
      `${FILE}:7:13: all.children.web.vars: vars of group "web" must be a map, got a list`,
    ]);
    expect(hint).toContain('Ansible YAML inventories');
  });

  it('rejects a group that contains itself', () => {
    expect(
      failure(
        'all:\n  children:\n    a:\n      children:\n        b:\n          children:\n            a:\n',
      ).lines,
    ).toEqual([`${FILE}:7:13: group "a" contains itself: a → b → a`]);
  });

  it('reports YAML syntax errors with their position', () => {
    expect(failure('all:\n  hosts: {a: 1\n').lines[0]).toMatch(
      /^inventory\.yaml:3:1: invalid YAML: /,
    );
  });

  it('recognises an INI inventory and says how to convert it', () => {
    const { lines, hint } = failure('# hosts\n[web]\nw1 ansible_host=1.2.3.4\n');
    expect(lines).toEqual([
      `${FILE}:2:1: this looks like an INI inventory; stepwise reads YAML inventories`,
    ]);
    expect(hint).toContain('ansible-inventory');
  });

  it('names a missing file', async () => {
    await expect(loadInventory('no/such/inventory.yaml')).rejects.toThrow(
      'cannot read inventory no/such/inventory.yaml: no such file',
    );
  });
});
