/** Resuming: finished steps stay finished; an interrupted step is verified, then the operator decides. */
import { writeFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import type { ResumeInput } from '../../src/engine/engine.ts';
import { HEADER, runScenario, scratchDir } from './harness.ts';

const yaml = `${HEADER}
parameters:
  dir: { description: Scratch directory, type: path }
steps:
  - id: stop
    title: Stop the service
    explain: Already done before the interruption.
    risk: changes
    run: touch {{ dir }}/stop-ran
  - id: copy
    title: Copy the data
    explain: Was running when the run stopped.
    risk: changes
    run: echo copied > {{ dir }}/copied; echo {{ snapshot }} {{ owner }} > {{ dir }}/copy-args
    verify:
      - title: the copy exists
        run: test -e {{ dir }}/copied
  - id: start
    title: Start the service
    explain: Not started yet.
    risk: read-only
    run: echo started
`;

function resume(steps: ResumeInput['steps']): ResumeInput {
  return {
    steps,
    choices: { snapshot: 'snap-9' },
    captures: [{ host: 'local', name: 'owner', value: 'ops' }],
    changes: null,
  };
}

// The runbook above uses {{ snapshot }} and {{ owner }} without making them; give them a home
// so it validates, as the steps before the interruption did in the original run.
const resumable = yaml.replace(
  'steps:\n',
  `steps:
  - id: pick
    title: Pick
    explain: Chose a snapshot in the first session.
    risk: read-only
    choose: { var: snapshot, prompt: Which?, run: echo snap-9 }
  - id: whoami
    title: Who
    explain: Captured the owner in the first session.
    risk: read-only
    run: echo ops
    capture: [{ name: owner, regex: '(\\S+)' }]
`,
);

const done = { pick: 'succeeded', whoami: 'succeeded', stop: 'succeeded' } as const;

test('an interrupted step whose verification passes can be marked done', async () => {
  const scratch = scratchDir();
  writeFileSync(scratch.path('copied'), '');
  const r = await runScenario({
    yaml: resumable,
    dir: scratch.dir,
    options: { resume: resume({ ...done, copy: 'interrupted' }) },
    script: { interrupted: [{ action: 'mark-done', reason: 'the copy finished' }] },
  });

  expect(r.outcome).toBe('succeeded');
  expect(r.log).toEqual([
    'run-resumed',
    'preflight-started []',
    'preflight-finished pass',
    // Steps that succeeded are not run again: nothing for pick, whoami or stop.
    'step-started copy read-only attempt 0 [local]',
    'host-started copy@local verify: test -e $DIR/copied',
    'host-finished copy@local verify ok (exit 0)',
    'verify-result copy@local #0 pass: the copy exists: ok (no output)',
    'ask interrupted step=copy',
    'answer interrupted mark-done by tester: the copy finished',
    'step-finished copy succeeded by tester: marked done after an interruption: the copy finished',
    'step-started start read-only attempt 1 [local]',
    'host-started start@local run: echo started',
    'host-finished start@local run ok (exit 0)',
    'step-finished start succeeded',
    'run-finished succeeded',
  ]);
  expect(r.decider.requests).toEqual([
    { kind: 'interrupted', step: 'copy', title: 'Copy the data', verification: 'pass' },
  ]);
  expect(() => scratch.read('stop-ran')).toThrow();
});

test('an interrupted step whose verification fails says so; rerun runs it with saved values', async () => {
  const scratch = scratchDir();
  const r = await runScenario({
    yaml: resumable,
    dir: scratch.dir,
    options: { resume: resume({ ...done, copy: 'interrupted' }) },
    script: { interrupted: [{ action: 'rerun' }], confirm: [{ action: 'run' }] },
  });

  expect(r.outcome).toBe('succeeded');
  expect(r.decider.requests.map((q) => q.kind)).toEqual(['interrupted', 'confirm']);
  expect(r.decider.requests[0]).toMatchObject({ verification: 'fail' });
  expect(r.log.slice(3, 17)).toEqual([
    'step-started copy read-only attempt 0 [local]',
    'host-started copy@local verify: test -e $DIR/copied',
    'host-finished copy@local verify failed (exit 1): Command failed with exit code 1 on local: test -e $DIR/copied',
    'verify-result copy@local #0 fail: the copy exists: expected exit 0, found exit 1: (no output)',
    'ask interrupted step=copy',
    'answer interrupted rerun by tester',
    'ask confirm step=copy',
    'answer confirm run by tester',
    'step-started copy changes attempt 1 [local]',
    'host-started copy@local run: echo copied > $DIR/copied; echo snap-9 ops > $DIR/copy-args',
    'host-finished copy@local run ok (exit 0)',
    'host-started copy@local verify: test -e $DIR/copied',
    'host-finished copy@local verify ok (exit 0)',
    'verify-result copy@local #0 pass: the copy exists: ok (no output)',
  ]);
  // The choice and the capture saved in the journal reached the command.
  expect(scratch.read('copy-args')).toBe('snap-9 ops\n');
});

test('a step that was running counts as interrupted; with no verification it says none', async () => {
  const r = await runScenario({
    yaml: resumable,
    dir: scratchDir().dir,
    options: { resume: resume({ ...done, copy: 'succeeded', start: 'running' }) },
    script: { interrupted: [{ action: 'abort' }] },
  });
  expect(r.outcome).toBe('aborted');
  expect(r.decider.requests).toEqual([
    { kind: 'interrupted', step: 'start', title: 'Start the service', verification: 'none' },
  ]);
  expect(r.log.slice(3)).toEqual([
    'ask interrupted step=start',
    'answer interrupted abort by tester',
    'run-finished aborted: aborted at interrupted step start',
  ]);
});

test('skipped steps stay skipped; failed ones run again; run-resumed reports runbook changes', async () => {
  const scratch = scratchDir();
  const changes = { added: [], removed: [], changed: ['start'] };
  const r = await runScenario({
    yaml: resumable,
    dir: scratch.dir,
    options: {
      resume: {
        ...resume({ pick: 'succeeded', whoami: 'succeeded', stop: 'skipped', copy: 'failed' }),
        changes,
      },
    },
    script: { confirm: [{ action: 'run' }] },
  });
  expect(r.outcome).toBe('succeeded');
  expect(r.log[0]).toBe(`run-resumed changed=${JSON.stringify(changes)}`);
  expect(r.log.filter((l) => l.startsWith('step-started'))).toEqual([
    'step-started copy changes attempt 1 [local]',
    'step-started start read-only attempt 1 [local]',
  ]);
});

test('a succeeded read-only step that captured a secret runs again, since secrets are not saved', async () => {
  const r = await runScenario({
    yaml: `${HEADER}
steps:
  - id: mint
    title: Mint a key
    explain: Captures a secret key.
    risk: read-only
    run: echo key=k-123
    capture: [{ name: key, regex: 'key=(\\S+)', secret: true }]
  - id: use
    title: Use it
    explain: Needs the key.
    risk: read-only
    run: echo {{ key }} | wc -c
`,
    options: {
      resume: { steps: { mint: 'succeeded' }, choices: {}, captures: [], changes: null },
    },
  });
  expect(r.outcome).toBe('succeeded');
  expect(r.log.filter((l) => l.startsWith('step-finished'))).toEqual([
    'step-finished mint succeeded',
    'step-finished use succeeded',
  ]);
  expect(r.output('use').trim()).toBe('6');
});
