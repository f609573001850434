// A step printing 1,000,000 lines in the TUI, in tmux at 120×40: how long it takes, how fast a
// key is answered while it streams (goal ≤ 100 ms), and the process's peak RSS (goal ≤ 200 MB).
// Baseline: the same shell script writing to /dev/null.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const lines = Number(process.env.BENCH_LINES ?? 1_000_000);
const chunks = 20;
const cli = fileURLToPath(new URL('../dist/stepwise.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-tui-'));
// Paced in chunks, so there is a stream going on long enough to press keys into.
const script = `for i in $(seq 1 ${chunks}); do seq 1 ${lines / chunks}; sleep 0.1; done`;
mkdirSync(join(dir, 'rb', 'bench'), { recursive: true });
writeFileSync(
  join(dir, 'rb', 'bench', 'tui-stream.yaml'),
  `title: Stream output in the TUI
system: bench
summary: Prints many lines.
source: { document: none }
steps:
  - id: stream
    title: Print lines
    explain: Prints ${lines} lines.
    run: "${script}"
    risk: read-only
`,
);

const sock = join(dir, 'sock');
const tmux = (...args) => execFileSync('tmux', ['-S', sock, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(re, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = screen();
    if (re.test(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}:\n${s}`);
    await sleep(5);
  }
}

const t0 = process.hrtime.bigint();
spawnSync('sh', ['-c', `${script} > /dev/null`]);
const baseline = Number(process.hrtime.bigint() - t0) / 1e9;

const q = (s) => `'${s.replaceAll("'", `'\\''`)}'`;
tmux(
  '-f',
  '/dev/null',
  'new-session',
  '-d',
  '-x',
  '120',
  '-y',
  '40',
  `exec env STEPWISE_HOME=${q(join(dir, 'home'))} ${q(process.execPath)} ${q(cli)} --runbooks ${q(join(dir, 'rb'))} run bench/tui-stream`,
);
let result;
try {
  const pid = Number(tmux('display', '-p', '#{pane_pid}').trim());
  await waitFor(/Print lines/);
  // No inventory: the first Enter leaves the inventory field, the second starts.
  tmux('send-keys', 'Enter');
  await sleep(200);
  tmux('send-keys', 'Enter');
  const start = process.hrtime.bigint();
  await waitFor(/· \d+ lines/);
  // Keys while it streams: `?` opens the help, any key closes it.
  const latencies = [];
  for (let i = 0; i < 5; i++) {
    const k = process.hrtime.bigint();
    tmux('send-keys', '?');
    const s = await waitFor(/Keys|succeeded/);
    if (/succeeded/.test(s) && !/Keys/.test(s)) break;
    latencies.push(Number(process.hrtime.bigint() - k) / 1e6);
    tmux('send-keys', 'x');
    await waitFor(/Print lines/);
  }
  await waitFor(/Report: stepwise report/);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  result = { seconds, latencies, rssMB: hwm / 1024 };
} finally {
  spawnSync('tmux', ['-S', sock, 'kill-server']);
  rmSync(dir, { recursive: true, force: true });
}
const maxKey = Math.max(...result.latencies);
console.log(`TUI streaming ${lines.toLocaleString('en')} lines (tmux 120×40)`);
console.log(`  baseline sh to /dev/null: ${baseline.toFixed(2)} s`);
console.log(
  `  stepwise TUI, Enter to summary: ${result.seconds.toFixed(2)} s (ratio ${(result.seconds / baseline).toFixed(2)}×)`,
);
console.log(
  `  key answered while streaming: ${result.latencies.map((l) => l.toFixed(0)).join(', ')} ms (max ${maxKey.toFixed(0)}, goal ≤ 100; includes tmux polling)`,
);
console.log(`  peak RSS: ${result.rssMB.toFixed(0)} MB (goal ≤ 200 MB)`);
process.exit(result.latencies.length > 0 && maxKey <= 100 && result.rssMB <= 200 ? 0 : 1);
