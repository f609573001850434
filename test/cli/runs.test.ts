/** `stepwise runs` and what the run index records; a closed stdout never stops a run. */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLI_TIMEOUT,
  cleanupWorkspaces,
  events,
  journalEvents,
  ofType,
  onlyRunId,
  until,
  workspace,
} from './helpers.ts';

afterEach(cleanupWorkspaces);

interface Listed {
  runId: string;
  runbook: string;
  status: string;
  startedAt: string;
  currentStep: string | null;
}

describe('stepwise runs', { timeout: CLI_TIMEOUT }, () => {
  it('lists runs newest first with their status and where they stopped', async () => {
    const ws = workspace();
    const empty = await ws.run(['runs']);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('No runs yet. Start one with: stepwise run RUNBOOK\n');

    ws.writeRunbook('t/ok', { steps: [{ id: 'a', run: 'true' }] });
    ws.writeRunbook('t/bad', {
      steps: [
        { id: 'a', run: 'true' },
        { id: 'b', run: 'exit 1' },
      ],
    });
    const ok = events((await ws.run(['run', 't/ok', '--json'])).stdout)[0]!.runId;
    // Run ids start with the time to the second, so wait for the next second to order them.
    const second = Math.floor(Date.now() / 1000);
    await until(() => Math.floor(Date.now() / 1000) > second, 'the next second', 2000);
    const bad = events((await ws.run(['run', 't/bad', '--json'])).stdout)[0]!.runId;

    const r = await ws.run(['runs', '--json']);
    expect(r.code).toBe(0);
    const runs = JSON.parse(r.stdout) as Listed[];
    expect(runs).toMatchObject([
      { runId: bad, runbook: 't/bad', status: 'failed', currentStep: 'b' },
      { runId: ok, runbook: 't/ok', status: 'succeeded' },
    ]);

    const plain = await ws.run(['runs']);
    expect(plain.stdout.split('\n')[0]).toMatch(new RegExp(`^${bad} +t/bad +failed at b$`));
  });

  it('records when a run started, not when it ended, and keeps it across a resume', async () => {
    const ws = workspace();
    const ok = ws.path('ok');
    ws.writeRunbook('t/slow', { steps: [{ id: 'a', run: `sleep 0.2; test -e ${ok}` }] });
    const r = await ws.run(['run', 't/slow', '--json']);
    expect(r.code).toBe(1);
    const started = ofType(events(r.stdout), 'run-started')[0]!.at;
    const listed = async () => JSON.parse((await ws.run(['runs', '--json'])).stdout) as Listed[];
    expect((await listed())[0]?.startedAt).toBe(started);

    fs.writeFileSync(ok, '');
    const resumed = await ws.run(['resume', events(r.stdout)[0]!.runId]);
    expect(resumed.code).toBe(0);
    expect(await listed()).toMatchObject([{ status: 'succeeded', startedAt: started }]);
  });
});

describe('a closed stdout', { timeout: CLI_TIMEOUT }, () => {
  it('does not stop a run that is changing things (`stepwise run --json | head -1`)', async () => {
    const ws = workspace();
    const done = ws.path('second-step-done');
    ws.writeRunbook('t/two', {
      steps: [
        { id: 'first', run: 'echo first' },
        { id: 'second', risk: 'changes', run: `sleep 0.3; echo second; touch ${done}` },
      ],
    });
    const run = ws.start(['run', 't/two', '--yes', '--json']);
    // Like `| head -1`: read the first line, then close the pipe.
    await until(() => run.stdout.includes('\n'), 'the first event');
    run.child.stdout.destroy();
    await run.done;
    expect(fs.existsSync(done)).toBe(true);
    const journal = journalEvents(ws, onlyRunId(ws));
    expect(journal.at(-1)).toMatchObject({ type: 'run-finished', status: 'succeeded' });
  });
});
