/** The simulated cluster itself: separate hosts, their own paths, and nothing left behind. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isRunning } from '../../fixtures/ssh-cluster/launch.mjs';
import { shellQuote } from '../../src/runbook/template.ts';
import { cluster, hostOf, run, teardown, transports } from './helpers.ts';

/** The checkout is shown at its own path in every host: under /tmp, its mount point is there too. */
const checkout = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const seenInTmp = checkout.startsWith('/tmp/') ? [checkout.split('/')[2]!] : [];

describe('ssh cluster fixture', { timeout: 30_000 }, () => {
  it('starts hosts with their own name, address, /tmp and /root, and stops every process', async () => {
    const c = await cluster(2);
    const pids = c.hosts.map((h) => h.pid);
    try {
      expect(new Set(c.hosts.map((h) => h.address)).size).toBe(2);
      const make = transports(c);
      for (const h of c.hosts) {
        const t = make(hostOf(c, h.name));
        const r = await run(
          t,
          `hostname; echo "$STEPWISE_HOST"; echo x > /tmp/mine; ls /tmp; echo ~; test -x ${shellQuote(process.execPath)} && echo node-visible`,
        );
        const tmp = [...seenInTmp, 'mine'].sort().join('\n');
        expect(r.stdout).toBe(`${h.name}\n${h.name}\n${tmp}\n/root\nnode-visible\n`);
        await t.close();
        expect(fs.readFileSync(path.join(h.root, 'tmp/mine'), 'utf8')).toBe('x\n');
      }
      expect(fs.existsSync('/tmp/mine')).toBe(false);
      expect(fs.readFileSync(c.inventory, 'utf8')).toContain(
        `ansible_host: ${c.hosts[1]!.address}`,
      );
    } finally {
      await teardown(c);
    }
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
  });
});
