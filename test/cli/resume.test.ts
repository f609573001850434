/** Resuming a failed or stopped run: after the runbook changed, and at a choose step. */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLI_TIMEOUT,
  cleanupWorkspaces,
  countLines,
  events,
  localInventory,
  ofType,
  type StepInput,
  workspace,
} from './helpers.ts';

afterEach(cleanupWorkspaces);

describe('resume after the runbook changed', { timeout: CLI_TIMEOUT }, () => {
  it('says which steps were added, removed and changed, and does not re-run what succeeded', async () => {
    const ws = workspace();
    const count = (step: string) => ws.path(`${step}.count`);
    const step = (id: string, run: string): StepInput => ({
      id,
      run: `echo x >> ${count(id)}; ${run}`,
    });
    ws.writeRunbook('t/change', {
      steps: [step('s1', 'true'), step('s2', 'exit 1'), step('s3', 'true')],
    });
    const first = await ws.run(['run', 't/change', '--json']);
    expect(first.code).toBe(1);
    const runId = events(first.stdout)[0]!.runId;
    expect(events(first.stdout).at(-1)).toMatchObject({ type: 'run-finished', status: 'failed' });

    // Fix s2, drop s3, add s4 — which fails at first, so the run can be resumed twice.
    const s4Ok = ws.path('s4.ok');
    ws.writeRunbook('t/change', {
      steps: [step('s1', 'true'), step('s2', 'echo fixed'), step('s4', `test -e ${s4Ok}`)],
    });
    const plain = await ws.run(['resume', runId, '--yes']);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain(`resuming run ${runId}`);
    expect(plain.stdout).toContain('the runbook changed since this run started:');
    expect(plain.stdout).toMatch(/added steps: +s4\n/);
    expect(plain.stdout).toMatch(/removed steps: +s3\n/);
    expect(plain.stdout).toMatch(/changed steps: +s2\n/);

    fs.writeFileSync(s4Ok, '');
    const json = await ws.run(['resume', runId, '--yes', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const list = events(json.stdout);
    expect(list[0]).toEqual({
      type: 'run-resumed',
      changed: { added: ['s4'], removed: ['s3'], changed: ['s2'] },
      runId,
      at: expect.any(String),
    });
    expect(ofType(list, 'step-started').map((e) => e.step)).toEqual(['s4']);
    expect(list.at(-1)).toMatchObject({ type: 'run-finished', status: 'succeeded' });
    expect({
      s1: countLines(count('s1')),
      s2: countLines(count('s2')),
      s3: countLines(count('s3')),
      s4: countLines(count('s4')),
    }).toEqual({ s1: 1, s2: 2, s3: 0, s4: 2 });
  });

  it('reports no changes when the runbook is the same', async () => {
    const ws = workspace();
    const ok = ws.path('ok');
    ws.writeRunbook('t/same', { steps: [{ id: 'a', run: `test -e ${ok}` }] });
    const first = await ws.run(['run', 't/same', '--json']);
    expect(first.code).toBe(1);
    fs.writeFileSync(ok, '');
    const r = await ws.run(['resume', events(first.stdout)[0]!.runId, '--json']);
    expect(r.code).toBe(0);
    expect(events(r.stdout)[0]).toMatchObject({ type: 'run-resumed', changed: null });
  });
});

describe('headless resume at a step that needed input', { timeout: CLI_TIMEOUT }, () => {
  it('continues with --set var=value', async () => {
    const ws = workspace();
    const inv = ws.write('inventory.yaml', localInventory(['n1', 'n2']));
    ws.writeRunbook('t/pick', {
      roles: { nodes: { description: 'the nodes' } },
      steps: [
        {
          id: 'pick',
          choose: { var: 'colour', prompt: 'Which colour?', run: "printf 'red\\nblue\\n'" },
        },
        {
          id: 'paint',
          on: 'nodes',
          risk: 'changes',
          run: `touch ${ws.path('{{ colour }}-{{ host }}')}`,
        },
      ],
    });
    const first = await ws.run(['run', 't/pick', '-i', inv, '--yes', '--json']);
    expect(first.code).toBe(3);
    expect(first.stderr).toContain('--set colour=VALUE');
    // Stopped at the question: the step never started, so it is pending, not interrupted.
    expect(ofType(events(first.stdout), 'step-started')).toEqual([]);
    const runId = events(first.stdout)[0]!.runId;

    const r = await ws.run(['resume', runId, '--yes', '--set', 'colour=blue', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const list = events(r.stdout);
    expect(ofType(list, 'decision-requested').filter((e) => e.kind === 'interrupted')).toEqual([]);
    expect(ofType(list, 'choice')).toMatchObject([{ step: 'pick', var: 'colour', value: 'blue' }]);
    expect(list.at(-1)).toMatchObject({ type: 'run-finished', status: 'succeeded' });
    expect(
      fs
        .readdirSync(ws.dir)
        .filter((f) => f.startsWith('blue-'))
        .sort(),
    ).toEqual(['blue-n1', 'blue-n2']);
  });

  it('rejects a --set value that is not in the list', async () => {
    const ws = workspace();
    ws.writeRunbook('t/pick', {
      steps: [
        {
          id: 'pick',
          choose: { var: 'colour', prompt: 'Which colour?', run: "printf 'red\\nblue\\n'" },
        },
        { id: 'use', run: `touch ${ws.path('{{ colour }}')}` },
      ],
    });
    const r = await ws.run(['run', 't/pick', '--set', 'colour=green']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('--set colour=green is not in the list: red, blue');
    expect(fs.existsSync(ws.path('green'))).toBe(false);
  });

  it('continues at a manual step with --manual-done', async () => {
    const ws = workspace();
    const after = ws.path('after-ran');
    ws.writeRunbook('t/manual', {
      steps: [
        { id: 'by-hand', risk: 'changes', manual: 'Flip the breaker.' },
        { id: 'after', run: `touch ${after}` },
      ],
    });
    const first = await ws.run(['run', 't/manual', '--json']);
    expect(first.code).toBe(3);
    expect(first.stderr).toContain('--manual-done by-hand');
    expect(fs.existsSync(after)).toBe(false);
    // Stopped at the question: the step never started, so it is pending, not interrupted.
    expect(ofType(events(first.stdout), 'step-started')).toEqual([]);
    const runId = events(first.stdout)[0]!.runId;

    const r = await ws.run(['resume', runId, '--manual-done', 'by-hand', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const list = events(r.stdout);
    expect(ofType(list, 'decision-requested').filter((e) => e.kind === 'interrupted')).toEqual([]);
    expect(ofType(list, 'step-finished')).toMatchObject([
      { step: 'by-hand', status: 'succeeded' },
      { step: 'after', status: 'succeeded' },
    ]);
    expect(fs.existsSync(after)).toBe(true);
  });
});
