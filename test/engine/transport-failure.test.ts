/** A transport that loses its connection: the host is `lost`, and the run stays in the operator's hands. */
import { expect, test } from 'vitest';
import { OperatorError } from '../../src/errors.ts';
import type { Transport } from '../../src/transports/transport.ts';
import { HEADER, runScenario } from './harness.ts';

/** A connection that drops as soon as anything is run over it. */
function droppedConnection(message: string): Transport {
  return {
    exec: async () => {
      throw new Error(message);
    },
    close: async () => {},
  };
}

const inventory = `
all:
  children:
    db:
      hosts:
        db1: { ansible_host: 10.0.0.5 }
`;

test('a transport whose exec rejects makes the host lost, naming host and step', async () => {
  const r = await runScenario({
    yaml: `${HEADER}
roles:
  db: { description: Database hosts }
steps:
  - id: dump
    title: Dump the database
    explain: Runs over SSH.
    on: db
    risk: read-only
    run: pg_dump app
`,
    inventory,
    options: { transports: () => droppedConnection('socket hang up') },
    script: { 'after-failure': [{ action: 'abort' }] },
  });

  const error = 'connection lost to db1 during step dump: socket hang up';
  expect(r.outcome).toBe('failed');
  expect(r.log.slice(3)).toEqual([
    'step-started dump read-only attempt 1 [db1]',
    'host-started dump@db1 run: pg_dump app',
    `host-finished dump@db1 run lost (exit null): ${error}`,
    'ask after-failure step=dump',
    'answer after-failure abort by tester',
    `step-finished dump failed: db1: ${error}`,
    'run-finished failed: step dump failed on db1',
  ]);
  expect(r.decider.requests).toEqual([
    {
      kind: 'after-failure',
      step: 'dump',
      title: 'Dump the database',
      failures: [{ host: 'db1', message: error }],
    },
  ]);
});

test('a check over a lost connection fails with the reason as evidence', async () => {
  const r = await runScenario({
    yaml: `${HEADER}
roles:
  db: { description: Database hosts }
checks:
  - { id: db-up, title: The database answers, on: db, run: pg_isready }
steps:
  - { id: noop, title: Nothing, explain: Nothing., risk: read-only, run: 'true' }
`,
    inventory,
    options: { transports: () => droppedConnection('no route to host') },
    script: { override: [{ action: 'abort' }] },
  });
  expect(r.log).toContain(
    'check-result db-up@db1 fail: connection lost to db1 during check db-up: no route to host',
  );
  expect(r.events.find((e) => e.type === 'check-result')).toMatchObject({
    evidence: { expected: 'the probe to finish', found: 'lost' },
  });
});

test('a secret in a transport error is masked', async () => {
  const r = await runScenario({
    yaml: `${HEADER}
roles:
  db: { description: Database hosts }
parameters:
  password: { description: DB password, secret: true }
steps:
  - { id: login, title: Log in, explain: Uses the password., on: db, risk: read-only, run: 'psql -W {{ password }}' }
`,
    inventory,
    sets: { password: 'pa55-word' },
    options: {
      transports: () => droppedConnection('channel closed while running psql -W pa55-word'),
    },
    script: { 'after-failure': [{ action: 'abort' }] },
  });
  expect(JSON.stringify([r.events, r.decider.requests])).not.toContain('pa55-word');
  expect(r.log).toContain(
    'host-finished login@db1 run lost (exit null): connection lost to db1 during step login: channel closed while running psql -W ••••••',
  );
});

test('a transport refusing with an operator error fails the host with its hint, not as lost', async () => {
  const refusing: Transport = {
    exec: async () => {
      throw new OperatorError(
        'sudo on db1 needs a password for deploy',
        'allow the commands with NOPASSWD in sudoers on db1',
      );
    },
    close: async () => {},
  };
  const r = await runScenario({
    yaml: `${HEADER}
roles:
  db: { description: Database hosts }
steps:
  - id: restart
    title: Restart the database
    explain: Needs root.
    on: db
    risk: read-only
    sudo: true
    run: systemctl restart postgresql
    verify:
      - run: systemctl is-active postgresql
        sudo: true
`,
    inventory,
    options: { transports: () => refusing },
    script: { 'after-failure': [{ action: 'abort' }] },
  });
  expect(r.outcome).toBe('failed');
  const finished = r.log.find((l) => l.startsWith('host-finished restart@db1 run'));
  expect(finished).toBe(
    'host-finished restart@db1 run failed (exit null): sudo on db1 needs a password for deploy (step restart on db1)\nallow the commands with NOPASSWD in sudoers on db1',
  );
  expect(r.log.join('\n')).not.toContain('connection lost');
});
