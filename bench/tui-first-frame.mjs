// Time from process start to the first frame of the TUI's home screen, in a real pseudo-terminal
// (util-linux `script`), against the same terminal running `node -e 0`. Goal: ≤ 250 ms median.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repeats = Number(process.env.BENCH_REPEATS ?? 9);
const cli = fileURLToPath(new URL('../dist/stepwise.js', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'stepwise-bench-ff-'));

const q = (s) => `'${s.replaceAll("'", `'\\''`)}'`;

/** Starts `argv` under a pty; resolves with ms until `marker` shows in its output (or it exits). */
function timeTo(argv, marker) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn('script', ['-qfec', argv.map(q).join(' '), '/dev/null'], {
      env: {
        ...process.env,
        STEPWISE_HOME: home,
        TERM: 'xterm-256color',
        COLUMNS: '100',
        LINES: '30',
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
      if (marker && out.includes(marker)) finish();
    });
    child.on('error', reject);
    child.on('close', () =>
      marker && !done ? reject(new Error(`no "${marker}" in:\n${out}`)) : finish(),
    );
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = [];
const tui = [];
for (let i = 0; i < repeats; i++) {
  base.push(await timeTo([process.execPath, '-e', '0'], null));
  tui.push(await timeTo([process.execPath, cli], 'Filter:'));
}
rmSync(home, { recursive: true, force: true });
const b = median(base);
const f = median(tui);
console.log('TUI first frame (home), median of', repeats, 'in a pty');
console.log(`  baseline node -e 0:   ${b.toFixed(0)} ms`);
console.log(`  stepwise first frame: ${f.toFixed(0)} ms (goal ≤ 250 ms)`);
console.log(`  ratio:                ${(f / b).toFixed(2)}×`);
process.exit(f <= 250 ? 0 : 1);
