import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OperatorError } from '../../src/errors.ts';
import { loadRunbook, parseRunbook, runbookProblems } from '../../src/runbook/load.ts';
import { stableJson } from '../../src/runbook/step-hashes.ts';
import { fixture, problemLines, testKinds } from './helpers.ts';

describe('loadRunbook', () => {
  it('loads a minimal runbook with defaults applied', async () => {
    const path = fixture('demo/minimal.yaml');
    const runbook = await loadRunbook(path);
    expect(runbook.id).toBe('demo/minimal');
    expect(runbook.path).toBe(path);
    expect(runbook.spec.format).toBe(1);
    expect(runbook.spec.steps).toEqual([
      {
        id: 'show-date',
        title: 'Show the date',
        explain: 'Prints the current date, to prove the runbook loads.',
        on: 'local',
        run: 'date',
        risk: 'read-only',
        sudo: false,
        requires: [],
        verify: [],
        capture: [],
      },
    ]);
    const bytes = await readFile(path);
    expect(runbook.hash).toBe(createHash('sha256').update(bytes).digest('hex'));
    const step = runbook.spec.steps[0];
    expect(runbook.stepHashes).toEqual({
      'show-date': createHash('sha256').update(stableJson(step)).digest('hex'),
    });
  });

  it('loads a runbook that uses every feature', async () => {
    const runbook = await loadRunbook(fixture('demo/full.yaml'), { kinds: testKinds });
    expect(runbook.id).toBe('demo/full');
    expect(runbook.spec.steps.map((s) => s.id)).toEqual(['pick-snapshot', 'stop-node', 'restore']);
    expect(runbook.spec.steps[1]?.on).toEqual({ role: 'node', hosts: 'all', serial: 1 });
    expect(Object.keys(runbook.stepHashes)).toEqual(['pick-snapshot', 'stop-node', 'restore']);
  });

  it('throws one OperatorError listing every problem as file:line:col', async () => {
    const path = fixture('broken/schema-errors.yaml');
    const error = await loadRunbook(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperatorError);
    const { message, hint, exitCode } = error as OperatorError;
    expect(exitCode).toBe(2);
    expect(hint).toContain('stepwise validate');
    const lines = message.split('\n');
    expect(lines).toHaveLength(8);
    expect(lines[0]).toBe(`${relative(process.cwd(), path)}:6:3: source: unknown field "chapter"`);
  });

  it('names a missing file', async () => {
    await expect(loadRunbook('no/such/runbook.yaml')).rejects.toThrow(
      'cannot read runbook no/such/runbook.yaml: no such file',
    );
  });
});

describe('step hashes', () => {
  const base = `title: T
system: s
summary: S
source: { document: d }
steps:
  - id: a
    title: A
    explain: E
    run: echo a
    risk: read-only
  - id: b
    title: B
    explain: E
    run: echo b
    risk: read-only
`;
  const hashes = (text: string) => {
    const result = parseRunbook(text, 'x/y.yaml');
    if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
    return result.runbook.stepHashes;
  };

  it('changes only for the step that changed', () => {
    const before = hashes(base);
    const after = hashes(base.replace('echo b', 'echo B'));
    expect(after.a).toBe(before.a);
    expect(after.b).not.toBe(before.b);
  });

  it('ignores key order and spelled-out defaults', () => {
    const before = hashes(base);
    const reordered = base.replace(
      '    title: A\n    explain: E\n    run: echo a\n',
      '    run: echo a\n    explain: E\n    sudo: false\n    title: A\n',
    );
    expect(hashes(reordered)).toEqual(before);
  });
});

describe('schema problems', () => {
  it('maps every zod issue to the node it is about', async () => {
    expect(await problemLines('broken/schema-errors.yaml')).toEqual([
      // unknown keys point at the key itself and name it
      '6:3: source: unknown field "chapter"',
      '8:9: steps[0].id: ids are lowercase letters, digits and dashes (e.g. "stop-service") (got "Stop_Service")',
      '12:11: steps[0].risk: expected one of read-only, changes, destructive (got "dangerous")',
      // missing fields point at the map that lacks them
      '13:5: steps[1]: missing required field "explain"',
      '17:5: steps[1]: unknown field "retries"',
      '23:14: steps[2].timeout: a duration like "30s", "10m" or "2h" (got "soon")',
      '24:9: steps[2].on: expected a string or a map, got 42',
      '27:25: steps[2].verify[0].expect.exit: expected a whole number or a list, got 1.5',
    ]);
  });

  it('reports YAML syntax errors where the yaml package puts them', async () => {
    expect(await problemLines('broken/yaml-syntax.yaml')).toEqual([
      '7:3: invalid YAML: Block collections are not allowed within flow collections',
      '8:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('rejects a document that is not a map', async () => {
    expect(await problemLines('broken/not-a-map.yaml')).toEqual([
      '1:1: expected a map, got a list',
    ]);
  });

  it('reports refinements at the object they are about', () => {
    const result = parseRunbook(
      'title: T\nsystem: s\nsummary: S\nsource: { document: d }\nsteps:\n  - id: a\n    title: A\n    explain: E\n    risk: changes\n',
      'x/y.yaml',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      {
        file: 'x/y.yaml',
        line: 6,
        col: 5,
        message:
          'steps[0]: a step needs at least one of `run`, `manual`, `s3`, `copy`, `loom` or `choose`',
      },
    ]);
  });

  it('reports a missing enum or top-level field at the map that lacks it', () => {
    const result = parseRunbook(
      '# no title\nsystem: s\nsummary: S\nsource: { document: d }\nsteps:\n  - id: a\n    title: A\n    explain: E\n    run: x\n',
      'x/y.yaml',
    );
    expect(result.ok ? [] : result.problems.map((p) => `${p.line}:${p.col}: ${p.message}`)).toEqual(
      ['2:1: missing required field "title"', '6:5: steps[0]: missing required field "risk"'],
    );
  });

  it('finds positions through merge keys and aliases', () => {
    const text = `title: T
system: s
summary: S
source: { document: d }
steps:
  - &base
    id: a
    title: A
    explain: E
    run: echo
    risk: read-only
  - <<: *base
    id: b
    risk: risky
`;
    const result = parseRunbook(text, 'x/y.yaml');
    expect(result.ok ? [] : result.problems.map((p) => `${p.line}:${p.col}: ${p.message}`)).toEqual(
      ['14:11: steps[1].risk: expected one of read-only, changes, destructive (got "risky")'],
    );
  });

  it('returns no problems for a valid runbook', async () => {
    expect(await runbookProblems(fixture('demo/full.yaml'), { kinds: testKinds })).toEqual([]);
  });
});
