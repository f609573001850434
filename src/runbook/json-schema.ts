/**
 * The JSON Schema of the runbook format, generated from the zod schema so editors can complete
 * and check runbooks. It describes the input side: fields with defaults are optional.
 */
import { z } from 'zod';
import { runbookSchema } from './schema.ts';

/** The runbook format as JSON Schema (draft 2020-12). */
export const runbookJsonSchema: Record<string, unknown> = {
  ...z.toJSONSchema(runbookSchema, { io: 'input' }),
  title: 'stepwise runbook',
};

/** The text of `runbooks/schema.json`: pretty-printed, with a trailing newline. */
export function renderRunbookJsonSchema(): string {
  return `${JSON.stringify(runbookJsonSchema, null, 2)}\n`;
}
