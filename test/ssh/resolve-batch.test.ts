/**
 * `ssh -G` batched through a few shells gives exactly what one `ssh -G` per host gives (aliases,
 * tokens and a broken config included), caches per run, and `connectHosts` keeps to its limit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectHosts } from '../../src/transports/ssh/connect-hosts.ts';
import { runSshG, sshGWithConfig } from '../../src/transports/ssh/ssh-config.ts';
import { batchedSshG } from '../../src/transports/ssh/ssh-g-batch.ts';
import type { SshTransport } from '../../src/transports/ssh/ssh-transport.ts';
import { type Cluster, cluster, emptyHome, hostOf, teardown, transports } from './helpers.ts';

// OpenSSH reads ~/.ssh/config from the passwd entry, not $HOME, so configs are given with -F.
function configFile(text: string): string {
  const file = path.join(emptyHome(), 'config');
  fs.writeFileSync(file, text);
  return file;
}
const env = { HOME: emptyHome(), PATH: process.env.PATH ?? '' };

describe('batched ssh -G', () => {
  it('answers every host exactly as a lone ssh -G does', async () => {
    const file = configFile(
      'Host db-*\n  HostName %h.internal\n  User dba\n  Port 2222\nHost bastion\n  HostName 10.0.0.1\nHost *\n  ProxyJump bastion\n',
    );
    const names = [
      'db-1',
      'db-2',
      'web',
      'bastion',
      ...Array.from({ length: 9 }, (_, i) => `h${i}`),
    ];
    const g = batchedSshG({ shells: 3, configFile: file });
    const batched = await Promise.all(names.map((n) => g(n, env)));
    const lone = await Promise.all(names.map((n) => sshGWithConfig(file)(n, env)));
    expect(batched).toEqual(lone);
    expect(batched[0]).toContain('hostname db-1.internal\n');
    expect(batched[0]).toContain('port 2222\n');
    expect(batched[2]).toContain('proxyjump bastion\n');
    // Without -F: the machine's own config, as the default resolver sees it.
    expect(await batchedSshG()('web', env)).toEqual(await runSshG('web', env));
    // Cached for the run: the same answer object, no second call.
    expect(g('db-1', env)).toBe(g('db-1', env));
  });

  it('gives null where ssh -G fails, as a lone call does', async () => {
    const file = configFile('Host x\n  NoSuchOption yes\n');
    const g = batchedSshG({ configFile: file });
    expect(await sshGWithConfig(file)('x', env)).toBeNull();
    expect(await Promise.all([g('x', env), g('y', env)])).toEqual([null, null]);
  });
});

let c: Cluster;
describe('connectHosts', { timeout: 30_000 }, () => {
  beforeAll(async () => {
    c = await cluster(4);
  });
  afterAll(() => teardown(c));

  it('opens at most `limit` connections at once, and all of them', async () => {
    const make = transports(c);
    const hosts = c.hosts.map((h) => hostOf(c, h.name));
    const opened = hosts.map(make);
    let active = 0;
    let most = 0;
    for (const t of opened) {
      const open = t.open.bind(t);
      (t as { open: SshTransport['open'] }).open = async () => {
        active++;
        most = Math.max(most, active);
        try {
          await open();
        } finally {
          active--;
        }
      };
    }
    await connectHosts(
      hosts,
      (h) => opened[hosts.indexOf(h)]!,
      async () => ({ action: 'abort' }) as never,
      2,
    );
    expect(most).toBe(2);
    for (const t of opened) {
      let out = '';
      await t.exec({ command: 'hostname' }, (_s, chunk) => {
        out += chunk.toString();
      });
      expect(out.trim()).toBe(t.host.name);
    }
    await Promise.all(opened.map((t) => t.close()));
  });

  it('opens at most 10 at once by default, like --forks, with every ssh config resolved first', async () => {
    const make = transports(c);
    // More hosts than the default limit; their handshakes are stand-ins that take a moment.
    const hosts = Array.from({ length: 14 }, (_, i) => hostOf(c, 'host1', { name: `h${i}` }));
    const opened = hosts.map(make);
    let active = 0;
    let most = 0;
    let resolvedBeforeOpen = 0;
    const resolved = new Set<SshTransport>();
    for (const t of opened) {
      const resolve = t.resolve.bind(t);
      (t as { resolve: SshTransport['resolve'] }).resolve = () =>
        resolve().finally(() => resolved.add(t));
      (t as { open: SshTransport['open'] }).open = async () => {
        if (resolved.size === opened.length) resolvedBeforeOpen++;
        active++;
        most = Math.max(most, active);
        await new Promise((r) => setTimeout(r, 50));
        active--;
      };
    }
    await connectHosts(
      hosts,
      (h) => opened[hosts.indexOf(h)]!,
      async () => ({ action: 'abort' }) as never,
    );
    expect(most).toBe(10);
    expect(resolvedBeforeOpen).toBe(14);
  });
});
