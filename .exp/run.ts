import { runbookProblems } from '../src/runbook/load.ts';
import { formatProblem } from '../src/runbook/problem.ts';

for (const f of process.argv.slice(2))
  for (const p of await runbookProblems(f)) console.log(formatProblem(p));
