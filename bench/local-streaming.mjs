// Streaming through stepwise: a local step that prints N lines, run headless as a whole process
// with its journal written and its stdout going to a file, once with `--json` and once with
// `--plain`, against the shell writing the same output to a file. Prints the times, the ratios
// (the goal for the SSH transport is ≤ 1.3× its OpenSSH baseline) and stepwise's peak RSS (the
// TUI's budget is 200 MB for 1,000,000 lines, so memory must not grow with the output).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** GNU time reports the peak RSS of what it runs; without it, /proc is polled while it runs. */
const gnuTime = ['/usr/bin/time'].find(
  (t) => existsSync(t) && spawnSync(t, ['-f', '%M', 'true'], { stdio: 'ignore' }).status === 0,
);

/** Runs `sh -c script`; resolves to its wall time (s) and the peak RSS (KiB) of what it execs. */
async function measure(script, args = [], env = process.env) {
  const rssFile = join(dir, 'rss.txt');
  const argv = ['-c', script, ...args];
  const [file, fileArgs] = gnuTime
    ? [gnuTime, ['-f', '%M', '-o', rssFile, 'sh', ...argv]]
    : ['sh', argv];
  const t = process.hrtime.bigint();
  const child = spawn(file, fileArgs, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  let peak = 0;
  const poll = gnuTime
    ? undefined
    : setInterval(() => {
        // VmHWM is the high-water mark, so the last reading before exit is (almost) the peak.
        const m = /VmHWM:\s+(\d+)/.exec(readProc(child.pid));
        if (m) peak = Math.max(peak, Number(m[1]));
      }, 5);
  const code = await new Promise((resolve) => child.on('close', resolve));
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (poll) clearInterval(poll);
  if (code !== 0) throw new Error(`${script} ${args.join(' ')} exited ${code}`);
  return { seconds, rssKiB: gnuTime ? Number(readFileSync(rssFile, 'utf8').trim()) : peak };
}

function readProc(pid) {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** stepwise with stdout straight to a file, as `stepwise run … > file` has it. */
function stepwise(mode, i) {
  const args = [cli, '--runbooks', join(dir, 'rb'), 'run', 'bench/stream', `--${mode}`];
  const env = { ...process.env, STEPWISE_HOME: join(dir, `home-${mode}-${i}`) };
  // `exec` so that what is measured (and its RSS) is stepwise itself, not the shell.
  return measure(
    `exec "$0" "$@" > '${join(dir, `out-${mode}.txt`)}'`,
    [process.execPath, ...args],
    env,
  );
}

const base = [];
const runs = { json: [], plain: [] };
for (let i = 0; i < repeats; i++) {
  base.push((await measure(`seq 1 ${lines} > '${join(dir, 'out.txt')}'`)).seconds);
  for (const mode of ['json', 'plain']) runs[mode].push(await stepwise(mode, i));
}
rmSync(dir, { recursive: true, force: true });

const b = median(base);
console.log(`local streaming, ${lines} lines, median of ${repeats}`);
console.log(`  baseline  sh -c 'seq 1 ${lines} > file'`.padEnd(50), `${b.toFixed(2)} s`);
for (const mode of ['json', 'plain']) {
  const s = median(runs[mode].map((r) => r.seconds));
  const peak = Math.max(...runs[mode].map((r) => r.rssKiB));
  const rss = peak > 0 ? `${(peak / 1024).toFixed(0)} MB` : 'unknown';
  console.log(`  stepwise  run --${mode} > file, journal written`.padEnd(50), `${s.toFixed(2)} s`);
  console.log(`    ratio ${(s / b).toFixed(1)}×, peak RSS ${rss} (TUI: ≤ 200 MB at 1M lines)`);
}
