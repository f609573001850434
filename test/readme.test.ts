/** Keeps the README true: its runbook example is valid, and its commands exist. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../src/runbook/load.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('has a runbook example that validates', () => {
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const runbook = blocks.find((b) => b.includes('steps:'));
    expect(runbook).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'readme-'));
    mkdirSync(join(dir, 'loom'));
    const file = join(dir, 'loom', 'example.yaml');
    writeFileSync(file, runbook!);
    const parsed = parseRunbook(runbook!, file);
    expect(parsed.ok ? [] : parsed.problems).toEqual([]);
  });

  it('gives the two commands, demo first', () => {
    const demo = readme.indexOf('npm ci && npm run demo');
    const tests = readme.indexOf('npm ci && npm test');
    expect(demo).toBeGreaterThan(0);
    expect(tests).toBeGreaterThan(demo);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(Object.keys(pkg.scripts)).toEqual(
      expect.arrayContaining(['demo', 'test', 'bench', 'build']),
    );
  });
});
