/**
 * A run killed with SIGKILL in the middle of a step: the journal still tells where it was, and
 * resume neither re-runs what had finished nor silently re-runs the step that was cut off.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLI_TIMEOUT,
  cleanupWorkspaces,
  countLines,
  events,
  groupAlive,
  ofType,
  until,
  workspace,
} from './helpers.ts';

const groups: number[] = [];
afterEach(() => {
  // The killed stepwise cannot stop its step's process group; the test does.
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  cleanupWorkspaces();
});

interface StepState {
  id: string;
  status: string;
}

describe('kill -9 in the middle of a step', { timeout: CLI_TIMEOUT }, () => {
  it('leaves a run that lists, reports and resumes with the step marked interrupted', async () => {
    const ws = workspace();
    const count = (step: string) => ws.path(`${step}.count`);
    const marker = ws.path('slow.pid');
    const fast = ws.path('fast');
    ws.writeRunbook('t/crash', {
      steps: [
        { id: 'first', run: `echo x >> ${count('first')}` },
        {
          id: 'slow',
          risk: 'changes',
          run: [
            `echo x >> ${count('slow')}`,
            `echo $$ > ${marker}.tmp && mv ${marker}.tmp ${marker}`,
            `if [ -e ${fast} ]; then echo quick this time; else sleep 30; fi`,
          ].join('; '),
        },
        { id: 'last', run: `echo x >> ${count('last')}` },
      ],
    });

    const run = ws.start(['run', 't/crash', '--yes', '--json']);
    await until(() => fs.existsSync(marker), 'step slow to start');
    const pgid = Number(fs.readFileSync(marker, 'utf8'));
    groups.push(pgid);
    await until(
      () => ofType(events(run.stdout), 'host-started').some((e) => e.step === 'slow'),
      'the host-started event of slow',
    );
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(killed.signal).toBe('SIGKILL');
    // The step's own process group outlives stepwise; stop it so the rerun is the only one.
    expect(groupAlive(pgid)).toBe(true);
    process.kill(-pgid, 'SIGKILL');
    await until(() => !groupAlive(pgid), 'the orphaned step to end');
    const runId = events(killed.stdout)[0]!.runId;
    expect([countLines(count('first')), countLines(count('slow'))]).toEqual([1, 1]);

    const runs = await ws.run(['runs', '--json']);
    expect(runs.code).toBe(0);
    const listed = JSON.parse(runs.stdout) as {
      runId: string;
      status: string;
      currentStep: string;
    }[];
    expect(listed).toMatchObject([{ runId, status: 'running', currentStep: 'slow' }]);

    const report = await ws.run(['report', runId, '--format', 'json']);
    expect(report.code).toBe(0);
    const folded = JSON.parse(report.stdout) as { run: { status: string }; steps: StepState[] };
    expect(folded.steps.map((s) => [s.id, s.status])).toEqual([
      ['first', 'succeeded'],
      ['slow', 'interrupted'],
      ['last', 'pending'],
    ]);

    const asked = await ws.run(['resume', runId, '--json']);
    expect(asked.code).toBe(3);
    expect(asked.stderr).toContain('step slow (slow) was interrupted');
    expect(asked.stderr).toContain('--on-interrupted');
    const askedEvents = events(asked.stdout);
    expect(askedEvents[0]).toMatchObject({ type: 'run-resumed', runId, changed: null });
    expect(ofType(askedEvents, 'decision-requested')).toMatchObject([
      { kind: 'interrupted', step: 'slow' },
    ]);
    expect(ofType(askedEvents, 'step-started')).toEqual([]);
    expect(countLines(count('slow'))).toBe(1);

    fs.writeFileSync(fast, '');
    const resumed = await ws.run(['resume', runId, '--on-interrupted', 'rerun', '--yes', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const list = events(resumed.stdout);
    expect(ofType(list, 'decision')).toContainEqual(
      expect.objectContaining({ kind: 'interrupted', answer: 'rerun', step: 'slow' }),
    );
    expect(ofType(list, 'step-started').map((e) => e.step)).toEqual(['slow', 'last']);
    expect(list.at(-1)).toMatchObject({ type: 'run-finished', status: 'succeeded' });
    expect({
      first: countLines(count('first')),
      slow: countLines(count('slow')),
      last: countLines(count('last')),
    }).toEqual({ first: 1, slow: 2, last: 1 });

    const after = await ws.run(['runs', '--json']);
    expect(JSON.parse(after.stdout)).toMatchObject([{ runId, status: 'succeeded' }]);
  });

  it('can mark the interrupted step done instead of running it again', async () => {
    const ws = workspace();
    const marker = ws.path('slow.pid');
    const count = ws.path('slow.count');
    const after = ws.path('after.count');
    ws.writeRunbook('t/crash', {
      steps: [
        {
          id: 'slow',
          run: `echo x >> ${count}; echo $$ > ${marker}.tmp && mv ${marker}.tmp ${marker}; sleep 30`,
        },
        { id: 'after', run: `echo x >> ${after}` },
      ],
    });
    const run = ws.start(['run', 't/crash', '--json']);
    await until(() => fs.existsSync(marker), 'step slow to start');
    const pgid = Number(fs.readFileSync(marker, 'utf8'));
    groups.push(pgid);
    run.child.kill('SIGKILL');
    const runId = events((await run.done).stdout)[0]!.runId;
    process.kill(-pgid, 'SIGKILL');

    const r = await ws.run(['resume', runId, '--on-interrupted', 'mark-done', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const finished = ofType(events(r.stdout), 'step-finished');
    expect(finished.map((e) => [e.step, e.status])).toEqual([
      ['slow', 'succeeded'],
      ['after', 'succeeded'],
    ]);
    expect(finished[0]?.reason).toContain('marked done after an interruption');
    expect([countLines(count), countLines(after)]).toEqual([1, 1]);
  });
});

describe('resume refuses what it cannot resume', { timeout: CLI_TIMEOUT }, () => {
  it('a run that succeeded, and a run id that does not exist', async () => {
    const ws = workspace();
    ws.writeRunbook('t/ok', { steps: [{ id: 'a', run: 'true' }] });
    const r = await ws.run(['run', 't/ok', '--json']);
    const runId = events(r.stdout)[0]!.runId;

    const again = await ws.run(['resume', runId]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`run ${runId} already succeeded`);

    const missing = await ws.run(['resume', '20990101-000000-t-ok-0000']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no run 20990101-000000-t-ok-0000');
    expect(missing.stderr).toContain('stepwise runs');
  });
});
