/** Shared helpers for the runbook tests: fixture paths and problems without the file prefix. */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { CheckKind } from '../../src/engine/checks/kind.ts';
import { type LoadOptions, runbookProblems } from '../../src/runbook/load.ts';

/** Absolute path of a file under test/runbook/fixtures. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** A check kind for tests: a port and an optional note. */
export const portOpen: CheckKind<{ port: number; note?: string | undefined }> = {
  name: 'test.port-open',
  description: 'A port accepts connections.',
  args: z.strictObject({ port: z.number().int(), note: z.string().optional() }),
  run: async () => [],
};

export const testKinds: LoadOptions['kinds'] = new Map([
  [portOpen.name, portOpen as CheckKind<unknown>],
]);

/** `line:col: message` for every problem of a fixture, in order. */
export async function problemLines(name: string, options: LoadOptions = { kinds: testKinds }) {
  const problems = await runbookProblems(fixture(name), options);
  return problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
}
