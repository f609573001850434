/** Checks that gate a step (`requires`), failing preflight checks, and checks that must wait. */
import { expect, test } from 'vitest';
import { HEADER, runScenario, scratchDir } from './harness.ts';

const gated = `${HEADER}
parameters:
  dir: { description: Scratch directory, type: path }
checks:
  - id: replica-caught-up
    title: The replica has caught up
    run: test -e {{ dir }}/caught-up
steps:
  - id: prepare
    title: Prepare
    explain: Runs before the gate matters.
    risk: read-only
    run: echo preparing
  - id: promote
    title: Promote the replica
    explain: Only safe once the replica caught up.
    risk: read-only
    requires: [replica-caught-up]
    run: echo promoted
`;

const failingCheck =
  'check-result replica-caught-up@local fail: The replica has caught up: expected exit 0, found exit 1: (no output)';

test('a failing gate asks for an override before its step; with a reason the step runs', async () => {
  const scratch = scratchDir();
  const r = await runScenario({
    yaml: gated,
    dir: scratch.dir,
    script: { override: [{ action: 'override', reason: 'replica lag is known' }] },
  });

  expect(r.outcome).toBe('succeeded');
  expect(r.log).toEqual([
    'run-started test/run',
    'preflight-started [replica-caught-up]',
    'check-started replica-caught-up [local]',
    failingCheck,
    // A failing gate blocks only its own step, so nothing is asked yet.
    'preflight-finished fail',
    'step-started prepare read-only attempt 1 [local]',
    'host-started prepare@local run: echo preparing',
    'host-finished prepare@local run ok (exit 0)',
    'step-finished prepare succeeded',
    // Checked again right before the step it gates.
    'check-started replica-caught-up [local] gate for promote',
    failingCheck,
    'ask override step=promote check=replica-caught-up',
    'answer override override by tester: replica lag is known',
    'check-overridden replica-caught-up for promote by tester: replica lag is known',
    'step-started promote read-only attempt 1 [local]',
    'host-started promote@local run: echo promoted',
    'host-finished promote@local run ok (exit 0)',
    'step-finished promote succeeded',
    'run-finished succeeded',
  ]);
  expect(r.decider.requests).toEqual([
    {
      kind: 'override',
      check: 'replica-caught-up',
      title: 'The replica has caught up',
      step: 'promote',
      results: [
        {
          check: 'replica-caught-up',
          host: 'local',
          status: 'fail',
          message: 'The replica has caught up: expected exit 0, found exit 1: (no output)',
          evidence: { expected: 'exit 0', found: 'exit 1: (no output)' },
        },
      ],
    },
  ]);
});

test('abort at a failing gate fails the run and the gated step never starts', async () => {
  const r = await runScenario({
    yaml: gated,
    dir: scratchDir().dir,
    script: { override: [{ action: 'abort' }] },
  });

  expect(r.outcome).toBe('failed');
  expect(r.log.slice(9)).toEqual([
    'check-started replica-caught-up [local] gate for promote',
    failingCheck,
    'ask override step=promote check=replica-caught-up',
    'answer override abort by tester',
    'run-finished failed: check replica-caught-up failed before step promote',
  ]);
  expect(r.log.some((l) => l.startsWith('step-started promote'))).toBe(false);
});

test('a gate that passes by the time its step comes asks nothing', async () => {
  const scratch = scratchDir();
  const r = await runScenario({
    yaml: gated.replace('run: echo preparing', 'run: touch {{ dir }}/caught-up'),
    dir: scratch.dir,
  });
  expect(r.outcome).toBe('succeeded');
  expect(r.log).toContain(
    'check-result replica-caught-up@local pass: The replica has caught up: ok',
  );
  expect(r.decider.requests).toEqual([]);
});

test('a failing preflight check that gates nothing asks for an override before step 1', async () => {
  const r = await runScenario({
    yaml: `${HEADER}
checks:
  - id: backups-fresh
    title: Last night's backup exists
    run: echo "no backup" >&2; exit 2
steps:
  - id: first
    title: First
    explain: The first step.
    risk: read-only
    run: echo first
`,
    script: { override: [{ action: 'override', reason: 'backup taken by hand' }] },
  });

  expect(r.outcome).toBe('succeeded');
  expect(r.log.slice(0, 9)).toEqual([
    'run-started test/run',
    'preflight-started [backups-fresh]',
    'check-started backups-fresh [local]',
    "check-result backups-fresh@local fail: Last night's backup exists: expected exit 0, found exit 2: no backup",
    'preflight-finished fail',
    'ask override check=backups-fresh',
    'answer override override by tester: backup taken by hand',
    'check-overridden backups-fresh by tester: backup taken by hand',
    'step-started first read-only attempt 1 [local]',
  ]);
  expect(r.decider.requests[0]).toMatchObject({ kind: 'override', check: 'backups-fresh' });
  expect(r.decider.requests[0]).not.toHaveProperty('step');
  expect(r.output('backups-fresh', 'local', 'stderr')).toBe('no backup\n');
});

test('abort at a failing preflight check runs no step', async () => {
  const r = await runScenario({
    yaml: `${HEADER}
checks:
  - { id: nope, title: Never passes, run: 'false' }
steps:
  - { id: first, title: First, explain: The first step., risk: read-only, run: echo first }
`,
    script: { override: [{ action: 'abort' }] },
  });
  expect(r.outcome).toBe('failed');
  expect(r.log.slice(-1)).toEqual(['run-finished failed: check nope failed']);
  expect(r.log.some((l) => l.startsWith('step-started'))).toBe(false);
});

test('a check that needs a later choice waits in the preflight and is evaluated before its step', async () => {
  const scratch = scratchDir();
  const r = await runScenario({
    yaml: `${HEADER}
parameters:
  dir: { description: Scratch directory, type: path }
checks:
  - id: snapshot-intact
    title: The chosen snapshot is intact
    run: test -s {{ dir }}/{{ snapshot }}
steps:
  - id: pick
    title: Pick a snapshot
    explain: Lists the snapshots.
    risk: read-only
    choose:
      var: snapshot
      prompt: Which snapshot?
      run: cd {{ dir }} && printf 'snap-1\\nsnap-2\\n' && echo data > snap-2
  - id: restore
    title: Restore it
    explain: Needs an intact snapshot.
    risk: read-only
    requires: [snapshot-intact]
    run: cat {{ dir }}/{{ snapshot }}
`,
    dir: scratch.dir,
    script: { choose: [{ action: 'pick', value: 'snap-2' }] },
  });

  expect(r.outcome).toBe('succeeded');
  expect(r.log.slice(0, 5)).toEqual([
    'run-started test/run',
    'preflight-started [snapshot-intact]',
    'check-started snapshot-intact [local]',
    'check-result snapshot-intact@local waiting: waits for {{ snapshot }}, which a later step provides',
    // Waiting is not failing: nothing to override.
    'preflight-finished pass',
  ]);
  expect(r.log).toContain('check-started snapshot-intact [local] gate for restore');
  expect(r.log).toContain(
    'check-result snapshot-intact@local pass: The chosen snapshot is intact: ok',
  );
  expect(r.log.indexOf('check-started snapshot-intact [local] gate for restore')).toBeLessThan(
    r.log.indexOf('step-started restore read-only attempt 1 [local]'),
  );
  expect(r.decider.requests.map((q) => q.kind)).toEqual(['choose']);
  expect(r.output('restore', 'local', 'stdout')).toBe('data\n');
});

const choosesAndRestores = `${HEADER}
parameters:
  dir: { description: Scratch directory, type: path }
checks:
  - id: snapshot-intact
    title: The chosen snapshot is intact
    run: test -s {{ dir }}/{{ snapshot }}
steps:
  - id: restore
    title: Restore a snapshot
    explain: Pick one, then restore it; it must be intact.
    risk: read-only
    requires: [snapshot-intact]
    choose:
      var: snapshot
      prompt: Which snapshot?
      run: cd {{ dir }} && printf 'snap-1\\nsnap-2\\n' && touch snap-1 && echo data > snap-2
    run: cat {{ dir }}/{{ snapshot }}
`;

test('a gate that needs the choice its own step makes is evaluated after the pick', async () => {
  const scratch = scratchDir();
  const r = await runScenario({
    yaml: choosesAndRestores,
    dir: scratch.dir,
    script: { choose: [{ action: 'pick', value: 'snap-2' }] },
  });

  expect(r.outcome).toBe('succeeded');
  expect(r.decider.requests.map((q) => q.kind)).toEqual(['choose']);
  expect(r.log.slice(5)).toEqual([
    'check-started snapshot-intact [local] gate for restore',
    'check-result snapshot-intact@local waiting: waits for {{ snapshot }}, which a later step provides',
    `host-started restore@local choose: cd $DIR && printf 'snap-1\\nsnap-2\\n' && touch snap-1 && echo data > snap-2`,
    'host-finished restore@local choose ok (exit 0)',
    'ask choose step=restore',
    'answer choose pick snap-2 by tester',
    'choice restore snapshot=snap-2',
    'check-started snapshot-intact [local] gate for restore',
    'check-result snapshot-intact@local pass: The chosen snapshot is intact: ok',
    // The step starts once, with its run attempt (the choose phase does not start it).
    'step-started restore read-only attempt 1 [local]',
    'host-started restore@local run: cat $DIR/snap-2',
    'host-finished restore@local run ok (exit 0)',
    'step-finished restore succeeded',
    'run-finished succeeded',
  ]);
});

test("a gate judged after its own step's pick still asks for an override when it fails", async () => {
  const scratch = scratchDir();
  const r = await runScenario({
    yaml: choosesAndRestores,
    dir: scratch.dir,
    script: { choose: [{ action: 'pick', value: 'snap-1' }], override: [{ action: 'abort' }] },
  });

  expect(r.outcome).toBe('failed');
  expect(r.log.slice(-6)).toEqual([
    'choice restore snapshot=snap-1',
    'check-started snapshot-intact [local] gate for restore',
    'check-result snapshot-intact@local fail: The chosen snapshot is intact: expected exit 0, found exit 1: (no output)',
    'ask override step=restore check=snapshot-intact',
    'answer override abort by tester',
    'run-finished failed: check snapshot-intact failed before step restore',
  ]);
  expect(r.log.some((l) => l.startsWith('host-started restore@local run'))).toBe(false);
});
