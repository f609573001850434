// Streaming through stepwise: a local step that prints N lines, run headless as a whole process
// with its journal written, against the shell writing the same output to a file. Prints both
// times and the ratio (the goal for the SSH transport is ≤ 1.3× its OpenSSH baseline).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const lines = Number(process.env.BENCH_LINES ?? 3_000_000);
const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const cli = fileURLToPath(new URL('../dist/stepwise.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-'));
mkdirSync(join(dir, 'rb', 'bench'), { recursive: true });
writeFileSync(
  join(dir, 'rb', 'bench', 'stream.yaml'),
  `title: Stream output
system: bench
summary: Prints many lines.
source: { document: none }
steps:
  - id: stream
    title: Print lines
    explain: Prints ${lines} lines.
    run: seq 1 ${lines}
    risk: read-only
`,
);

function time(fn) {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const base = [];
const ours = [];
for (let i = 0; i < repeats; i++) {
  base.push(time(() => spawnSync('sh', ['-c', `seq 1 ${lines} > ${join(dir, 'out.txt')}`])));
  ours.push(
    time(() => {
      const r = spawnSync(
        process.execPath,
        [cli, '--runbooks', join(dir, 'rb'), 'run', 'bench/stream', '--json'],
        {
          env: { ...process.env, STEPWISE_HOME: join(dir, `home-${i}`) },
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
      if (r.status !== 0) throw new Error(`stepwise exited ${r.status}`);
    }),
  );
}
rmSync(dir, { recursive: true, force: true });
const b = median(base);
const o = median(ours);
console.log(`local streaming, ${lines} lines, median of ${repeats}`);
console.log(`  baseline  sh -c 'seq 1 ${lines} > file'     ${b.toFixed(2)} s`);
console.log(`  stepwise  run --json, journal written        ${o.toFixed(2)} s`);
console.log(`  ratio     ${(o / b).toFixed(1)}×`);
