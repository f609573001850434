/** A step on a role of several hosts: every host's result is kept, and `serial` limits overlap. */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { HEADER, runScenario, scratchDir } from './harness.ts';

const inventory = `
all:
  vars: { ansible_connection: local }
  children:
    nodes:
      hosts:
        n1:
        n2:
        n3:
        n4:
`;

const roles = `
roles:
  nodes: { description: The cluster nodes, min: 4 }
parameters:
  dir: { description: Scratch directory, type: path }
`;

test('one host failing keeps every host result; the others are ok', async () => {
  const scratch = scratchDir();
  const r = await runScenario({
    yaml: `${HEADER}${roles}
steps:
  - id: flush
    title: Flush every node
    explain: n3 fails.
    on: nodes
    risk: read-only
    run: if [ {{ host }} = n3 ]; then echo "disk full" >&2; exit 1; fi; echo flushed {{ host }}
    capture:
      - { name: flushed, regex: 'flushed (\\S+)' }
`,
    inventory,
    dir: scratch.dir,
    script: { 'after-failure': [{ action: 'skip', reason: 'n3 is being replaced' }] },
  });

  const finished = r.log.filter((l) => l.startsWith('host-finished')).sort();
  const n3Command = `if [ n3 = n3 ]; then echo "disk full" >&2; exit 1; fi; echo flushed n3`;
  expect(finished).toEqual([
    'host-finished flush@n1 run ok (exit 0)',
    'host-finished flush@n2 run ok (exit 0)',
    `host-finished flush@n3 run failed (exit 1): Command failed with exit code 1 on n3: ${n3Command}\ndisk full`,
    'host-finished flush@n4 run ok (exit 0)',
  ]);
  expect(r.log.filter((l) => l.startsWith('capture')).sort()).toEqual([
    'capture flush@n1 flushed=n1',
    'capture flush@n2 flushed=n2',
    'capture flush@n4 flushed=n4',
  ]);
  expect(r.log).toContain('step-started flush read-only attempt 1 [n1, n2, n3, n4]');
  // Only the host that failed is reported.
  expect(r.decider.requests).toEqual([
    {
      kind: 'after-failure',
      step: 'flush',
      title: 'Flush every node',
      failures: [
        { host: 'n3', message: `Command failed with exit code 1 on n3: ${n3Command}\ndisk full` },
      ],
    },
  ]);
  for (const host of ['n1', 'n2', 'n4']) expect(r.output('flush', host)).toBe(`flushed ${host}\n`);
  expect(r.log.slice(-2)).toEqual([
    'step-finished flush skipped by tester: n3 is being replaced',
    'run-finished succeeded',
  ]);
});

test('abort after a fan-out failure names the failed hosts only', async () => {
  const r = await runScenario({
    yaml: `${HEADER}${roles}
steps:
  - id: flush
    title: Flush every node
    explain: n2 and n4 fail.
    on: nodes
    risk: read-only
    run: case {{ host }} in n2|n4) exit 3;; esac
`,
    inventory,
    dir: scratchDir().dir,
    script: { 'after-failure': [{ action: 'abort' }] },
  });
  expect(r.outcome).toBe('failed');
  expect(r.log.at(-1)).toBe('run-finished failed: step flush failed on n2, n4');
});

/** Each host's command takes a lock (mkdir is atomic) and fails if another host holds it. */
const locked = (target: string) => `${HEADER}${roles}
steps:
  - id: rolling-restart
    title: Restart one node at a time
    explain: Fails when two hosts overlap.
    on: ${target}
    risk: read-only
    run: >-
      mkdir {{ dir }}/lock 2>/dev/null || { echo {{ host }} overlapped >&2; exit 1; };
      echo start {{ host }} >> {{ dir }}/log; sleep 0.3;
      echo end {{ host }} >> {{ dir }}/log; rmdir {{ dir }}/lock
`;

test('serial: 1 runs the hosts one at a time, in inventory order', async () => {
  const scratch = scratchDir();
  const r = await runScenario({
    yaml: locked('{ role: nodes, serial: 1 }'),
    inventory,
    dir: scratch.dir,
  });
  expect(r.outcome).toBe('succeeded');
  expect(scratch.read('log').trim().split('\n')).toEqual([
    'start n1',
    'end n1',
    'start n2',
    'end n2',
    'start n3',
    'end n3',
    'start n4',
    'end n4',
  ]);
  // The events show it too: each host finishes before the next starts.
  expect(r.log.filter((l) => l.startsWith('host-'))).toEqual(
    ['n1', 'n2', 'n3', 'n4'].flatMap((h) => [
      expect.stringMatching(new RegExp(`^host-started rolling-restart@${h} run: `)),
      `host-finished rolling-restart@${h} run ok (exit 0)`,
    ]),
  );
});

test('without serial the same hosts overlap, which the lock detects', async () => {
  const scratch = scratchDir();
  const r = await runScenario({
    yaml: locked('nodes'),
    inventory,
    dir: scratch.dir,
    script: { 'after-failure': [{ action: 'skip', reason: 'expected overlap' }] },
  });
  const failures = r.decider.requests.flatMap((q) =>
    q.kind === 'after-failure' ? q.failures : [],
  );
  expect(failures.length).toBeGreaterThanOrEqual(1);
  expect(failures.every((f) => f.message.includes(`${f.host} overlapped`))).toBe(true);
  // Only the hosts that got the lock wrote their start and end.
  const lines = readFileSync(scratch.path('log'), 'utf8').split('\n').filter(Boolean);
  expect(lines).toHaveLength(2 * (4 - failures.length));
});

test('hosts: one runs on the first host of the role only', async () => {
  const r = await runScenario({
    yaml: `${HEADER}${roles}
steps:
  - id: leader-only
    title: On one node
    explain: Just the first.
    on: { role: nodes, hosts: one }
    risk: read-only
    run: echo {{ host }}
`,
    inventory,
    dir: scratchDir().dir,
  });
  expect(r.log).toContain('step-started leader-only read-only attempt 1 [n1]');
  expect(r.log.filter((l) => l.startsWith('host-finished'))).toEqual([
    'host-finished leader-only@n1 run ok (exit 0)',
  ]);
});

test('serial: 1 verifies each host before the next starts, and stops the rollout at the first failure', async () => {
  const scratch = scratchDir();
  const r = await runScenario({
    yaml: `${HEADER}${roles}
steps:
  - id: restart
    title: Restart one node at a time
    explain: Each node must be back before the next goes down.
    on: { role: nodes, serial: 1 }
    risk: read-only
    run: echo restart {{ host }} >> {{ dir }}/log
    verify:
      - title: it is back
        run: echo verify {{ host }} >> {{ dir }}/log; test {{ host }} != n2
`,
    inventory,
    dir: scratch.dir,
    script: { 'after-failure': [{ action: 'abort' }] },
    allowThrow: true,
  });
  expect(r.outcome).toBe('failed');
  // n2 did not come back: n3 and n4 were never touched.
  expect(scratch.read('log').trim().split('\n')).toEqual([
    'restart n1',
    'verify n1',
    'restart n2',
    'verify n2',
  ]);
  const q = r.decider.requests.find((x) => x.kind === 'after-failure');
  expect(q?.kind === 'after-failure' && q.failures.map((f) => f.host)).toEqual(['n2', 'n3', 'n4']);
  expect(q?.kind === 'after-failure' && q.failures[1]?.message).toBe(
    'not run: the rolling step (serial: 1) stopped after n2 failed',
  );
});
