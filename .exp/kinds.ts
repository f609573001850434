import { z } from 'zod';
import { runbookProblems } from '../src/runbook/load.ts';
import { formatProblem } from '../src/runbook/problem.ts';

const kinds = new Map([
  [
    'test.port-open',
    {
      name: 'test.port-open',
      description: 'x',
      args: z.strictObject({ port: z.number().int(), note: z.string().optional() }),
      run: async () => [],
    },
  ],
]);
for (const f of process.argv.slice(2)) {
  console.log('==', f);
  for (const p of await runbookProblems(f, { kinds } as any)) console.log(formatProblem(p));
}
