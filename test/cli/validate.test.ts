/** `stepwise validate` pins every problem to file:line:col and exits 1. */
import { afterEach, describe, expect, it } from 'vitest';
import { checkKinds } from '../../src/engine/checks/registry.ts';
import { CLI_TIMEOUT, cleanupWorkspaces, position, type Workspace, workspace } from './helpers.ts';

afterEach(cleanupWorkspaces);

const HEADER = ['title: Broken', 'system: v', 'summary: s', 'source: { document: d }'];

/** A runbook file from lines, with the header every runbook needs. */
function fixture(...lines: string[]): string {
  return [...HEADER, ...lines, ''].join('\n');
}

async function validate(ws: Workspace, name: string, text: string) {
  ws.write(name, text);
  return ws.run(['validate', name]);
}

describe('stepwise validate', { timeout: CLI_TIMEOUT }, () => {
  it('reports a YAML syntax error where it is', async () => {
    const ws = workspace();
    const text = fixture(
      'steps:',
      '  - id: a',
      '    title: a: b',
      '    explain: a',
      '    risk: read-only',
      '    run: echo a',
    );
    const r = await validate(ws, 'syntax.yaml', text);
    expect(r.code).toBe(1);
    const { line, col } = position(text, 'a: b');
    expect(r.stdout).toBe(
      `syntax.yaml:${line}:${col}: invalid YAML: Nested mappings are not allowed in compact mappings\n`,
    );
    expect(r.stderr).toBe('1 problem found\n');
  });

  it('reports an unknown field at its key', async () => {
    const ws = workspace();
    const text = fixture(
      'steps:',
      '  - id: a',
      '    title: a',
      '    explain: a',
      '    risk: read-only',
      '    colour: red',
      '    run: echo a',
    );
    const r = await validate(ws, 'unknown.yaml', text);
    expect(r.code).toBe(1);
    const { line, col } = position(text, 'colour');
    expect(r.stdout).toBe(`unknown.yaml:${line}:${col}: steps[0]: unknown field "colour"\n`);
  });

  it('reports a template naming a parameter that does not exist', async () => {
    const ws = workspace();
    const text = fixture(
      'parameters:',
      '  backup_dir: { description: where backups are }',
      'steps:',
      '  - id: a',
      '    title: a',
      '    explain: a',
      '    risk: read-only',
      '    run: ls {{ backup_dri }}',
    );
    const r = await validate(ws, 'missing.yaml', text);
    expect(r.code).toBe(1);
    const { line, col } = position(text, 'ls {{');
    expect(r.stdout).toMatch(
      new RegExp(
        `^missing\\.yaml:${line}:${col}: steps\\[0\\]\\.run: unknown variable \\{\\{ backup_dri \\}\\}`,
      ),
    );
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('reports a duplicate step id at the second one', async () => {
    const ws = workspace();
    const text = fixture(
      'steps:',
      '  - id: stop',
      '    title: a',
      '    explain: a',
      '    risk: read-only',
      '    run: echo a',
      '  - id: stop',
      '    title: b',
      '    explain: b',
      '    risk: read-only',
      '    run: echo b',
    );
    const r = await validate(ws, 'dup.yaml', text);
    expect(r.code).toBe(1);
    const { line, col } = position(text, 'stop', 2);
    expect(r.stdout).toBe(
      `dup.yaml:${line}:${col}: steps[1].id: duplicate step id "stop" (already used by steps[0])\n`,
    );
  });

  it('reports an unknown check kind, listing the known ones', async () => {
    const ws = workspace();
    const text = fixture(
      'checks:',
      '  - id: c',
      '    title: c',
      '    kind: loom.no-such-check',
      'steps:',
      '  - id: a',
      '    title: a',
      '    explain: a',
      '    risk: read-only',
      '    run: echo a',
    );
    const r = await validate(ws, 'kind.yaml', text);
    expect(r.code).toBe(1);
    const { line, col } = position(text, 'loom.no-such-check');
    // Every registered kind, sorted (the list grows with each system's kinds).
    const known = [...checkKinds.keys()].sort();
    expect(known).toContain('loom.peers-match-nodekeys');
    expect(r.stdout).toBe(
      `kind.yaml:${line}:${col}: checks[0].kind: unknown check kind "loom.no-such-check" (known kinds: ${known.join(', ')})\n`,
    );
  });

  it('reports every broken file of a folder, sorted, and passes a good one', async () => {
    const ws = workspace();
    ws.write('dir/b.yaml', fixture('steps: []'));
    ws.write('dir/a.yaml', fixture('steps:', '  - id: a', '    title: a', '    risk: nope'));
    ws.write(
      'dir/ok.yaml',
      fixture(
        'steps:',
        '  - id: a',
        '    title: a',
        '    explain: a',
        '    risk: read-only',
        '    run: echo a',
      ),
    );
    const r = await ws.run(['validate', 'dir']);
    expect(r.code).toBe(1);
    const files = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(':')[0]);
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(files).toEqual([...files].sort());
    expect(new Set(files)).toEqual(new Set(['dir/a.yaml', 'dir/b.yaml']));

    const good = await ws.run(['validate', 'dir/ok.yaml']);
    expect(good.code).toBe(0);
    expect(good.stdout).toBe('');
    expect(good.stderr).toBe('No problems found.\n');
  });

  it('passes the built-in runbooks', async () => {
    const ws = workspace();
    const r = await ws.run(['validate']);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });
});
