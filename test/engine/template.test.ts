/**
 * Templates as the engine renders them (src/runbook/template.ts): commands quote every value so
 * the shell sees one literal word; text shown to the operator is not quoted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect, test } from 'vitest';
import {
  MissingVariableError,
  renderCommand,
  renderText,
  shellQuote,
  templateVars,
} from '../../src/runbook/template.ts';
import { scratchDir } from './harness.ts';

const hostile = [
  '',
  ' ',
  "'",
  "''",
  '"',
  `it's "quoted"`,
  '$(touch PWNED)',
  '`touch PWNED`',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal the shell must not expand.
  '${HOME}',
  '$HOME',
  'a\nb\n',
  '\n',
  '\t tab',
  '\\',
  "\\'",
  '; touch PWNED #',
  "'; touch PWNED #",
  '&& touch PWNED',
  '| touch PWNED',
  '* ? [a-z] ~',
  '-n',
  '--help',
  '!!',
  'ünïcödé 🚀 日本語',
  'plain-word_1.2/3:4,5@6%7+8=9',
];

test.each(hostile.map((v) => [JSON.stringify(v), v]))(
  'shellQuote round-trips %s through sh byte-exactly',
  (_, value) => {
    const scratch = scratchDir();
    const r = spawnSync('/bin/sh', ['-c', `printf %s ${shellQuote(value)}`], { cwd: scratch.dir });
    expect(r.status).toBe(0);
    expect(r.stdout.equals(Buffer.from(value))).toBe(true);
    expect(existsSync(scratch.path('PWNED'))).toBe(false);
  },
);

test('safe words stay bare; everything else is single-quoted', () => {
  expect(shellQuote('snap-2026.tar')).toBe('snap-2026.tar');
  expect(shellQuote('')).toBe("''");
  expect(shellQuote('a b')).toBe("'a b'");
  expect(shellQuote("it's")).toBe(`'it'\\''s'`);
});

test('renderCommand quotes every value, with no way to opt out', () => {
  const values: Record<string, string> = { snap: 'my snap', dir: '/data', evil: '$(rm -rf /)' };
  const lookup = (n: string) => values[n];
  expect(renderCommand('restore {{ snap }} to {{dir}}/x', lookup)).toBe(
    "restore 'my snap' to /data/x",
  );
  expect(renderCommand('echo "{{ evil }}"', lookup)).toBe(`echo "'$(rm -rf /)'"`);
});

test('renderCommand throws MissingVariableError naming the unknown variable', () => {
  const render = () =>
    renderCommand('echo {{ known }} {{ unknown_one }}', (n) => (n === 'known' ? 'k' : undefined));
  expect(render).toThrow(MissingVariableError);
  expect(render).toThrow('no value for {{ unknown_one }}');
  try {
    render();
  } catch (error) {
    expect((error as MissingVariableError).variable).toBe('unknown_one');
  }
});

test('renderText does not quote', () => {
  const values: Record<string, string> = { who: "O'Brien & co", what: 'a b' };
  expect(renderText('Ask {{ who }} about {{what}}.', (n) => values[n])).toBe(
    "Ask O'Brien & co about a b.",
  );
  expect(() => renderText('{{ nope }}', () => undefined)).toThrow(MissingVariableError);
});

test('an empty value is a value, not a missing one', () => {
  expect(renderCommand('x {{ e }} y', () => '')).toBe("x '' y");
  expect(renderText('x {{ e }} y', () => '')).toBe('x  y');
});

test('text that only looks like a placeholder is left alone; names are found in order', () => {
  expect(renderText('{{ 1bad }} {{}} { x }', () => 'v')).toBe('{{ 1bad }} {{}} { x }');
  expect(templateVars('{{ b }} {{a}} {{ b }} {{ c.d }}')).toEqual(['b', 'a', 'c.d']);
});
