import { readFileSync } from 'node:fs';
import { parseRunbook } from '../src/runbook/load.ts';

const r = parseRunbook(readFileSync(process.argv[2]!), process.argv[2]!);
console.log(JSON.stringify(r, null, 1).slice(0, 1500));
