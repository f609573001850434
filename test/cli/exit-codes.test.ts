/** The exit codes of the CLI contract: 0 ok, 1 failed, 2 usage, 3 needs input, 130 interrupted. */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLI_TIMEOUT,
  cleanupWorkspaces,
  events,
  groupAlive,
  journalEvents,
  ofType,
  position,
  runIdOf,
  until,
  workspace,
} from './helpers.ts';

afterEach(cleanupWorkspaces);

describe('exit code 0', { timeout: CLI_TIMEOUT }, () => {
  it('runs a read-only runbook to the end', async () => {
    const ws = workspace();
    ws.writeRunbook('t/hello', { steps: [{ id: 'greet', run: 'echo hello-from-step' }] });
    const r = await ws.run(['run', 't/hello']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // A one-host step's stdout is shown as it is, under the line naming the host.
    expect(r.stdout).toContain('  $ local: echo hello-from-step\nhello-from-step\n');
    expect(r.stdout).toContain('→ greet succeeded');
    expect(r.stdout).toContain('Run succeeded');
  });
});

describe('exit code 1', { timeout: CLI_TIMEOUT }, () => {
  it('when a step exits 1, and the later steps do not run', async () => {
    const ws = workspace();
    const later = ws.path('later-ran');
    ws.writeRunbook('t/fails', {
      steps: [
        { id: 'boom', run: 'echo about-to-fail >&2; exit 1' },
        { id: 'later', run: `touch ${later}` },
      ],
    });
    const r = await ws.run(['run', 't/fails', '--json']);
    expect(r.code).toBe(1);
    const list = events(r.stdout);
    expect(list.at(-1)).toMatchObject({ type: 'run-finished', status: 'failed' });
    const finished = ofType(list, 'step-finished');
    expect(finished.map((e) => [e.step, e.status])).toEqual([['boom', 'failed']]);
    expect(finished[0]?.reason).toContain('Command failed with exit code 1 on local');
    expect(finished[0]?.reason).toContain('about-to-fail');
    expect(fs.existsSync(later)).toBe(false);
  });

  it('when a preflight check fails and no --override is given', async () => {
    const ws = workspace();
    const ran = ws.path('step-ran');
    ws.writeRunbook('t/gated', {
      checks: [{ id: 'disk-ok', title: 'the disk is fine', run: 'echo disk-full; exit 1' }],
      steps: [{ id: 'work', run: `touch ${ran}` }],
    });
    const r = await ws.run(['run', 't/gated']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✗ disk-ok · local');
    expect(r.stdout).toContain('Run failed: check disk-ok failed');
    expect(fs.existsSync(ran)).toBe(false);
  });

  it('when `validate` finds a problem', async () => {
    const ws = workspace();
    const text = [
      'title: Broken',
      'system: t',
      'summary: s',
      'source: { document: d }',
      'steps:',
      '  - id: Bad_Id',
      '    title: a',
      '    explain: a',
      '    risk: read-only',
      '    run: echo a',
      '',
    ].join('\n');
    ws.write('broken.yaml', text);
    const r = await ws.run(['validate', 'broken.yaml']);
    expect(r.code).toBe(1);
    const { line, col } = position(text, 'Bad_Id');
    expect(r.stdout).toContain(`broken.yaml:${line}:${col}: steps[0].id: ids are lowercase`);
    expect(r.stderr).toContain('1 problem found');
  });
});

describe('exit code 2', { timeout: CLI_TIMEOUT }, () => {
  it('for an unknown runbook id, listing the known ones', async () => {
    const ws = workspace();
    ws.writeRunbook('t/real', { steps: [{ id: 'a', run: 'true' }] });
    const r = await ws.run(['run', 't/nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: no runbook "t/nope"');
    expect(r.stderr).toContain('t/real');
    expect(fs.existsSync(ws.home)).toBe(false);
  });

  it('for --set without NAME=VALUE', async () => {
    const ws = workspace();
    ws.writeRunbook('t/p', {
      parameters: { who: { description: 'who' } },
      steps: [{ id: 'a', run: 'echo {{ who }}' }],
    });
    const r = await ws.run(['run', 't/p', '--set', 'who']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--set who: expected NAME=VALUE');
  });

  it('for --set naming a parameter the runbook does not have', async () => {
    const ws = workspace();
    ws.writeRunbook('t/p', {
      parameters: { who: { description: 'who' } },
      steps: [{ id: 'a', run: 'echo {{ who }}' }],
    });
    const r = await ws.run(['run', 't/p', '--set', 'whom=x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('this runbook has no parameter "whom"');
    expect(r.stderr).toContain('its parameters are: who');
  });

  it('for a malformed inventory, naming file:line', async () => {
    const ws = workspace();
    ws.writeRunbook('t/hello', { steps: [{ id: 'a', run: 'true' }] });
    const text = ['all:', '  hosts:', '    web1: ansible_connection: local', ''].join('\n');
    const inv = ws.write('inventory.yaml', text);
    const r = await ws.run(['run', 't/hello', '-i', inv]);
    expect(r.code).toBe(2);
    const { line } = position(text, 'web1');
    expect(r.stderr).toMatch(
      new RegExp(`${inv.replaceAll('.', '\\.')}:${line}:\\d+: invalid YAML`),
    );
  });

  it('for an unknown command', async () => {
    const ws = workspace();
    const r = await ws.run(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('frobnicate');
  });

  it('for an unknown flag', async () => {
    const ws = workspace();
    ws.writeRunbook('t/hello', { steps: [{ id: 'a', run: 'true' }] });
    const r = await ws.run(['run', 't/hello', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--frobnicate'");
  });

  it('for a bad --on-interrupted value', async () => {
    const ws = workspace();
    const r = await ws.run(['resume', 'some-run', '--on-interrupted', 'maybe']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('rerun');
    expect(r.stderr).toContain('mark-done');
  });
});

describe('exit code 3', { timeout: CLI_TIMEOUT }, () => {
  it('for a `changes` step without --yes, before it runs', async () => {
    const ws = workspace();
    const file = ws.path('changed');
    ws.writeRunbook('t/change', {
      steps: [{ id: 'touch-it', risk: 'changes', run: `touch ${file}` }],
    });
    const r = await ws.run(['run', 't/change']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('step touch-it (touch-it) changes local and needs a confirmation');
    expect(r.stderr).toContain('pass --yes');
    expect(fs.existsSync(file)).toBe(false);

    const ok = await ws.run(['run', 't/change', '--yes']);
    expect(ok.code).toBe(0);
    expect(fs.existsSync(file)).toBe(true);
  });

  it('for a destructive step with --yes but without --allow-destructive', async () => {
    const ws = workspace();
    const file = ws.path('destroyed');
    ws.writeRunbook('t/destroy', {
      steps: [{ id: 'wipe', risk: 'destructive', confirm: 'wipe it', run: `touch ${file}` }],
    });
    const r = await ws.run(['run', 't/destroy', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('step wipe (wipe) is destructive on local');
    expect(r.stderr).toContain('--allow-destructive');
    expect(fs.existsSync(file)).toBe(false);

    const ok = await ws.run(['run', 't/destroy', '--yes', '--allow-destructive']);
    expect(ok.code).toBe(0);
    expect(fs.existsSync(file)).toBe(true);
  });

  it('for a choose step without --set, naming the values', async () => {
    const ws = workspace();
    ws.writeRunbook('t/pick', {
      steps: [
        {
          id: 'pick',
          choose: { var: 'colour', prompt: 'Which colour?', run: "printf 'red\\nblue\\n'" },
        },
        { id: 'use', run: 'echo {{ colour }}' },
      ],
    });
    const r = await ws.run(['run', 't/pick']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('step pick asks to choose colour from: red, blue');
    expect(r.stderr).toContain('pass --set colour=VALUE');

    const ok = await ws.run(['run', 't/pick', '--set', 'colour=blue', '--json']);
    expect(ok.code).toBe(0);
    const out = ofType(events(ok.stdout), 'output').filter((e) => e.step === 'use');
    expect(out.map((e) => e.data).join('')).toBe('blue\n');
  });

  it('for a missing required parameter, saying --set NAME=', async () => {
    const ws = workspace();
    ws.writeRunbook('t/p', {
      parameters: {
        target_dir: { description: 'where', type: 'path' },
        mode: { description: 'how', default: 'fast' },
      },
      steps: [{ id: 'a', run: 'echo {{ target_dir }} {{ mode }}' }],
    });
    const r = await ws.run(['run', 't/p']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('t/p needs a value for target_dir');
    expect(r.stderr).toContain('--set target_dir=');
    expect(r.stderr).not.toContain('--set mode=');
    expect(fs.existsSync(ws.home)).toBe(false);
  });
});

describe('exit code 130', { timeout: CLI_TIMEOUT }, () => {
  it('on SIGINT during a step: the command stops, the run is aborted, the step interrupted', async () => {
    const ws = workspace();
    const marker = ws.path('started');
    const after = ws.path('after-ran');
    ws.writeRunbook('t/slow', {
      steps: [
        { id: 'slow', run: `echo $$ > ${marker}.tmp && mv ${marker}.tmp ${marker}; sleep 30` },
        { id: 'after', run: `touch ${after}` },
      ],
    });
    const run = ws.start(['run', 't/slow', '--json']);
    await until(() => fs.existsSync(marker), 'the step to start');
    const pgid = Number(fs.readFileSync(marker, 'utf8'));
    run.child.kill('SIGINT');
    const r = await run.done;

    expect(r.code).toBe(130);
    const list = events(r.stdout);
    expect(list.at(-1)).toMatchObject({ type: 'run-finished', status: 'aborted' });
    const journal = journalEvents(ws, runIdOf(r.stdout));
    expect(ofType(journal, 'step-finished').map((e) => [e.step, e.status])).toEqual([
      ['slow', 'interrupted'],
    ]);
    expect(ofType(journal, 'host-finished')[0]).toMatchObject({
      step: 'slow',
      status: 'cancelled',
    });
    expect(journal.at(-1)).toMatchObject({ type: 'run-finished', status: 'aborted' });
    expect(fs.existsSync(after)).toBe(false);
    // Ctrl-C stops the step's whole process group, the `sleep` included.
    await until(() => !groupAlive(pgid), `process group ${pgid} to end`, 5000);
  });

  it('reports a single SIGINT as one interruption', async () => {
    const ws = workspace();
    const marker = ws.path('started');
    ws.writeRunbook('t/slow', { steps: [{ id: 'slow', run: `touch ${marker}; sleep 30` }] });
    const run = ws.start(['run', 't/slow']);
    await until(() => fs.existsSync(marker), 'the step to start');
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr).not.toContain('Interrupted again');
  });
});
