import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validatePaths } from '../../src/runbook/validate.ts';
import { fixture, testKinds } from './helpers.ts';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'stepwise-validate-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const minimal = `title: T
system: s
summary: S
source: { document: d }
steps:
  - id: a
    title: A
    explain: E
    run: echo {{ missing }}
    risk: read-only
`;

describe('validatePaths', () => {
  it('finds nothing wrong with good runbooks', async () => {
    expect(await validatePaths([fixture('demo')], [], { kinds: testKinds })).toEqual([]);
  });

  it('searches folders recursively for .yaml and .yml files', async () => {
    await mkdir(join(tmp, 'x/deeper'), { recursive: true });
    await writeFile(join(tmp, 'x/deeper/one.yml'), minimal);
    await writeFile(join(tmp, 'x/two.yaml'), minimal.replace('echo', 'true; echo'));
    await writeFile(join(tmp, 'x/schema.json'), '{');
    await writeFile(join(tmp, 'x/notes.txt'), 'not yaml');
    const problems = await validatePaths([join(tmp, 'x')], []);
    // Files outside the working directory keep their absolute path.
    const name = (p: string) => join(tmp, p);
    expect(problems.map((p) => [p.file, p.line, p.col])).toEqual([
      [name('x/deeper/one.yml'), 9, 10],
      [name('x/two.yaml'), 9, 10],
    ]);
    expect(problems[0]?.message).toContain('unknown variable {{ missing }}');
  });

  it('reports every problem of every file named', async () => {
    const problems = await validatePaths(
      [fixture('broken/references.yaml'), fixture('broken/regexes.yaml')],
      [],
    );
    expect(problems).toHaveLength(12);
    expect(new Set(problems.map((p) => p.file.split('/').at(-1)))).toEqual(
      new Set(['references.yaml', 'regexes.yaml']),
    );
  });

  it('validates every discovered runbook when no path is given', async () => {
    await mkdir(join(tmp, 'demo'), { recursive: true });
    await writeFile(join(tmp, 'demo/broken.yaml'), minimal);
    const problems = await validatePaths([], [tmp]);
    expect(problems.map((p) => `${p.line}:${p.col}`)).toEqual(['9:10']);
  });

  it('names a path that does not exist', async () => {
    await expect(validatePaths([join(tmp, 'nope.yaml')], [])).rejects.toThrow(
      `no such file or folder: ${join(tmp, 'nope.yaml')}`,
    );
  });
});
