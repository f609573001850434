/**
 * The `copy:` step action between real sshd hosts: through the operator's machine and directly
 * (host to host over the hosts' own keys), byte-exact with progress; a missing source, a full
 * disk on the destination (a 1 MB tmpfs mounted in that host only) and a host killed mid-copy,
 * each naming both ends and leaving nothing under the final name.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyAction } from '../../src/engine/actions/copy.ts';
import { describeAction, runAction } from '../../src/engine/actions/run-action.ts';
import { Redactor } from '../../src/engine/redact.ts';
import { parseRunbook } from '../../src/runbook/load.ts';
import type { Transport } from '../../src/transports/transport.ts';
import { type Cluster, cluster, hostOf, teardown, transports } from './helpers.ts';

let c: Cluster;
let open: Map<string, Transport>;
beforeAll(async () => {
  c = await cluster(3);
  open = new Map();
});
afterAll(async () => {
  await Promise.all([...open.values()].map((t) => t.close()));
  await teardown(c);
});

/** A path as the operator's machine sees a file inside a host's own /root. */
const onHost = (host: string, p: string) =>
  path.join(c.hosts.find((h) => h.name === host)!.root, 'root', p.replace(/^\/root\//, ''));

function transportOf(name: string): Transport {
  let t = open.get(name);
  if (!t) {
    t = transports(c)(hostOf(c, name));
    open.set(name, t);
  }
  return t;
}

type Emitted = { type: string; [k: string]: unknown };

async function copy(raw: Record<string, unknown>, on = 'host1') {
  const events: Emitted[] = [];
  const run = await runAction({
    action: copyAction as never,
    raw,
    host: hostOf(c, on),
    transport: transportOf(on),
    lookup: () => undefined,
    redactor: new Redactor(),
    step: 'move',
    emit: (e) => events.push(e as Emitted),
    hostNamed: (name) => ({ host: hostOf(c, name), transport: transportOf(name) }),
  });
  return { run, events, progress: events.filter((e) => e.type === 'progress') };
}

function source(name: string, size: number): Buffer {
  const bytes = randomBytes(size);
  fs.mkdirSync(path.dirname(onHost('host1', `/root/backups/${name}`)), { recursive: true });
  fs.writeFileSync(onHost('host1', `/root/backups/${name}`), bytes);
  return bytes;
}

const leftovers = (host: string, dir: string) =>
  fs.existsSync(onHost(host, dir)) ? fs.readdirSync(onHost(host, dir)) : [];

describe('copy between hosts', { timeout: 60_000 }, () => {
  it.each(['operator', 'direct'])(
    'copies byte-exact via %s, with progress and sha256',
    async (via) => {
      const bytes = source(`a-${via}.tar`, 3 * 1024 * 1024 + 17);
      const { run, events, progress } = await copy({
        from: `/root/backups/a-${via}.tar`,
        to: `host2:/root/restore/${via}/a.tar`,
        via,
      });
      expect(run.status, run.error).toBe('ok');
      expect(fs.readFileSync(onHost('host2', `/root/restore/${via}/a.tar`)).equals(bytes)).toBe(
        true,
      );
      expect(leftovers('host2', `/root/restore/${via}`)).toEqual(['a.tar']);
      const last = progress.at(-1)!;
      expect(last).toMatchObject({ done: true, bytes: bytes.length, total: bytes.length });
      expect(last.label).toBe(
        `host1:/root/backups/a-${via}.tar → host2:/root/restore/${via}/a.tar`,
      );
      expect(progress.filter((p) => p.done)).toHaveLength(1);
      const sum = execFileSync('sha256sum', [onHost('host2', `/root/restore/${via}/a.tar`)])
        .toString()
        .slice(0, 64);
      expect(run.stdout).toContain(`sha256 ${sum}  host2:/root/restore/${via}/a.tar`);
      expect(events.some((e) => e.type === 'output')).toBe(true);
    },
  );

  it('copies from another host to the step’s host, directly', async () => {
    const bytes = source('b.tar', 200_000);
    const { run } = await copy(
      { from: 'host1:/root/backups/b.tar', to: '/root/in/b.tar', via: 'direct' },
      'host3',
    );
    expect(run.status, run.error).toBe('ok');
    expect(fs.readFileSync(onHost('host3', '/root/in/b.tar')).equals(bytes)).toBe(true);
  });

  it.each(['operator', 'direct'])(
    'names both ends when the source is missing (via %s)',
    async (via) => {
      const { run } = await copy({
        from: '/root/backups/nope.tar',
        to: 'host2:/root/x/nope.tar',
        via,
      });
      expect(run.status).toBe('failed');
      expect(run.error).toContain('host1:/root/backups/nope.tar → host2:/root/x/nope.tar');
      expect(run.error).toContain('nothing at host1:/root/backups/nope.tar');
      expect(fs.existsSync(onHost('host2', '/root/x/nope.tar'))).toBe(false);
    },
  );

  it.each(['operator', 'direct'])(
    'reports a full disk on the destination (via %s), leaving nothing',
    async (via) => {
      source('big.tar', 3 * 1024 * 1024);
      const dir = `/root/small-${via}`;
      fs.mkdirSync(onHost('host2', dir), { recursive: true });
      const pid = String(c.hosts.find((h) => h.name === 'host2')!.pid);
      execFileSync('nsenter', [
        '-t',
        pid,
        '-m',
        'mount',
        '-t',
        'tmpfs',
        '-o',
        'size=1m',
        'tmpfs',
        dir,
      ]);
      const { run } = await copy({
        from: '/root/backups/big.tar',
        to: `host2:${dir}/big.tar`,
        via,
      });
      const inside = execFileSync('nsenter', ['-t', pid, '-m', 'ls', '-A', dir]).toString();
      execFileSync('nsenter', ['-t', pid, '-m', 'umount', dir]);
      expect(run.status).toBe('failed');
      expect(run.error).toContain(`host1:/root/backups/big.tar → host2:${dir}/big.tar`);
      expect(run.error).toMatch(/no space left on host2/);
      expect(run.error).toContain('hint: free space on host2');
      expect(inside).toBe('');
    },
  );

  it('fails naming the destination when it is killed mid-copy, with no file under the name', async () => {
    source('huge.tar', 48 * 1024 * 1024);
    const pending = copy({ from: '/root/backups/huge.tar', to: 'host3:/root/lost/huge.tar' });
    // Kill it once bytes are moving.
    for (let i = 0; i < 400 && !fs.existsSync(onHost('host3', '/root/lost')); i++)
      await new Promise((r) => setTimeout(r, 10));
    await c.kill('host3');
    const { run } = await pending;
    await c.start('host3');
    open.delete('host3');
    expect(run.status).toBe('failed');
    expect(run.error).toContain('host1:/root/backups/huge.tar → host3:/root/lost/huge.tar');
    expect(run.error).toMatch(
      /writing host3:\/root\/lost\/huge\.tar failed: .*(ended|lost|closed|No response)/,
    );
    expect(fs.existsSync(onHost('host3', '/root/lost/huge.tar'))).toBe(false);
  });
});

describe('copy in a runbook', () => {
  it('describes itself in one line for dry runs and confirmations, templates rendered', () => {
    const vars: Record<string, string> = { file: 'db-2026-11-21.tar.gz' };
    const line = describeAction(
      copyAction as never,
      { from: 'db1:/var/backups/{{ file }}', to: 'backup1:/srv/{{ file }}', via: 'direct' },
      (n) => vars[n],
    );
    expect(line).toBe(
      'copy db1:/var/backups/db-2026-11-21.tar.gz → backup1:/srv/db-2026-11-21.tar.gz (via the source host, directly, sha256 checked)',
    );
    expect(describeAction(copyAction as never, { from: '/a', to: 'b:/c' }, () => undefined)).toBe(
      'copy /a → b:/c (via this machine, sha256 checked)',
    );
  });

  it('is validated with file:line like every step field', () => {
    const result = parseRunbook(
      'title: T\nsystem: s\nsummary: S\nsource: { document: d }\nsteps:\n  - id: a\n    title: A\n    explain: E\n    risk: changes\n    copy:\n      from: db1:/x\n      to: "b:"\n      via: pigeon\n',
      'x/y.yaml',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      expect.stringMatching(/^12: .*HOST:PATH or PATH/),
      expect.stringMatching(/^13: .*operator.*direct/),
    ]);
  });
});
