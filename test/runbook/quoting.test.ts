/** A `{{ name }}` must stand outside quotes in a command: the renderer quotes values itself. */
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/runbook/load.ts';
import { quotedPlaceholders } from '../../src/runbook/rule-quoting.ts';

describe('quotedPlaceholders', () => {
  it('finds nothing in a plain command', () => {
    expect(quotedPlaceholders('echo {{ x }}')).toEqual([]);
    expect(quotedPlaceholders('printf %s {{ x }} > {{ dir }}/out')).toEqual([]);
    expect(quotedPlaceholders('echo no placeholders here')).toEqual([]);
  });

  it('finds a placeholder inside single quotes', () => {
    expect(quotedPlaceholders("echo '{{ x }}'")).toEqual(['x']);
    expect(quotedPlaceholders("echo 'token is {{ token }} ok'")).toEqual(['token']);
  });

  it('finds a placeholder inside double quotes, with or without spaces in the braces', () => {
    expect(quotedPlaceholders('echo "{{ x }}"')).toEqual(['x']);
    expect(quotedPlaceholders('echo "token is {{token}}"')).toEqual(['token']);
  });

  it('names every quoted placeholder in order, and only those', () => {
    expect(quotedPlaceholders(`echo "{{ a }}" {{ b }} '{{ c }}' "x" "{{ d }}"`)).toEqual([
      'a',
      'c',
      'd',
    ]);
  });

  it('an escaped quote outside quotes opens nothing', () => {
    expect(quotedPlaceholders('echo \\"{{ x }}\\"')).toEqual([]);
    expect(quotedPlaceholders("echo \\'{{ x }}")).toEqual([]);
  });

  it('an escaped double quote inside double quotes does not close them', () => {
    expect(quotedPlaceholders('echo "a\\"{{ x }}"')).toEqual(['x']);
  });

  it('a double quote inside single quotes opens nothing', () => {
    expect(quotedPlaceholders(`echo '"'{{ x }}`)).toEqual([]);
    expect(quotedPlaceholders(`echo '"'{{ x }}'"'`)).toEqual([]);
  });

  it('a backslash inside single quotes is literal, so the next quote closes them', () => {
    expect(quotedPlaceholders("echo '\\'{{ x }}")).toEqual([]);
  });

  it('a placeholder after a closed quote is fine', () => {
    expect(quotedPlaceholders(`echo 'a'{{ x }}`)).toEqual([]);
    expect(quotedPlaceholders(`echo "a"{{ x }}`)).toEqual([]);
    expect(quotedPlaceholders(`echo 'token is' {{ token }}`)).toEqual([]);
  });

  it('a quote still open at a later placeholder catches it', () => {
    expect(quotedPlaceholders(`echo 'a'{{ x }}'b {{ y }}'`)).toEqual(['y']);
  });
});

describe('validation of quoted placeholders', () => {
  const yaml = `
title: Quotes
system: test
summary: Placeholders in quotes in every kind of command.
source: { document: tests }
parameters:
  x: { description: a value }
checks:
  - id: probe
    title: Probe
    run: test -n "{{ x }}"
steps:
  - id: pick
    title: Pick
    explain: Chooses.
    risk: read-only
    choose:
      var: v
      prompt: Which?
      run: ls '{{ x }}'
  - id: use
    title: Use
    explain: Uses.
    risk: read-only
    run: echo {{ x }} {{ v }}
    verify:
      - run: grep -q "{{ v }}" /dev/null
  - id: fine
    title: Fine
    explain: Quotes around the literal parts only.
    risk: read-only
    run: echo 'x is' {{ x }} "and v is" {{ v }}
`;

  it('pins each to its command: checks, choose, run and verify', () => {
    const parsed = parseRunbook(yaml, '/runbooks/test/quotes.yaml');
    expect(parsed.ok).toBe(false);
    const fix = 'is inside quotes; values are shell-quoted for you, so remove the quotes around it';
    expect(parsed.ok ? [] : parsed.problems.map((p) => `${p.line}:${p.col}: ${p.message}`)).toEqual(
      [
        `11:10: checks[0].run: {{ x }} ${fix}`,
        `20:12: steps[0].choose.run: {{ x }} ${fix}`,
        `27:14: steps[1].verify[0].run: {{ v }} ${fix}`,
      ],
    );
  });
});
