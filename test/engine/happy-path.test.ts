/**
 * A whole run where nothing goes wrong, compared event by event: preflight (a pass and a warning),
 * captures three ways, a confirmed change, a destructive step confirmed by typing its phrase
 * (wrong once), and verifications.
 */
import { expect, test } from 'vitest';
import { HEADER, normalise, runScenario, scratchDir } from './harness.ts';

const yaml = `${HEADER}
parameters:
  dir: { description: Scratch directory, type: path }
checks:
  - id: dir-exists
    title: The scratch directory exists
    run: test -d {{ dir }}
  - id: free-space
    title: Enough free space
    run: echo 42
    expect: { number: { gte: 100 } }
    severity: warn
steps:
  - id: inspect
    title: Find the snapshot
    explain: Reads the snapshot id and its size.
    risk: read-only
    run: echo "snapshot id=snap-7 size=12"
    capture:
      - { name: snap, regex: 'id=(\\S+)' }
      - { name: size, regex: 'size=(?<value>\\d+)' }
  - id: owner
    title: Read the owner
    explain: Reads who owns the snapshot, as JSON.
    risk: read-only
    run: "printf '{\\"meta\\":{\\"owner\\":\\"ops team\\"}}'"
    capture:
      - { name: owner, json: $.meta.owner }
  - id: write-state
    title: Write the state file
    explain: Records what was found.
    risk: changes
    run: printf '%s %s %s\\n' {{ snap }} {{ size }} {{ owner }} > {{ dir }}/state
    verify:
      - title: state recorded
        run: cat {{ dir }}/state
        expect: { stdout: '^snap-7 12 ops team$' }
  - id: wipe
    title: Wipe the state file
    explain: Removes the state file for good.
    risk: destructive
    confirm: wipe {{ snap }}
    run: rm {{ dir }}/state && echo wiped
    verify:
      - run: test ! -e {{ dir }}/state
`;

test('a run where everything works, event by event', async () => {
  const scratch = scratchDir();
  const r = await runScenario({
    yaml,
    dir: scratch.dir,
    script: {
      confirm: [{ action: 'run' }],
      'confirm-destructive': [
        { action: 'run', typed: 'wipe snap-8' },
        { action: 'run', typed: 'wipe snap-7' },
      ],
    },
  });

  expect(r.outcome).toBe('succeeded');
  expect(r.log).toEqual([
    'run-started test/run',
    'preflight-started [dir-exists, free-space]',
    'check-started dir-exists [local]',
    'check-result dir-exists@local pass: The scratch directory exists: ok',
    'check-started free-space [local]',
    'check-result free-space@local warn: Enough free space: expected a number >= 100, found 42',
    // A warning is shown, never asked about.
    'preflight-finished warn',
    // Read-only: runs without asking.
    'step-started inspect read-only attempt 1 [local]',
    'host-started inspect@local run: echo "snapshot id=snap-7 size=12"',
    'host-finished inspect@local run ok (exit 0)',
    'capture inspect@local snap=snap-7',
    'capture inspect@local size=12',
    'step-finished inspect succeeded',
    'step-started owner read-only attempt 1 [local]',
    `host-started owner@local run: printf '{"meta":{"owner":"ops team"}}'`,
    'host-finished owner@local run ok (exit 0)',
    'capture owner@local owner=ops team',
    'step-finished owner succeeded',
    // Changes: confirmed first; captured values reach the command shell-quoted.
    'ask confirm step=write-state',
    'answer confirm run by tester',
    'step-started write-state changes attempt 1 [local]',
    `host-started write-state@local run: printf '%s %s %s\\n' snap-7 12 'ops team' > $DIR/state`,
    'host-finished write-state@local run ok (exit 0)',
    'host-started write-state@local verify: cat $DIR/state',
    'host-finished write-state@local verify ok (exit 0)',
    'verify-result write-state@local #0 pass: state recorded: ok (snap-7 12 ops team)',
    'step-finished write-state succeeded by tester',
    // Destructive: a wrong phrase runs nothing and asks again.
    'ask confirm-destructive step=wipe',
    'answer confirm-destructive run by tester',
    'warning wipe: the typed phrase did not match "wipe snap-7"; nothing was run',
    'ask confirm-destructive step=wipe',
    'answer confirm-destructive run by tester',
    'step-started wipe destructive attempt 1 [local]',
    'host-started wipe@local run: rm $DIR/state && echo wiped',
    'host-finished wipe@local run ok (exit 0)',
    'host-started wipe@local verify: test ! -e $DIR/state',
    'host-finished wipe@local verify ok (exit 0)',
    'verify-result wipe@local #0 pass: test ! -e $DIR/state: ok (no output)',
    'step-finished wipe succeeded by tester',
    'run-finished succeeded',
  ]);

  // What the operator was shown: rendered commands, and the phrase with the capture filled in.
  const state = `${scratch.dir}/state`;
  expect(r.decider.requests).toEqual([
    {
      kind: 'confirm',
      step: 'write-state',
      title: 'Write the state file',
      hosts: ['local'],
      commands: [
        { host: 'local', command: `printf '%s %s %s\\n' snap-7 12 'ops team' > ${state}` },
      ],
    },
    ...[1, 2].map(() => ({
      kind: 'confirm-destructive',
      step: 'wipe',
      title: 'Wipe the state file',
      hosts: ['local'],
      commands: [{ host: 'local', command: `rm ${state} && echo wiped` }],
      phrase: 'wipe snap-7',
    })),
  ]);
  expect(r.decider.unused).toEqual({});
  expect(r.output('wipe', 'local', 'stdout')).toBe('wiped\n');
  expect(r.output('owner')).toBe('{"meta":{"owner":"ops team"}}');
});

test('events carry the run id and the injected clock; durations normalise to 0', async () => {
  const scratch = scratchDir();
  const r = await runScenario({
    yaml,
    dir: scratch.dir,
    script: {
      confirm: [{ action: 'run' }],
      'confirm-destructive': [{ action: 'run', typed: 'wipe snap-7' }],
    },
  });
  const events = normalise(r.events);
  expect(events[0]).toEqual({
    type: 'run-started',
    runbook: 'test/run',
    title: 'Test runbook',
    runbookPath: '/runbooks/test/run.yaml',
    runbookHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    params: { dir: scratch.dir },
    hosts: [],
    dryRun: false,
  });
  expect(events.filter((e) => e.type === 'step-finished' && e.step === 'write-state')).toEqual([
    {
      type: 'step-finished',
      step: 'write-state',
      status: 'succeeded',
      durationMs: 0,
      confirmedBy: 'tester',
    },
  ]);
  expect(events.find((e) => e.type === 'host-finished')).toEqual({
    type: 'host-finished',
    step: 'inspect',
    host: 'local',
    phase: 'run',
    status: 'ok',
    exitCode: 0,
    signal: null,
    durationMs: 0,
  });
});
