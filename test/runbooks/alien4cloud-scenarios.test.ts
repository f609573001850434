/**
 * What alien4cloud/backup must catch before it runs anything, on the simulated installation:
 * path.repo missing on one of three ES nodes; path.repo written to elasticsearch.yml but not
 * live until that node restarts; a snapshot folder the elasticsearch user cannot write.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILES_DIR, PATH_REPO } from '../../fixtures/alien4cloud/make-world.mjs';
import { results, steps, WALK_TIMEOUT, world } from './alien4cloud-helpers.ts';

let env: Awaited<ReturnType<typeof world>>;

beforeAll(async () => {
  env = await world({ pathRepoMissingOn: ['es2'] });
}, 180_000);

afterAll(async () => {
  await env?.stop();
});

function backupsTaken(): string[] {
  return fs.readdirSync(path.join(env.w.root('a4c'), FILES_DIR.slice(1)));
}

describe('alien4cloud/backup refuses to start when a node cannot snapshot', () => {
  it(
    'path.repo missing on one of three nodes: that node fails, the others pass, nothing runs',
    async () => {
      const walk = await env.run('alien4cloud/backup', '--yes', '--set', 'backup_name=b1');
      expect(walk.code).toBe(1);
      const live = results(walk, 'path-repo-live');
      expect(live.get('es1')?.status).toBe('pass');
      expect(live.get('es3')?.status).toBe('pass');
      const es2 = live.get('es2');
      expect(es2?.status).toBe('fail');
      expect(es2?.message).toContain(`path.repo on es2 does not include ${PATH_REPO}`);
      expect(es2?.message).not.toContain('restart');
      expect(es2?.evidence).toMatchObject({
        host: 'es2',
        expected: PATH_REPO,
        found: '(not set)',
        configured: '(not set)',
      });
      expect(steps(walk)).toEqual({});
      expect(backupsTaken()).toEqual([]);
    },
    WALK_TIMEOUT,
  );

  it(
    'path.repo configured but not live: its own message, until the node restarts',
    async () => {
      await env.w.ssh(
        'es2',
        `echo 'path.repo: ${PATH_REPO}' >> /etc/elasticsearch/elasticsearch.yml`,
      );
      const walk = await env.run('alien4cloud/backup', '--yes', '--set', 'backup_name=b2');
      expect(walk.code).toBe(1);
      const es2 = results(walk, 'path-repo-live').get('es2');
      expect(es2?.status).toBe('fail');
      expect(es2?.message).toBe(
        'path.repo on es2 is configured in elasticsearch.yml but not active until ES restarts (live: not set)',
      );
      expect(es2?.evidence).toMatchObject({
        expected: PATH_REPO,
        found: '(not set)',
        configured: PATH_REPO,
      });
      expect(backupsTaken()).toEqual([]);

      await env.w.ssh('es2', '/etc/init.d/elasticsearch restart');
      await env.w.waitForEs();
      const after = await env.run('alien4cloud/backup', '--yes', '--set', 'backup_name=b3');
      expect(after.stderr).toBe('');
      expect(after.code).toBe(0);
      expect(results(after, 'path-repo-live').get('es2')?.status).toBe('pass');
      expect(backupsTaken()).toEqual(['b3']);
    },
    WALK_TIMEOUT,
  );

  it(
    'a snapshot folder the elasticsearch user cannot write fails the write test on every node',
    async () => {
      await env.w.ssh('es1', `chown root:root ${PATH_REPO} && chmod 755 ${PATH_REPO}`);
      try {
        const walk = await env.run('alien4cloud/backup', '--yes', '--set', 'backup_name=b4');
        expect(walk.code).toBe(1);
        const writable = results(walk, 'repo-folder-writable');
        for (const n of ['es1', 'es2', 'es3']) {
          expect(writable.get(n)?.status).toBe('fail');
          expect(writable.get(n)?.evidence.found).toContain('Permission denied');
        }
        expect(backupsTaken()).toEqual(['b3']);
      } finally {
        await env.w.ssh('es1', `chown elasticsearch:elasticsearch ${PATH_REPO}`);
      }
    },
    WALK_TIMEOUT,
  );
});
