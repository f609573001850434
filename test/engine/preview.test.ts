/** `preview:` on a step: its output per host goes with the confirmation, before anything changes. */
import { expect, test } from 'vitest';
import type { DecisionRequest } from '../../src/engine/decisions.ts';
import { parseRunbook } from '../../src/runbook/load.ts';
import { HEADER, runScenario, ScriptedDecider, scratchDir } from './harness.ts';

const INVENTORY = `
all:
  children:
    nodes:
      hosts:
        a: { ansible_connection: local, name: alpha }
        b: { ansible_connection: local, name: beta }
`;

const runbook = (risk: 'changes' | 'destructive') => `${HEADER}
roles:
  nodes: { description: the hosts }
parameters:
  dir: { description: scratch, type: path }
  name: { description: the name each host gets (an inventory variable) }
steps:
  - id: write
    title: Write each host's config
    explain: Writes name=<host name> into a per-host file.
    on: nodes
    risk: ${risk}
    ${risk === 'destructive' ? 'confirm: write it' : ''}
    preview: printf 'name=%s\\n' {{ name }} | diff -uN {{ dir }}/{{ host }}.conf -
    run: printf 'name=%s\\n' {{ name }} > {{ dir }}/{{ host }}.conf
`;

test('the confirmation carries each host diff, and nothing is written before it is answered', async () => {
  const s = scratchDir();
  const { writeFileSync, existsSync } = await import('node:fs');
  writeFileSync(s.path('a.conf'), 'name=old\n');
  writeFileSync(s.path('b.conf'), 'name=beta\n');
  let seen: DecisionRequest | undefined;
  const decider = new ScriptedDecider({ confirm: [{ action: 'run' }] }, (r) => {
    seen = r;
    // Still the old content while the operator reads the preview.
    expect(s.read('a.conf')).toBe('name=old\n');
    expect(existsSync(s.path('a.conf'))).toBe(true);
  });
  const r = await runScenario({
    yaml: runbook('changes'),
    inventory: INVENTORY,
    dir: s.dir,
    decider,
  });
  expect(r.outcome).toBe('succeeded');
  expect(seen?.kind).toBe('confirm');
  const previews = seen?.kind === 'confirm' ? seen.previews : undefined;
  expect(previews?.map((p) => p.host)).toEqual(['a', 'b']);
  expect(previews?.[0]?.text).toMatch(/^-name=old$/m);
  expect(previews?.[0]?.text).toMatch(/^\+name=alpha$/m);
  // b already has what the step writes: an empty diff, which reads as "nothing to change".
  expect(previews?.[1]?.text).toBe('');
  expect(s.read('a.conf')).toBe('name=alpha\n');
  // The preview's commands are journaled as their own phase, before the step starts.
  const previewAt = r.log.findIndex((l) => /^host-started write@a preview/.test(l));
  const startAt = r.log.findIndex((l) => l.startsWith('step-started write'));
  expect(previewAt).toBeGreaterThanOrEqual(0);
  expect(previewAt).toBeLessThan(startAt);
});

test('a destructive step shows the previews with the typed confirmation too', async () => {
  const s = scratchDir();
  const decider = new ScriptedDecider({
    'confirm-destructive': [{ action: 'run', typed: 'write it' }],
  });
  const r = await runScenario({
    yaml: runbook('destructive'),
    inventory: INVENTORY,
    dir: s.dir,
    decider,
  });
  expect(r.outcome).toBe('succeeded');
  const q = decider.requests.find((x) => x.kind === 'confirm-destructive');
  expect(q?.kind === 'confirm-destructive' && q.previews?.[1]?.text).toMatch(/^\+name=beta$/m);
});

test('a preview that cannot run stops the step: the operator is asked, nothing is written', async () => {
  const s = scratchDir();
  const yaml = runbook('changes').replace(
    /preview: .*/,
    'preview: diff -u {{ dir }}/missing {{ dir }}/missing2',
  );
  const decider = new ScriptedDecider({ 'after-failure': [{ action: 'abort' }] });
  const r = await runScenario({
    yaml,
    inventory: INVENTORY,
    dir: s.dir,
    decider,
    allowThrow: true,
  });
  expect(r.outcome).toBe('failed');
  expect(decider.requests.map((q) => q.kind)).toEqual(['after-failure']);
  const q = decider.requests[0];
  expect(q?.kind === 'after-failure' && q.failures[0]?.message).toMatch(/the preview failed/);
  const { existsSync } = await import('node:fs');
  expect(existsSync(s.path('a.conf'))).toBe(false);
});

test('a read-only step cannot have a preview', () => {
  const yaml = `${HEADER}
steps:
  - id: look
    title: Look
    explain: Looks.
    risk: read-only
    preview: echo hi
    run: echo hi
`;
  const parsed = parseRunbook(yaml, '/runbooks/test/look.yaml');
  expect(parsed.ok).toBe(false);
  expect(parsed.ok ? [] : parsed.problems.map((p) => p.message).join('\n')).toMatch(
    /`preview` shows what a confirmed step will change/,
  );
});

test('a parameter default may carry the run start stamp, as a default backup name does', async () => {
  const s = scratchDir();
  const yaml = `${HEADER}
parameters:
  dir: { description: scratch, type: path }
  backup_name: { description: the snapshot name, default: 'a4c-{{ run_started }}' }
steps:
  - id: name
    title: Name it
    explain: Writes the name.
    risk: changes
    run: echo {{ backup_name }} {{ run_started }} > {{ dir }}/name
`;
  const r = await runScenario({ yaml, dir: s.dir, script: { confirm: [{ action: 'run' }] } });
  expect(r.outcome).toBe('succeeded');
  // RUN_ID is 20261121-030000-test-0001.
  expect(s.read('name')).toBe('a4c-2026-11-21--030000 2026-11-21--030000\n');
});
