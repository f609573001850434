/**
 * `copy:` steps through the built CLI on real sshd hosts: the engine hands the action the other
 * host's connection by inventory name, a dry run shows the rendered copy per host and moves
 * nothing, and a run fans one tarball out to every host of the step, byte-exact.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupWorkspaces, events, ofType, workspace } from '../cli/helpers.ts';
import { type Cluster, cluster, teardown } from './helpers.ts';

let c: Cluster;
beforeAll(async () => {
  c = await cluster(3);
});
afterAll(() => teardown(c));
afterEach(cleanupWorkspaces);

const flags = () => ['-i', c.inventory, '--known-hosts', c.knownHosts, '--json'];
const rootOf = (name: string) => path.join(c.hosts.find((h) => h.name === name)!.root, 'root');

describe('copy steps in a run', { timeout: 60_000 }, () => {
  it('dry-runs as one line per host, then fans a file out from one host to every host', async () => {
    const bytes = randomBytes(1024 * 1024 + 3);
    fs.mkdirSync(path.join(rootOf('host1'), 'dumps'), { recursive: true });
    fs.writeFileSync(path.join(rootOf('host1'), 'dumps', 'db.tar'), bytes);
    const ws = workspace();
    ws.writeRunbook('t/copy', {
      roles: { cluster: { description: 'every host' } },
      parameters: { name: { description: 'the file' } },
      steps: [
        {
          id: 'spread',
          title: 'Spread the dump',
          explain: 'every host restores from its own copy',
          on: 'cluster',
          risk: 'changes',
          copy: { from: 'host1:/root/dumps/{{ name }}', to: '/root/restore/{{ name }}' },
        },
      ],
    });
    const dry = await ws.run(['run', 't/copy', ...flags(), '--dry-run', '--set', 'name=db.tar']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      'copy host1:/root/dumps/db.tar → /root/restore/db.tar (via this machine, sha256 checked)',
    );
    expect(fs.existsSync(path.join(rootOf('host2'), 'restore'))).toBe(false);

    const r = await ws.run(['run', 't/copy', ...flags(), '--yes', '--set', 'name=db.tar']);
    expect(r.code, r.stderr).toBe(0);
    for (const h of ['host1', 'host2', 'host3'])
      expect(fs.readFileSync(path.join(rootOf(h), 'restore', 'db.tar')).equals(bytes)).toBe(true);
    const list = events(r.stdout);
    const done = ofType(list, 'progress').filter((p) => p.done);
    expect(done.map((p) => p.host).sort()).toEqual(['host1', 'host2', 'host3']);
    expect(done.every((p) => p.bytes === bytes.length && p.total === bytes.length)).toBe(true);
  });

  it('asks about the other end’s host key before anything runs, with the step’s hosts', async () => {
    const ws = workspace();
    const inventory = ws.write(
      'inventory.yml',
      `${fs.readFileSync(c.inventory, 'utf8')}    first:\n      hosts:\n        host1:\n`,
    );
    const known = ws.write('known_hosts', `${c.knownHostsLine('host1')}\n`);
    ws.writeRunbook('t/peer', {
      roles: { first: { description: 'host1' } },
      steps: [
        {
          id: 'fetch',
          title: 'Fetch',
          explain: 'from host2',
          on: 'first',
          risk: 'changes',
          copy: { from: 'host2:/root/x.tar', to: '/root/x.tar' },
        },
      ],
    });
    const r = await ws.run(['run', 't/peer', '-i', inventory, '--known-hosts', known, '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('unknown host key: host2');
    expect(r.stderr).not.toContain('host1 ');
  });
});
