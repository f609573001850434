/** A step whose command fails: the operator is asked, and retry, skip and abort each do their part. */
import { expect, test } from 'vitest';
import { HEADER, runScenario, scratchDir } from './harness.ts';

const yaml = `${HEADER}
parameters:
  dir: { description: Scratch directory, type: path }
steps:
  - id: settle
    title: Wait for the service to settle
    explain: Fails the first time, because the marker does not exist yet.
    risk: read-only
    run: test -e {{ dir }}/marker || { touch {{ dir }}/marker; echo "first line" >&2; echo "service not ready yet" >&2; exit 1; }
  - id: after
    title: Carry on
    explain: Runs after the failing step.
    risk: read-only
    run: echo carried on
`;

test('after a failure the operator sees host, exit code and stderr tail; retry runs it again', async () => {
  const scratch = scratchDir();
  const r = await runScenario({
    yaml,
    dir: scratch.dir,
    script: { 'after-failure': [{ action: 'retry' }] },
  });

  expect(r.outcome).toBe('succeeded');
  const command =
    'test -e $DIR/marker || { touch $DIR/marker; echo "first line" >&2; echo "service not ready yet" >&2; exit 1; }';
  const error = `Command failed with exit code 1 on local: ${command}\nfirst line\nservice not ready yet`;
  expect(r.log).toEqual([
    'run-started test/run',
    'preflight-started []',
    'preflight-finished pass',
    'step-started settle read-only attempt 1 [local]',
    `host-started settle@local run: ${command}`,
    `host-finished settle@local run failed (exit 1): ${error}`,
    'ask after-failure step=settle',
    'answer after-failure retry by tester',
    'step-started settle read-only attempt 2 [local]',
    `host-started settle@local run: ${command}`,
    'host-finished settle@local run ok (exit 0)',
    'step-finished settle succeeded',
    'step-started after read-only attempt 1 [local]',
    'host-started after@local run: echo carried on',
    'host-finished after@local run ok (exit 0)',
    'step-finished after succeeded',
    'run-finished succeeded',
  ]);
  expect(r.decider.requests).toEqual([
    {
      kind: 'after-failure',
      step: 'settle',
      title: 'Wait for the service to settle',
      failures: [{ host: 'local', message: error.replaceAll('$DIR', scratch.dir) }],
    },
  ]);
});

test('skip with a reason marks the step skipped and the run goes on', async () => {
  const scratch = scratchDir();
  const r = await runScenario({
    yaml,
    dir: scratch.dir,
    script: { 'after-failure': [{ action: 'skip', reason: 'checked by hand' }] },
  });

  expect(r.outcome).toBe('succeeded');
  expect(r.log.slice(6)).toEqual([
    'ask after-failure step=settle',
    'answer after-failure skip by tester: checked by hand',
    'step-finished settle skipped by tester: checked by hand',
    'step-started after read-only attempt 1 [local]',
    'host-started after@local run: echo carried on',
    'host-finished after@local run ok (exit 0)',
    'step-finished after succeeded',
    'run-finished succeeded',
  ]);
});

test('abort fails the step and the run; later steps never start', async () => {
  const scratch = scratchDir();
  const r = await runScenario({
    yaml,
    dir: scratch.dir,
    script: { 'after-failure': [{ action: 'abort' }] },
  });

  expect(r.outcome).toBe('failed');
  const command =
    'test -e $DIR/marker || { touch $DIR/marker; echo "first line" >&2; echo "service not ready yet" >&2; exit 1; }';
  expect(r.log.slice(6)).toEqual([
    'ask after-failure step=settle',
    'answer after-failure abort by tester',
    `step-finished settle failed: local: Command failed with exit code 1 on local: ${command}\nfirst line\nservice not ready yet`,
    'run-finished failed: step settle failed on local',
  ]);
  expect(r.log.some((l) => l.includes('after@'))).toBe(false);
});

test('a failed verification is a failure of the step, with what was expected and found', async () => {
  const r = await runScenario({
    yaml: `${HEADER}
steps:
  - id: count
    title: Count the rows
    explain: The count must reach 10.
    risk: read-only
    run: echo counting
    verify:
      - title: enough rows
        run: echo rows=7
        expect: { number: { from: 'rows=(\\d+)', gte: 10 } }
`,
    script: { 'after-failure': [{ action: 'abort' }] },
  });
  expect(r.outcome).toBe('failed');
  expect(r.log).toContain(
    'verify-result count@local #0 fail: enough rows: expected a number >= 10, found 7',
  );
  expect(r.decider.requests).toEqual([
    {
      kind: 'after-failure',
      step: 'count',
      title: 'Count the rows',
      failures: [
        {
          host: 'local',
          message: 'verification failed: enough rows: expected a number >= 10, found 7',
        },
      ],
    },
  ]);
});

test('a capture that finds nothing fails the step', async () => {
  const r = await runScenario({
    yaml: `${HEADER}
steps:
  - id: read-version
    title: Read the version
    explain: Needs a version line.
    risk: read-only
    run: echo nothing useful
    capture:
      - { name: version, regex: 'version (\\S+)' }
`,
    script: { 'after-failure': [{ action: 'skip', reason: 'no version today' }] },
  });
  expect(r.decider.requests).toMatchObject([
    {
      kind: 'after-failure',
      failures: [
        { host: 'local', message: 'capture version: no line of stdout matches /version (\\S+)/' },
      ],
    },
  ]);
  expect(r.log).toContain('step-finished read-version skipped by tester: no version today');
});
