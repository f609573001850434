/** Ways a run stops early: the operator quits, presses Ctrl-C, or a command runs out of time. */
import { existsSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { HEADER, processGone, runScenario, scratchDir, waitFor } from './harness.ts';

const twoSteps = `${HEADER}
steps:
  - id: drain
    title: Drain the node
    explain: Moves traffic away.
    risk: changes
    run: echo drained
  - id: after
    title: After
    explain: Never reached.
    risk: read-only
    run: echo after
`;

test('quit at a confirmation pauses the run at that step', async () => {
  const r = await runScenario({ yaml: twoSteps, script: { confirm: [{ action: 'quit' }] } });
  expect(r.outcome).toBe('paused');
  expect(r.log).toEqual([
    'run-started test/run',
    'preflight-started []',
    'preflight-finished pass',
    'ask confirm step=drain',
    'answer confirm quit by tester',
    'run-paused at drain',
  ]);
});

test('quit after a failure pauses too, with nothing marked failed', async () => {
  const r = await runScenario({
    yaml: twoSteps.replace('run: echo drained', 'run: exit 4'),
    script: { confirm: [{ action: 'run' }], 'after-failure': [{ action: 'quit' }] },
  });
  expect(r.outcome).toBe('paused');
  expect(r.log.slice(-3)).toEqual([
    'ask after-failure step=drain',
    'answer after-failure quit by tester',
    'run-paused at drain',
  ]);
  expect(r.log.some((l) => l.startsWith('step-finished'))).toBe(false);
});

test('Ctrl-C while a step runs kills its process group and ends the run as aborted', async () => {
  const scratch = scratchDir();
  const controller = new AbortController();
  const running = runScenario({
    yaml: `${HEADER}
parameters:
  dir: { description: Scratch directory, type: path }
steps:
  - id: wait-long
    title: Wait a long time
    explain: Sleeps in a child process.
    risk: read-only
    run: sleep 30 & echo $! > {{ dir }}/sleep.pid; wait
  - id: after
    title: After
    explain: Never reached.
    risk: read-only
    run: echo after
`,
    dir: scratch.dir,
    options: { signal: controller.signal },
  });
  await waitFor(
    () => existsSync(scratch.path('sleep.pid')) && scratch.read('sleep.pid').endsWith('\n'),
  );
  const pid = Number(readFileSync(scratch.path('sleep.pid'), 'utf8'));
  expect(processGone(pid)).toBe(false);

  const aborted = Date.now();
  controller.abort();
  const r = await running;
  expect(Date.now() - aborted).toBeLessThan(3000);

  expect(r.outcome).toBe('aborted');
  expect(r.log.slice(3)).toEqual([
    'step-started wait-long read-only attempt 1 [local]',
    'host-started wait-long@local run: sleep 30 & echo $! > $DIR/sleep.pid; wait',
    'host-finished wait-long@local run cancelled (signal SIGTERM): cancelled on local',
    'step-finished wait-long interrupted: interrupted by the operator',
    'run-finished aborted: interrupted by the operator',
  ]);
  await waitFor(() => processGone(pid), 2000);
});

test('a signal aborted before a step starts runs nothing more', async () => {
  const controller = new AbortController();
  controller.abort();
  const r = await runScenario({ yaml: twoSteps, options: { signal: controller.signal } });
  expect(r.outcome).toBe('aborted');
  expect(r.log.slice(-1)).toEqual(['run-finished aborted: interrupted by the operator']);
  expect(r.log.some((l) => l.startsWith('step-started'))).toBe(false);
});

test('a step over its timeout is killed and reported as timed out', async () => {
  const started = Date.now();
  const r = await runScenario({
    yaml: `${HEADER}
steps:
  - id: slow
    title: Slow
    explain: Takes far longer than allowed.
    risk: read-only
    timeout: 1s
    run: sleep 30
`,
    script: { 'after-failure': [{ action: 'abort' }] },
  });
  expect(Date.now() - started).toBeLessThan(5000);
  expect(r.outcome).toBe('failed');
  expect(r.log.slice(3)).toEqual([
    'step-started slow read-only attempt 1 [local]',
    'host-started slow@local run: sleep 30',
    'host-finished slow@local run timed-out (signal SIGTERM): timed out after 1000 ms on local',
    'ask after-failure step=slow',
    'answer after-failure abort by tester',
    'step-finished slow failed: local: timed out after 1000 ms on local',
    'run-finished failed: step slow failed on local',
  ]);
});
