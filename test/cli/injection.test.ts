/** Parameter values reach the shell as one literal word, in steps and in checks. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_TIMEOUT, cleanupWorkspaces, events, ofType, position, workspace } from './helpers.ts';

const planted: string[] = [];
afterEach(() => {
  for (const file of planted.splice(0)) fs.rmSync(file, { force: true });
  cleanupWorkspaces();
});

/** A path in /tmp that a successful injection would create. */
function target(name: string): string {
  const file = `/tmp/${name}-${randomBytes(6).toString('hex')}`;
  planted.push(file);
  return file;
}

describe('shell injection through parameters', { timeout: CLI_TIMEOUT }, () => {
  it('runs nothing an attacker put in a value, and echoes the value back literally', async () => {
    const quote = target('pwned');
    const dollar = target('pwned2');
    const backtick = target('pwned3');
    const values = {
      quote: `'; touch ${quote} #`,
      dollar: `$(touch ${dollar})`,
      backtick: `\`touch ${backtick}\``,
    };

    // The payloads are live: pasted into a command as text (the quote one into '…', where it
    // is meant to break out), each one creates its file.
    for (const [name, value] of Object.entries(values)) {
      const control = target(`control-${name}`);
      const live = value.replace(/\/tmp\/pwned\d?-[0-9a-f]+/, control);
      const command = name === 'quote' ? `echo '${live}'` : `echo ${live}`;
      execFileSync('/bin/sh', ['-c', command], { stdio: 'ignore' });
      expect(fs.existsSync(control), `control payload ${name}`).toBe(true);
    }

    const ws = workspace();
    ws.writeRunbook('t/inject', {
      parameters: Object.fromEntries(
        Object.keys(values).map((k) => [k, { description: `the ${k} value` }]),
      ),
      checks: [
        {
          id: 'echo-all',
          title: 'the values come back',
          run: 'echo {{ quote }}; echo {{ dollar }}; echo {{ backtick }}',
          expect: { stdout: 'touch' },
        },
      ],
      steps: Object.keys(values).map((k) => ({ id: `echo-${k}`, run: `echo {{ ${k} }}` })),
    });
    const sets = Object.entries(values).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
    const r = await ws.run(['run', 't/inject', '--json', ...sets]);

    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const file of [quote, dollar, backtick]) expect(fs.existsSync(file), file).toBe(false);

    const list = events(r.stdout);
    const output = ofType(list, 'output');
    const of = (pick: (e: (typeof output)[number]) => boolean) =>
      output
        .filter(pick)
        .map((e) => e.data)
        .join('');
    for (const [k, v] of Object.entries(values)) {
      expect(of((e) => e.step === `echo-${k}` && e.stream === 'stdout')).toBe(`${v}\n`);
    }
    expect(of((e) => e.check === 'echo-all' && e.stream === 'stdout')).toBe(
      `${values.quote}\n${values.dollar}\n${values.backtick}\n`,
    );
    expect(ofType(list, 'check-result')).toMatchObject([{ check: 'echo-all', status: 'pass' }]);
  });

  it('keeps a value with a newline and a glob one word', async () => {
    const ws = workspace();
    const value = 'two\nlines * ~ ;|&';
    ws.writeRunbook('t/odd', {
      parameters: { value: { description: 'odd' } },
      steps: [{ id: 'count', run: 'printf "%s|" {{ value }}' }],
    });
    const r = await ws.run(['run', 't/odd', '--json', '--set', `value=${value}`]);
    expect(r.code).toBe(0);
    const out = ofType(events(r.stdout), 'output')
      .filter((e) => e.step === 'count')
      .map((e) => e.data)
      .join('');
    expect(out).toBe(`${value}|`);
  });

  it('gives no way in through a placeholder the runbook author wrapped in quotes', async () => {
    const ws = workspace();
    const double = target('pwned-dq');
    const single = target('pwned-sq');
    const file = ws.writeRunbook('t/quoted', {
      parameters: { a: { description: 'a' }, b: { description: 'b' } },
      steps: [
        { id: 'double', run: 'echo "{{ a }}"' },
        { id: 'single', run: "echo '{{ b }}'" },
      ],
    });
    // Inside the quotes the renderer's quoting is defeated ("…" still expands $(…), '…' is
    // closed by a ' in the value), so the runbook is invalid, pinned to each command.
    const shown = path.relative(ws.dir, file);
    const text = fs.readFileSync(file, 'utf8');
    const at = (needle: string) => {
      const { line, col } = position(text, needle);
      return `${shown}:${line}:${col}`;
    };
    const fix = 'is inside quotes; values are shell-quoted for you, so remove the quotes around it';
    const problems =
      `${at('echo "{{ a }}"')}: steps[0].run: {{ a }} ${fix}\n` +
      `${at("echo '{{ b }}'")}: steps[1].run: {{ b }} ${fix}\n`;

    const r = await ws.run([
      'run',
      't/quoted',
      '--set',
      `a=$(touch ${double})`,
      '--set',
      `b=$(touch ${single})`,
    ]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error: ${problems}`);
    expect(fs.existsSync(double), double).toBe(false);
    expect(fs.existsSync(single), single).toBe(false);

    const v = await ws.run(['validate', shown]);
    expect(v.code).toBe(1);
    expect(v.stdout).toBe(problems);
    expect(v.stderr).toBe('2 problems found\n');
    expect(fs.existsSync(double)).toBe(false);
    expect(fs.existsSync(single)).toBe(false);
  });
});
