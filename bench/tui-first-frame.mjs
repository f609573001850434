// Time from process start to the first frame of the TUI's home screen, in a real pseudo-terminal
// (util-linux `script`), against the same terminal running `node -e 0`. Goal: ≤ 250 ms median.
//
// The frame counts once the home screen shows its runbooks (the built-in loom/restore), not just
// its header. Two states of Node's compile cache (which dist/stepwise.js turns on):
//   warm: the cache holds the bundle's bytecode, as on every start after the first;
//   cold: an empty cache directory each time, as on the first start after installing.
// The goal applies to the warm start; the cold one is printed for comparison.
//
// Usage: node bench/tui-first-frame.mjs [path/to/stepwise.js]   (default: dist/stepwise.js)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repeats = Number(process.env.BENCH_REPEATS ?? 9);
const cli = process.argv[2]
  ? resolve(process.argv[2])
  : fileURLToPath(new URL('../dist/stepwise.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'stepwise-bench-ff-'));
const home = join(scratch, 'home');
const warmCache = join(scratch, 'cache-warm');

const q = (s) => `'${s.replaceAll("'", `'\\''`)}'`;

/** The home screen with its runbooks: the filter line and the built-in runbook's row. */
const homeShown = (out) => out.includes('Filter:') && out.includes('restore');

/** Starts `argv` under a pty; resolves with ms until `shown(output)` (or, without it, exit). */
function timeTo(argv, shown, env = {}) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn('script', ['-qfec', argv.map(q).join(' '), '/dev/null'], {
      env: {
        ...process.env,
        STEPWISE_HOME: home,
        TERM: 'xterm-256color',
        COLUMNS: '100',
        LINES: '30',
        ...env,
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolve(Number(process.hrtime.bigint() - t) / 1e6);
      child.kill('SIGKILL');
    };
    child.stdout.on('data', (d) => {
      out += d.toString();
      if (shown?.(out)) finish();
    });
    child.on('error', reject);
    child.on('close', () =>
      shown && !done ? reject(new Error(`no home screen in:\n${out}`)) : finish(),
    );
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = [];
const warm = [];
const cold = [];
// Fills the warm cache (and the state home) before measuring.
await timeTo([process.execPath, cli], homeShown, { NODE_COMPILE_CACHE: warmCache });
for (let i = 0; i < repeats; i++) {
  base.push(await timeTo([process.execPath, '-e', '0'], null));
  warm.push(await timeTo([process.execPath, cli], homeShown, { NODE_COMPILE_CACHE: warmCache }));
  const empty = join(scratch, `cache-cold-${i}`);
  cold.push(await timeTo([process.execPath, cli], homeShown, { NODE_COMPILE_CACHE: empty }));
}
rmSync(scratch, { recursive: true, force: true });
const b = median(base);
const w = median(warm);
const c = median(cold);
console.log('TUI first frame (home screen with its runbooks), median of', repeats, 'in a pty');
console.log(`  baseline node -e 0:              ${b.toFixed(0)} ms`);
console.log(`  stepwise, warm compile cache:    ${w.toFixed(0)} ms (goal ≤ 250 ms)`);
console.log(`  stepwise, cold compile cache:    ${c.toFixed(0)} ms`);
console.log(`  ratio warm / baseline:           ${(w / b).toFixed(2)}×`);
console.log(`  ratio cold / baseline:           ${(c / b).toFixed(2)}×`);
process.exit(w <= 250 ? 0 : 1);
