/**
 * alien4cloud/restore with an operator who skips stopping Alien4Cloud (the embedded
 * Elasticsearch case the step's note names): the run goes through `runCommand` exactly as the
 * TUI drives it, with a scripted operator in place of the screen. The reason is recorded in the
 * journal, the restore runs with Alien4Cloud up, and Alien4Cloud is restarted afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.ts';
import type { CliIO } from '../../src/cli/io.ts';
import type { RunEvent } from '../../src/engine/events.ts';
import { ScriptedDecider } from '../ssh/helpers.ts';
import { WALK_TIMEOUT, world } from './alien4cloud-helpers.ts';

let env: Awaited<ReturnType<typeof world>>;

beforeAll(async () => {
  env = await world();
}, 180_000);

afterAll(async () => {
  await env?.stop();
});

const REASON = 'embedded Elasticsearch: cannot stop Alien4Cloud, platform left idle';

describe('alien4cloud/restore, stopping Alien4Cloud skipped with a reason', () => {
  it(
    'records the reason, restores with Alien4Cloud running, then restarts it',
    async () => {
      const { w, run } = env;
      const backup = await run('alien4cloud/backup', '--yes', '--set', 'backup_name=skip-1');
      expect(backup.code).toBe(0);
      await w.es('es1', 'PUT', '/application/doc/app-later', { name: 'later' });

      const home = path.join(path.dirname(w.dir), 'skip-home');
      const events: RunEvent[] = [];
      const io: CliIO = {
        env: { ...process.env, STEPWISE_HOME: home },
        cwd: path.dirname(w.dir),
        stdout: () => {},
        stderr: () => {},
        interactive: false,
        clock: () => new Date(),
        user: 'operator-under-test',
        onInterrupt: () => () => {},
      };
      const decider = new ScriptedDecider((r) => {
        if (r.kind === 'confirm' && r.step === 'stop-alien4cloud')
          return { action: 'skip', reason: REASON };
        if (r.kind === 'confirm') return { action: 'run' };
        if (r.kind === 'confirm-destructive') return { action: 'run', typed: r.phrase };
        return { action: 'abort' };
      });
      const code = await runCommand(
        io,
        'alien4cloud/restore',
        {
          set: ['backup_name=skip-1'],
          override: [],
          manualDone: [],
          runbooks: [],
          inventory: w.inventory,
          knownHosts: w.knownHosts,
        },
        { decider, display: (e) => events.push(e), cancel: new AbortController().signal },
      );
      expect(code).toBe(0);
      expect(decider.asked.map((r) => `${r.kind}:${'step' in r ? r.step : ''}`)).toEqual([
        'confirm:stop-alien4cloud',
        'confirm-destructive:run-restore',
        'confirm:start-alien4cloud',
      ]);
      const skipped = events.find(
        (e) => e.type === 'step-finished' && e.step === 'stop-alien4cloud',
      );
      expect(skipped).toMatchObject({ status: 'skipped', reason: REASON });
      // The same is in the journal on disk, which the report reads.
      const [runDir] = fs.readdirSync(path.join(home, 'runs'));
      const journal = fs.readFileSync(path.join(home, 'runs', runDir!, 'journal.jsonl'), 'utf8');
      expect(journal).toContain(REASON);

      expect((await w.es('es2', 'GET', '/application/_count')).json.count).toBe(2);
      expect((await fetch(`${w.a4cUrl}/rest/latest/health`)).status).toBe(200);
    },
    WALK_TIMEOUT,
  );
});
