/** Every runbook stepwise ships loads with the real check kinds and step actions, problem-free. */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { validatePaths } from '../../src/runbook/validate.ts';

const dir = fileURLToPath(new URL('../../runbooks', import.meta.url));

it('finds nothing wrong with the shipped runbooks', async () => {
  const problems = await validatePaths([dir], []);
  expect(problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`)).toEqual([]);
});

it('ships runbooks for the systems the demo offers', () => {
  const systems = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  expect(systems.sort()).toEqual(['alien4cloud', 'loom']);
});
