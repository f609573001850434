/** `choose`: a list from a command, parsed and ordered, picked by the operator or given up front. */
import { expect, test } from 'vitest';
import { parseItems } from '../../src/engine/engine.ts';
import { EXIT, OperatorError } from '../../src/errors.ts';
import { HEADER, runScenario } from './harness.ts';

const yaml = `${HEADER}
steps:
  - id: pick-snapshot
    title: Pick a snapshot
    explain: Lists the snapshots in the bucket.
    risk: read-only
    choose:
      var: snapshot
      prompt: Restore which snapshot ({{ host }})?
      run: printf 'snap-2026-11-01.tar\\nREADME\\nsnap-2026-11-20.tar\\n\\nsnap-2026-11-09.tar\\n'
      item: '^snap-(?<value>[0-9-]+)\\.tar$'
      order: descending
  - id: restore
    title: Restore it
    explain: Uses the pick.
    risk: read-only
    run: echo restoring {{ snapshot }}
`;

const listCommand = `printf 'snap-2026-11-01.tar\\nREADME\\nsnap-2026-11-20.tar\\n\\nsnap-2026-11-09.tar\\n'`;

test('items come from the command, matched by `item`, newest first; the pick is a variable', async () => {
  const r = await runScenario({
    yaml,
    script: { choose: [{ action: 'pick', value: '2026-11-09' }] },
  });

  expect(r.outcome).toBe('succeeded');
  expect(r.decider.requests).toEqual([
    {
      kind: 'choose',
      step: 'pick-snapshot',
      var: 'snapshot',
      prompt: 'Restore which snapshot (local)?',
      items: [
        { value: '2026-11-20', label: 'snap-2026-11-20.tar' },
        { value: '2026-11-09', label: 'snap-2026-11-09.tar' },
        { value: '2026-11-01', label: 'snap-2026-11-01.tar' },
      ],
    },
  ]);
  // A choose-only step starts once the pick is made, right before it finishes.
  expect(r.log.slice(3)).toEqual([
    `host-started pick-snapshot@local choose: ${listCommand}`,
    'host-finished pick-snapshot@local choose ok (exit 0)',
    'ask choose step=pick-snapshot',
    'answer choose pick 2026-11-09 by tester',
    'choice pick-snapshot snapshot=2026-11-09',
    'step-started pick-snapshot read-only attempt 1 [local]',
    'step-finished pick-snapshot succeeded',
    'step-started restore read-only attempt 1 [local]',
    'host-started restore@local run: echo restoring 2026-11-09',
    'host-finished restore@local run ok (exit 0)',
    'step-finished restore succeeded',
    'run-finished succeeded',
  ]);
  expect(r.output('restore')).toBe('restoring 2026-11-09\n');
});

test('a preset choice in the list is used without asking', async () => {
  const r = await runScenario({ yaml, options: { presetChoices: { snapshot: '2026-11-01' } } });
  expect(r.outcome).toBe('succeeded');
  expect(r.decider.requests).toEqual([]);
  expect(r.log).toContain('answer choose pick 2026-11-01 by --set');
  expect(r.log).toContain('choice pick-snapshot snapshot=2026-11-01');
  expect(r.output('restore')).toBe('restoring 2026-11-01\n');
});

test('a preset choice not in the list is a failure of the step', async () => {
  const r = await runScenario({
    yaml,
    options: { presetChoices: { snapshot: '2025-01-01' } },
    script: { 'after-failure': [{ action: 'abort' }] },
  });
  expect(r.outcome).toBe('failed');
  const problem =
    '--set snapshot=2025-01-01 is not in the list: 2026-11-20, 2026-11-09, 2026-11-01';
  expect(r.decider.requests).toEqual([
    {
      kind: 'after-failure',
      step: 'pick-snapshot',
      title: 'Pick a snapshot',
      failures: [{ host: 'local', message: problem }],
    },
  ]);
  expect(r.log.slice(-2)).toEqual([
    `step-finished pick-snapshot failed: local: ${problem}`,
    'run-finished failed: step pick-snapshot failed on local',
  ]);
  expect(r.log.some((l) => l.startsWith('step-started restore'))).toBe(false);
});

test('an empty list is a failure of the choosing step', async () => {
  const r = await runScenario({
    yaml: yaml.replace(listCommand, 'echo'),
    script: { 'after-failure': [{ action: 'abort' }] },
  });
  expect(r.decider.requests).toMatchObject([
    {
      kind: 'after-failure',
      failures: [
        { host: 'local', message: 'the list from local is empty: nothing to choose from' },
      ],
    },
  ]);
  expect(r.outcome).toBe('failed');
});

test('skipping the choice stops at the next step that needs it, with an operator error', async () => {
  const r = await runScenario({
    yaml: yaml.replace(listCommand, 'echo'),
    script: { 'after-failure': [{ action: 'skip', reason: 'bucket empty' }] },
    allowThrow: true,
  });
  const message = '{{ snapshot }} has no value for local: echo restoring {{ snapshot }}';
  expect(r.thrown).toBeInstanceOf(OperatorError);
  expect(r.thrown).toMatchObject({ message, exitCode: EXIT.needsInput });
  expect(r.log.slice(-2)).toEqual([
    'step-finished pick-snapshot skipped by tester: bucket empty',
    `run-finished failed: ${message}`,
  ]);
});

test('a pick that is not an item is refused as a bug in the decider', async () => {
  await expect(
    runScenario({ yaml, script: { choose: [{ action: 'pick', value: 'latest' }] } }),
  ).rejects.toThrow('choice latest is not in the list');
});

test('parseItems: whole lines without `item`, first group, named group, numeric ordering', () => {
  expect(parseItems(' a \n\nb\n', undefined, 'as-listed')).toEqual([
    { value: 'a', label: 'a' },
    { value: 'b', label: 'b' },
  ]);
  expect(parseItems('v9\nv10\nx\nv2\n', '^v(\\d+)$', 'descending').map((i) => i.value)).toEqual([
    '10',
    '9',
    '2',
  ]);
  expect(parseItems('v9\nv10\nv2\n', '^v(\\d+)$', 'ascending').map((i) => i.value)).toEqual([
    '2',
    '9',
    '10',
  ]);
  expect(parseItems('id=7 name=x\n', 'id=(\\d+) name=(?<value>\\w+)', 'as-listed')).toEqual([
    { value: 'x', label: 'id=7 name=x' },
  ]);
  expect(parseItems('abc\n', 'b', 'as-listed')).toEqual([{ value: 'b', label: 'abc' }]);
});

test('quit at the question leaves the choosing step unstarted, so a resume asks again', async () => {
  const r = await runScenario({ yaml, script: { choose: [{ action: 'quit' }] } });
  expect(r.outcome).toBe('paused');
  expect(r.log.slice(3)).toEqual([
    `host-started pick-snapshot@local choose: ${listCommand}`,
    'host-finished pick-snapshot@local choose ok (exit 0)',
    'ask choose step=pick-snapshot',
    'answer choose quit by tester',
    'run-paused at pick-snapshot',
  ]);
});
