/** The simulated cluster itself: separate hosts, their own paths, and nothing left behind. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRunning } from '../../fixtures/ssh-cluster/launch.mjs';
import { cluster, hostOf, run, teardown, transports } from './helpers.ts';

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
          'hostname; echo "$STEPWISE_HOST"; echo x > /tmp/mine; ls /tmp; echo ~',
        );
        expect(r.stdout).toBe(`${h.name}\n${h.name}\nmine\n/root\n`);
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
