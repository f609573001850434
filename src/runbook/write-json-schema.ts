/**
 * Writes `runbooks/schema.json` from the zod schema: `npm run schema`, which runs this file with
 * Node's built-in type stripping. A test fails when the committed file is out of date.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderRunbookJsonSchema } from './json-schema.ts';

const target = fileURLToPath(new URL('../../runbooks/schema.json', import.meta.url));
await writeFile(target, renderRunbookJsonSchema());
process.stderr.write(`wrote ${target}\n`);
