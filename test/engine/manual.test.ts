/** Manual steps: instructions rendered as text, then the operator's word, then verification. */
import { writeFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { HEADER, runScenario, ScriptedDecider, scratchDir } from './harness.ts';

const yaml = `${HEADER}
parameters:
  dir: { description: Scratch directory, type: path }
  label: { description: Label to write, default: "rack 4 / slot 'b'" }
steps:
  - id: swap-disk
    title: Swap the disk
    explain: Done by hand in the data centre.
    risk: changes
    manual: |
      Pull the disk labelled {{ label }} on {{ host }},
      then create {{ dir }}/swapped.
    verify:
      - title: the marker exists
        run: test -e {{ dir }}/swapped
`;

test('manual: instructions are rendered unquoted; done runs the verification', async () => {
  const scratch = scratchDir();
  // The operator does the work between reading the instructions and answering.
  const decider = new ScriptedDecider({ manual: [{ action: 'done' }] }, () =>
    writeFileSync(scratch.path('swapped'), ''),
  );
  const r = await runScenario({ yaml, dir: scratch.dir, decider });

  expect(r.outcome).toBe('succeeded');
  expect(r.decider.requests).toEqual([
    {
      kind: 'manual',
      step: 'swap-disk',
      title: 'Swap the disk',
      instructions: `Pull the disk labelled rack 4 / slot 'b' on local,\nthen create ${scratch.dir}/swapped.\n`,
    },
  ]);
  // The step starts once the operator says it was done, before its verification.
  expect(r.log.slice(3)).toEqual([
    'ask manual step=swap-disk',
    'answer manual done by tester',
    'step-started swap-disk changes attempt 1 [local]',
    'host-started swap-disk@local verify: test -e $DIR/swapped',
    'host-finished swap-disk@local verify ok (exit 0)',
    'verify-result swap-disk@local #0 pass: the marker exists: ok (no output)',
    'step-finished swap-disk succeeded by tester',
    'run-finished succeeded',
  ]);
});

test('manual: done but the verification fails asks what to do; retry asks again', async () => {
  const scratch = scratchDir();
  const r = await runScenario({
    yaml,
    dir: scratch.dir,
    script: {
      manual: [{ action: 'done' }, { action: 'skip', reason: 'disk not delivered' }],
      'after-failure': [{ action: 'retry' }],
    },
  });
  expect(r.decider.requests.map((q) => q.kind)).toEqual(['manual', 'after-failure', 'manual']);
  expect(r.decider.requests[1]).toMatchObject({
    failures: [
      {
        host: 'local',
        message:
          'verification failed: the marker exists: expected exit 0, found exit 1: (no output)',
      },
    ],
  });
  expect(r.log.slice(-2)).toEqual([
    'step-finished swap-disk skipped by tester: disk not delivered',
    'run-finished succeeded',
  ]);
});

test('manual: skip marks it skipped with the reason and verifies nothing', async () => {
  const r = await runScenario({
    yaml,
    dir: scratchDir().dir,
    script: { manual: [{ action: 'skip', reason: 'done last week' }] },
  });
  expect(r.outcome).toBe('succeeded');
  // Skipped at the question: the step never started.
  expect(r.log.slice(3)).toEqual([
    'ask manual step=swap-disk',
    'answer manual skip by tester: done last week',
    'step-finished swap-disk skipped by tester: done last week',
    'run-finished succeeded',
  ]);
});

test('manual: abort ends the run as aborted', async () => {
  const r = await runScenario({
    yaml,
    dir: scratchDir().dir,
    script: { manual: [{ action: 'abort' }] },
  });
  expect(r.outcome).toBe('aborted');
  expect(r.log.at(-1)).toBe('run-finished aborted: aborted at step swap-disk');
});

test('manual: quit at the question leaves the step unstarted, so a resume asks again', async () => {
  const r = await runScenario({
    yaml,
    dir: scratchDir().dir,
    script: { manual: [{ action: 'quit' }] },
  });
  expect(r.outcome).toBe('paused');
  expect(r.log.slice(3)).toEqual([
    'ask manual step=swap-disk',
    'answer manual quit by tester',
    'run-paused at swap-disk',
  ]);
});
