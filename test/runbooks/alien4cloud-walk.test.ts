/**
 * The three Alien4Cloud runbooks walked headless end to end by the built CLI on the simulated
 * installation (real sshd hosts, fake Elasticsearch and Alien4Cloud servers): setup on nodes
 * with no path.repo, then a backup, a change, and a restore that brings the backup back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_DIR, FILES_DIR, TOOL_DIR } from '../../fixtures/alien4cloud/make-world.mjs';
import { output, results, steps, WALK_TIMEOUT, type Walk, world } from './alien4cloud-helpers.ts';

let env: Awaited<ReturnType<typeof world>>;

beforeAll(async () => {
  env = await world({ pathRepoMissingOn: ['es1', 'es2', 'es3'], toolConfig: 'shipped' });
}, 180_000);

afterAll(async () => {
  await env?.stop();
});

const NAME = 'a4c-walk-1';

function finished(walk: Walk): string | undefined {
  const last = walk.events.at(-1);
  return last?.type === 'run-finished' ? last.status : undefined;
}

describe('alien4cloud runbooks, headless on the cluster', () => {
  it(
    "before setup, a backup is refused: the zip's example config.yml, no path.repo anywhere",
    async () => {
      const walk = await env.run('alien4cloud/backup', '--yes', '--set', `backup_name=${NAME}`);
      expect(walk.code).toBe(1);
      const reach = results(walk, 'tool-reaches-es').get('a4c');
      expect(reach?.status).toBe('fail');
      expect(reach?.evidence.found).toContain('UNREACHABLE localhost:9300');
      for (const n of ['es1', 'es2', 'es3'])
        expect(results(walk, 'path-repo-live').get(n)?.status).toBe('fail');
      expect(steps(walk)).toEqual({});
    },
    WALK_TIMEOUT,
  );

  it(
    'setup writes config.yml and path.repo (shown as diffs first), restarts ES node by node, and the live settings follow',
    async () => {
      const { w, run } = env;
      const before = await w.es('es1', 'GET', '/_nodes/_local/settings');
      expect(JSON.stringify(before.json)).not.toContain('"repo"');

      const walk = await run('alien4cloud/setup', '--yes');
      expect(walk.stderr).toBe('');
      expect(walk.code).toBe(0);
      expect(finished(walk)).toBe('succeeded');
      expect(steps(walk)).toEqual({
        'write-tool-config': 'succeeded',
        'create-repo-folder': 'succeeded',
        'check-shared': 'succeeded',
        'remove-marker': 'succeeded',
        'set-path-repo': 'succeeded',
        'restart-es': 'succeeded',
        'show-path-repo': 'succeeded',
      });

      // The diffs shown before the confirmation: the shipped example against the real cluster.
      const toolDiff = output(walk, 'write-tool-config', 'preview').a4c ?? '';
      expect(toolDiff).toContain('-  addresses: localhost:9300,129.185.67.26:9300');
      expect(toolDiff).toMatch(/^\+ {2}addresses: 127\.\d+\.\d+\.1:9300,/m);
      const ymlDiff = output(walk, 'set-path-repo', 'preview');
      for (const n of ['es1', 'es2', 'es3'])
        expect(ymlDiff[n]).toContain('+path.repo: /home/elasticsearch/backups');

      // One node at a time: each restart finished before the next started.
      const restarts = walk.events.filter(
        (e) =>
          (e.type === 'host-started' || e.type === 'host-finished') &&
          e.step === 'restart-es' &&
          e.phase === 'run',
      );
      const order = restarts.map((e) =>
        e.type === 'host-started' ? `+${e.host}` : e.type === 'host-finished' ? `-${e.host}` : '',
      );
      expect(order).toEqual(['+es1', '-es1', '+es2', '-es2', '+es3', '-es3']);

      const live = results(walk, 'path-repo-live');
      for (const n of ['es1', 'es2', 'es3']) {
        expect(live.get(n)?.status).toBe('pass');
        expect(live.get(n)?.evidence).toMatchObject({
          host: n,
          expected: '/home/elasticsearch/backups',
          found: '/home/elasticsearch/backups',
        });
      }
      const config = fs.readFileSync(
        path.join(w.root('a4c'), TOOL_DIR.slice(1), 'config/config.yml'),
        'utf8',
      );
      expect(config).toContain(`  addresses: ${w.esUrl('es1').slice(7, -5)}:9300,`);
      expect(fs.readdirSync(path.join(w.root('a4c'), TOOL_DIR.slice(1), 'config'))).toContainEqual(
        expect.stringMatching(/^config\.yml\.before-/),
      );
    },
    WALK_TIMEOUT,
  );

  it(
    'backup snapshots ES and copies the uploaded files; restore brings both back and Alien4Cloud answers',
    async () => {
      const { w, run } = env;
      const backup = await run('alien4cloud/backup', '--yes', '--set', `backup_name=${NAME}`);
      expect(backup.stderr).toBe('');
      expect(backup.code).toBe(0);
      for (const check of ['es-up', 'path-repo-live', 'repo-folder-writable'])
        for (const n of ['es1', 'es2', 'es3'])
          expect(results(backup, check).get(n)?.status, `${check} on ${n}`).toBe('pass');
      const verified = backup.events.filter((e) => e.type === 'verify-result');
      expect(verified.map((e) => e.type === 'verify-result' && e.status)).toEqual(['pass', 'pass']);
      const snap = await w.es('es2', 'GET', `/_snapshot/alien4cloud_backup/${NAME}`);
      expect(snap.json.snapshots[0].state).toBe('SUCCESS');
      const a4cRoot = w.root('a4c');
      expect(
        fs.existsSync(
          path.join(a4cRoot, FILES_DIR.slice(1), NAME, 'plugins/alien4cloud-kubernetes-plugin'),
        ),
      ).toBe(true);

      // Life goes on after the backup: an application is added, an uploaded file removed.
      await w.es('es3', 'PUT', '/application/doc/app-after', { name: 'after' });
      expect((await w.es('es1', 'GET', '/application/_count')).json.count).toBe(3);
      fs.rmSync(path.join(a4cRoot, DATA_DIR.slice(1), 'artifacts'), { recursive: true });

      // Without a name, a headless restore stops at the choice and lists the snapshots.
      const asked = await run('alien4cloud/restore', '--yes', '--allow-destructive');
      expect(asked.code).toBe(3);
      expect(asked.stderr).toContain(`choose backup_name from: ${NAME}`);

      const restore = await run(
        'alien4cloud/restore',
        '--yes',
        '--allow-destructive',
        '--set',
        `backup_name=${NAME}`,
      );
      expect(restore.stderr).toBe('');
      expect(restore.code).toBe(0);
      expect(steps(restore)).toEqual({
        'choose-backup': 'succeeded',
        'stop-alien4cloud': 'succeeded',
        'run-restore': 'succeeded',
        'start-alien4cloud': 'succeeded',
      });
      expect(results(restore, 'snapshot-folder-readable').get('es2')?.status).toBe('pass');
      expect((await w.es('es1', 'GET', '/application/_count')).json.count).toBe(2);
      expect(
        fs.existsSync(path.join(a4cRoot, DATA_DIR.slice(1), 'artifacts/shop/install.sh')),
      ).toBe(true);
      const res = await fetch(`${w.a4cUrl}/rest/latest/health`);
      expect(await res.json()).toEqual({ status: 'UP' });

      // The tool itself names what it has when asked for a backup it does not have.
      const unknown = await w
        .ssh('a4c', `cd ${TOOL_DIR} && ./backup-restore-tool.sh -restore -n nope`)
        .then(
          () => 'exit 0',
          (e: Error) => e.message,
        );
      expect(unknown).toContain(`no snapshot [nope] in the repository; available: ${NAME}`);
    },
    WALK_TIMEOUT,
  );

  it(
    'restore is gated when the ES process cannot read the snapshot folder, before anything is restored',
    async () => {
      const { w, run } = env;
      await w.ssh('es2', 'chmod 000 /home/elasticsearch/backups/indices');
      try {
        const walk = await run(
          'alien4cloud/restore',
          '--yes',
          '--allow-destructive',
          '--set',
          `backup_name=${NAME}`,
        );
        expect(walk.code).toBe(1);
        const gate = results(walk, 'snapshot-folder-readable');
        expect(gate.get('es2')?.status).toBe('fail');
        expect(gate.get('es2')?.evidence.found).toContain('/home/elasticsearch/backups/indices');
        expect(steps(walk)['run-restore']).toBeUndefined();
        // The indices were never closed.
        expect((await w.es('es1', 'GET', '/application/_count')).status).toBe(200);
      } finally {
        await w.ssh('es2', 'chmod 755 /home/elasticsearch/backups/indices');
        await w.ssh('a4c', '/etc/init.d/alien4cloud start');
      }
    },
    WALK_TIMEOUT,
  );
});
