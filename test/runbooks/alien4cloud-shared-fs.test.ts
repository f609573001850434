/**
 * alien4cloud/shared-fs walked headless on the simulated installation with a file server: real
 * sshfs mounts inside each ES node's namespace. Then a backup whose snapshot lands on the file
 * server. Needs sshfs and /dev/fuse on the machine (Debian package sshfs).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PATH_REPO } from '../../fixtures/alien4cloud/make-world.mjs';
import { results, steps, WALK_TIMEOUT, world } from './alien4cloud-helpers.ts';

function hasSshfs(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v sshfs && test -c /dev/fuse']);
    return true;
  } catch {
    return false;
  }
}

const sshfs = hasSshfs();
let env: Awaited<ReturnType<typeof world>> | undefined;

beforeAll(async () => {
  if (sshfs) env = await world({ fileServer: true });
}, 180_000);

afterAll(async () => {
  await env?.stop();
});

describe.skipIf(!sshfs)('alien4cloud/shared-fs over sshfs', () => {
  it(
    'mounts the file server folder on every node; the elasticsearch user writes there and a backup lands on the file server',
    async () => {
      const { w, run } = env!;
      const onServer = path.join(w.root('files'), PATH_REPO.slice(1));
      expect(fs.existsSync(onServer)).toBe(false);

      const walk = await run('alien4cloud/shared-fs', '--yes');
      expect(walk.stderr).toBe('');
      expect(walk.code).toBe(0);
      expect(Object.values(steps(walk)).every((s) => s === 'succeeded')).toBe(true);
      for (const n of ['es1', 'es2', 'es3'])
        expect(results(walk, 'file-server-host-key-known').get(n)?.status).toBe('pass');
      const mounts = await w.ssh('es2', `grep ' ${PATH_REPO} ' /proc/mounts`);
      expect(mounts).toContain('fuse.sshfs');
      expect(mounts).toContain('elasticsearch@files:');
      // The marker is gone again, and the folder on the server belongs to elasticsearch.
      expect(fs.readdirSync(onServer)).toEqual([]);

      const backup = await run('alien4cloud/backup', '--yes', '--set', 'backup_name=over-sshfs');
      expect(backup.stderr).toBe('');
      expect(backup.code).toBe(0);
      expect(fs.readdirSync(onServer)).toContain('snap-over-sshfs.dat');
      const owner = fs.statSync(path.join(onServer, 'snap-over-sshfs.dat')).uid;
      expect(owner).toBe(fs.statSync(onServer).uid);
    },
    WALK_TIMEOUT,
  );

  it(
    'a second run finds everything in place and changes nothing',
    async () => {
      const walk = await env!.run('alien4cloud/shared-fs', '--yes');
      expect(walk.code).toBe(0);
      const said = walk.events
        .filter((e) => e.type === 'output' && e.step === 'mount-share')
        .map((e) => (e.type === 'output' ? e.data : ''))
        .join('');
      expect(said).toContain('is already a mount point');
    },
    WALK_TIMEOUT,
  );
});
