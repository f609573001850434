import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderRunbookJsonSchema, runbookJsonSchema } from '../../src/runbook/json-schema.ts';

describe('runbooks/schema.json', () => {
  it('is up to date with the zod schema (run `npm run schema`)', async () => {
    const committed = await readFile(
      new URL('../../runbooks/schema.json', import.meta.url),
      'utf8',
    );
    expect(committed).toBe(renderRunbookJsonSchema());
  });

  it('describes the input: fields with defaults are optional', () => {
    const step = (
      runbookJsonSchema as { properties: { steps: { items: Record<string, unknown> } } }
    ).properties.steps.items;
    expect(step.required).toEqual(['id', 'title', 'explain', 'risk']);
    expect(step.additionalProperties).toBe(false);
  });
});
