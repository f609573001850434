/** Secrets never leave the engine: params and secret captures are masked in every event. */
import { expect, test } from 'vitest';
import { MASK } from '../../src/engine/redact.ts';
import { HEADER, runScenario } from './harness.ts';

const TOKEN = "hunter 2's-t0ken";

const yaml = `${HEADER}
parameters:
  token: { description: API token, secret: true }
steps:
  - id: login
    title: Log in
    explain: Echoes the token everywhere it can.
    risk: changes
    run: echo 'token is' {{ token }}; echo 'bad token' {{ token }} >&2; exit 1
  - id: split
    title: Print it in two pieces
    explain: The token reaches the engine in two chunks.
    risk: read-only
    run: printf 'start %s' hunter; sleep 0.2; printf " 2's-t0ken end\\n"
  - id: mint
    title: Mint a session key
    explain: The key is captured as a secret.
    risk: read-only
    run: echo "session=sk-live-$((1000 + 234))567 ok"
    capture:
      - { name: session_key, regex: 'session=(\\S+)', secret: true }
  - id: use
    title: Use the key
    explain: Echoes the captured key.
    risk: read-only
    run: echo using {{ session_key }}; echo "raw sk-live-1234567" >&2
`;

test('secret parameters and captures are masked in every event and request', async () => {
  const r = await runScenario({
    yaml,
    sets: { token: TOKEN },
    script: {
      confirm: [{ action: 'run' }],
      'after-failure': [{ action: 'skip', reason: `token ${TOKEN} rejected` }],
    },
  });

  expect(r.outcome).toBe('succeeded');
  // The step that captures a secret holds its output back until the capture, so the secret is
  // masked everywhere, its own output included.
  const everything = JSON.stringify([r.events, r.decider.requests]);
  expect(everything).not.toContain('hunter 2');
  expect(everything).not.toContain('sk-live-1234567');

  // The command as shown and as started (the token reaches the shell quoted).
  const shown = `echo 'token is' ${MASK}; echo 'bad token' ${MASK} >&2; exit 1`;
  expect(r.decider.requests[0]).toMatchObject({
    kind: 'confirm',
    commands: [{ host: 'local', command: shown }],
  });
  expect(r.log).toContain(`host-started login@local run: ${shown}`);
  // Output on both streams.
  expect(r.output('login', 'local', 'stdout')).toBe(`token is ${MASK}\n`);
  expect(r.output('login', 'local', 'stderr')).toBe(`bad token ${MASK}\n`);
  // Error messages: the host-finished error, the after-failure request, the operator's reason.
  const error = `Command failed with exit code 1 on local: ${shown}\nbad token ${MASK}`;
  expect(r.log).toContain(`host-finished login@local run failed (exit 1): ${error}`);
  expect(r.decider.requests[1]).toMatchObject({ failures: [{ host: 'local', message: error }] });
  expect(r.log).toContain(`step-finished login skipped by tester: token ${MASK} rejected`);
  // Split across two chunks of output: still masked.
  expect(r.output('split', 'local', 'stdout')).toBe(`start ${MASK} end\n`);
  // A secret capture: masked in its capture event, in later commands and in later output.
  expect(r.log).toContain(`capture mint@local session_key=${MASK} (secret)`);
  expect(r.output('mint')).toBe(`session=${MASK} ok\n`);
  // Its output was held back until the capture was known, then released after the host result.
  expect(r.events.filter((e) => 'step' in e && e.step === 'mint').map((e) => e.type)).toEqual([
    'step-started',
    'host-started',
    'host-finished',
    'capture',
    'output',
    'step-finished',
  ]);
  expect(r.log).toContain(`host-started use@local run: echo using ${MASK}; echo "raw ${MASK}" >&2`);
  expect(r.output('use', 'local', 'stdout')).toBe(`using ${MASK}\n`);
  expect(r.output('use', 'local', 'stderr')).toBe(`raw ${MASK}\n`);
});

test('run-started shows secret parameters masked', async () => {
  const r = await runScenario({
    yaml: `${HEADER}
parameters:
  token: { description: API token, secret: true }
  region: { description: Region, default: eu-1 }
steps:
  - { id: noop, title: Nothing, explain: Does nothing., risk: read-only, run: 'true' }
`,
    sets: { token: TOKEN },
  });
  expect(r.events[0]).toMatchObject({
    type: 'run-started',
    params: { token: MASK, region: 'eu-1' },
  });
});

test('secrets in check output, check messages and verification messages are masked', async () => {
  const r = await runScenario({
    yaml: `${HEADER}
parameters:
  token: { description: API token, secret: true }
checks:
  - id: token-valid
    title: The token is accepted
    run: echo rejected {{ token }}; exit 1
steps:
  - id: check-token
    title: Check the token
    explain: Verifies with the token in the output.
    risk: read-only
    run: 'true'
    verify:
      - run: echo still {{ token }}
        expect: { stdout: '^ok' }
`,
    sets: { token: TOKEN },
    script: {
      override: [{ action: 'override', reason: 'known' }],
      'after-failure': [{ action: 'abort' }],
    },
  });
  expect(JSON.stringify([r.events, r.decider.requests])).not.toContain('hunter 2');
  expect(r.output('token-valid')).toBe(`rejected ${MASK}\n`);
  expect(r.log).toContain(
    `check-result token-valid@local fail: The token is accepted: expected exit 0, found exit 1: rejected ${MASK}`,
  );
  expect(r.log).toContain(
    `verify-result check-token@local #0 fail: echo still ${MASK}: expected output matching /^ok/, found still ${MASK}`,
  );
});
