/** One stepwise at a time per run: a second one is refused while the first is alive. */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_TIMEOUT, cleanupWorkspaces, events, ofType, until, workspace } from './helpers.ts';

afterEach(cleanupWorkspaces);

describe('the run lock', { timeout: CLI_TIMEOUT }, () => {
  it('refuses to resume a run that another stepwise is running, and frees it when that one ends', async () => {
    const ws = workspace();
    const release = ws.path('release');
    ws.writeRunbook('t/lock', {
      steps: [
        { id: 'wait', run: `while [ ! -e ${release} ]; do sleep 0.1; done; echo released` },
        { id: 'after', run: 'echo after' },
      ],
    });
    const first = ws.start(['run', 't/lock', '--json']);
    await until(
      () => ofType(events(first.stdout), 'host-started').some((e) => e.step === 'wait'),
      'step wait to start',
    );
    const runId = events(first.stdout)[0]!.runId;
    const lockFile = `${ws.home}/runs/${runId}/lock`;

    const second = await ws.run(['resume', runId, '--json']);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(
      `run ${runId} is in progress in another stepwise (pid ${first.child.pid})`,
    );
    expect(second.stdout).toBe('');

    fs.writeFileSync(release, '');
    const done = await first.done;
    expect(done.code).toBe(0);
    expect(fs.existsSync(lockFile)).toBe(false);
  });
});
