// Time from process start to the end of `stepwise list` (the CLI's import and runbook loading
// cost), against node running an empty script. Median of N runs, measured in the same session.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.env.BENCH_REPEATS ?? 15);
// Another build's stepwise.js may be given, to compare.
const cli = process.argv[2]
  ? resolve(process.argv[2])
  : fileURLToPath(new URL('../dist/stepwise.js', import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(args) {
  const xs = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
    xs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(xs);
}
const base = time(['-e', '0']);
const list = time([cli, 'list']);
console.log(`startup, median of ${runs}`);
console.log(`  baseline  node -e 0          ${base.toFixed(0)} ms`);
console.log(`  stepwise  list               ${list.toFixed(0)} ms`);
console.log(`  ratio     ${(list / base).toFixed(1)}×`);
