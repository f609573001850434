import { z } from 'zod';
import { runbookSchema } from '/work/main/src/runbook/schema.ts';

const base = { title: 't', system: 's', summary: 's', source: { document: 'd' } };
const cases: unknown[] = [
  {
    ...base,
    steps: [{ id: 'a', title: 't', explain: 'e', run: 'x', risk: 'bad', foo: 1, bar: 2 }],
  },
  { ...base, steps: [{ id: 'a', title: 't', explain: 'e', run: 'x' }] },
  {
    ...base,
    steps: [
      {
        id: 'a',
        title: 't',
        explain: 'e',
        run: 'x',
        risk: 'changes',
        on: { role: 'x', bogus: 1 },
        timeout: '10x',
      },
    ],
  },
  {
    ...base,
    steps: [{ id: 'a', title: 't', explain: 'e', run: 'x', risk: 'changes', on: 5, timeout: -3 }],
  },
  {
    ...base,
    roles: { 'Bad-Key': { description: 'x' } },
    steps: [{ id: 'A', title: '', explain: 'e', risk: 'changes' }],
  },
  { ...base, format: 2, steps: [] },
  null,
  {
    ...base,
    steps: [
      {
        id: 'a',
        title: 't',
        explain: 'e',
        run: 'x',
        risk: 'changes',
        timeout: true,
        verify: [{ run: 'x', expect: { exit: 1.5, number: {} } }],
      },
    ],
  },
];
for (const c of cases) {
  const r = runbookSchema.safeParse(c);
  console.log(JSON.stringify(r.error?.issues, null, 1));
}
console.log(JSON.stringify(z.toJSONSchema(runbookSchema, { io: 'input' })).slice(0, 600));
