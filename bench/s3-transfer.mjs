// S3 throughput: upload and download of one file (1 GiB by default; S3_BENCH_MB=200 for a quick
// run) to a local s3rver, by `stepwise s3 cp` against Debian's s3cmd on the same file and the
// same server. Prints the times, the throughputs, the ratio (goal: stepwise ≥ 1.5× s3cmd, from
// parallel parts; the download runs as one GET, the default from a custom endpoint, and as
// parallel ranged GETs with the upload's part size and concurrency) and
// stepwise's peak RSS during each transfer (goal: ≤ 200 MB for 1 GiB), and each tool's CPU time
// (user + sys, from GNU time): on a shared machine the wall times swing with the load, the CPU
// spent per byte much less. Uploads and one-GET downloads run twice per tool, in mirrored order
// (times are means; CPU means; RSS the highest).
// s3rver is a single Node process that writes every part to disk and then concatenates the
// parts on completion, so it often limits both tools: the CPU s3rver itself spent on each
// transfer is printed too (from /proc), and when it is close to the wall time the server, not
// the client, set the pace.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const mb = Number(process.env.S3_BENCH_MB ?? 1024);
const partSize = process.env.S3_BENCH_PART_SIZE ?? '8MiB';
const concurrency = process.env.S3_BENCH_CONCURRENCY ?? '4';
const cli = fileURLToPath(new URL('../dist/stepwise.js', import.meta.url));
const launcher = fileURLToPath(new URL('../fixtures/s3/s3rver-process.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'stepwise-s3-bench-'));

const s3cmd = ['/usr/bin/s3cmd', '/usr/local/bin/s3cmd'].find(existsSync);
if (!s3cmd) {
  console.log('s3-transfer: s3cmd is not installed (apt-get install s3cmd); skipped');
  process.exit(0);
}
const gnuTime = ['/usr/bin/time'].find(
  (t) => existsSync(t) && spawnSync(t, ['-f', '%M', 'true'], { stdio: 'ignore' }).status === 0,
);

const server = spawn(process.execPath, [launcher, join(dir, 'store')], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const port = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = /port=(\d+)/.exec(out);
    if (m) resolve(Number(m[1]));
  });
  server.once('exit', () => reject(new Error('s3rver did not start')));
});
const endpoint = `http://127.0.0.1:${port}`;
const cleanup = () => {
  server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanup);

const s3cfg = join(dir, 's3cfg');
writeFileSync(
  s3cfg,
  [
    '[default]',
    'access_key = S3RVER',
    'secret_key = S3RVER',
    `host_base = 127.0.0.1:${port}`,
    `host_bucket = 127.0.0.1:${port}`,
    'use_https = False',
    'signature_v2 = False',
    '',
  ].join('\n'),
);
const env = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_ENDPOINT_URL_S3: endpoint,
  STEPWISE_HOME: join(dir, 'home'),
};

const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
/** s3rver's CPU time so far (user + sys, seconds), or undefined off Linux. */
function serverCpu() {
  try {
    const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticks;
  } catch {
    return undefined;
  }
}

/**
 * Runs a command; resolves to its wall time (s), peak RSS (KiB), CPU time (s, if known) and
 * the CPU time s3rver spent meanwhile.
 */
async function measure(file, args) {
  const serverBefore = serverCpu();
  const rssFile = join(dir, 'rss.txt');
  const [cmd, argv] = gnuTime
    ? [gnuTime, ['-f', '%M %U %S', '-o', rssFile, file, ...args]]
    : [file, args];
  const t = process.hrtime.bigint();
  const child = spawn(cmd, argv, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  let peak = 0;
  const poll = gnuTime
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) peak = Math.max(peak, Number(m[1]));
        } catch {}
      }, 5);
  const code = await new Promise((resolve) => child.on('close', resolve));
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (poll) clearInterval(poll);
  if (code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${code}`);
  const [rss, user, sys] = gnuTime
    ? readFileSync(rssFile, 'utf8').trim().split(/\s+/).map(Number)
    : [];
  const serverAfter = serverCpu();
  return {
    seconds,
    rssKiB: rss ?? peak,
    cpu: user === undefined ? undefined : user + sys,
    server: serverBefore === undefined ? undefined : serverAfter - serverBefore,
  };
}

async function md5(path) {
  const h = createHash('md5');
  for await (const chunk of createReadStream(path)) h.update(chunk);
  return h.digest('hex');
}

const file = join(dir, 'payload.bin');
spawnSync('sh', ['-c', `head -c ${mb * 1024 * 1024} /dev/urandom > '${file}'`]);
const sum = await md5(file);
const s3cmdArgs = ['-c', s3cfg, '--no-progress', '--quiet'];
await measure(s3cmd, [...s3cmdArgs, 'mb', 's3://bench']);

const runs = {
  's3cmd put': () => measure(s3cmd, [...s3cmdArgs, 'put', file, 's3://bench/s3cmd.bin']),
  'stepwise s3 cp (upload)': () =>
    measure(process.execPath, [
      cli,
      's3',
      'cp',
      file,
      's3://bench/stepwise.bin',
      '--no-progress',
      '--part-size',
      partSize,
      '--concurrency',
      concurrency,
    ]),
  's3cmd get': () =>
    measure(s3cmd, [
      ...s3cmdArgs,
      'get',
      '--force',
      's3://bench/s3cmd.bin',
      join(dir, 's3cmd.out'),
    ]),
  // The default from a custom endpoint: one streamed GET.
  'stepwise s3 cp (download)': () =>
    measure(process.execPath, [
      cli,
      's3',
      'cp',
      's3://bench/stepwise.bin',
      join(dir, 'stepwise.out'),
      '--no-progress',
    ]),
  // Parallel ranged GETs, asked for with the upload's part size and concurrency.
  'stepwise s3 cp (download, ranged)': () =>
    measure(process.execPath, [
      cli,
      's3',
      'cp',
      's3://bench/stepwise.bin',
      join(dir, 'stepwise-ranged.out'),
      '--no-progress',
      '--part-size',
      partSize,
      '--concurrency',
      concurrency,
    ]),
};
// Each pair runs as s3cmd, stepwise, stepwise, s3cmd: whichever tool goes first on this VM
// gets its page-cache pages cheaper (measured: the first download of two was 15–20% faster
// whichever tool it was), and the machine's load drifts; the mirrored order cancels both.
// Each download writes a new file, as the first one did.
const order = [
  's3cmd put',
  'stepwise s3 cp (upload)',
  'stepwise s3 cp (upload)',
  's3cmd put',
  's3cmd get',
  'stepwise s3 cp (download)',
  'stepwise s3 cp (download)',
  's3cmd get',
  'stepwise s3 cp (download, ranged)',
];
const outputs = {
  's3cmd get': 's3cmd.out',
  'stepwise s3 cp (download)': 'stepwise.out',
  'stepwise s3 cp (download, ranged)': 'stepwise-ranged.out',
};
const all = {};
for (const name of order) {
  if (outputs[name]) rmSync(join(dir, outputs[name]), { force: true });
  const result = await runs[name]();
  all[name] = [...(all[name] ?? []), result];
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** The runs of one transfer combined: mean times, the highest RSS, and each run's time. */
const results = Object.fromEntries(
  Object.entries(all).map(([name, rs]) => [
    name,
    {
      seconds: mean(rs.map((r) => r.seconds)),
      each: rs.map((r) => r.seconds),
      rssKiB: Math.max(...rs.map((r) => r.rssKiB)),
      cpu: rs[0].cpu === undefined ? undefined : mean(rs.map((r) => r.cpu)),
      server: rs[0].server === undefined ? undefined : mean(rs.map((r) => r.server)),
    },
  ]),
);
for (const out of ['s3cmd.out', 'stepwise.out', 'stepwise-ranged.out']) {
  if ((await md5(join(dir, out))) !== sum) throw new Error(`${out} differs from the uploaded file`);
}

const rate = (r) => `${(mb / r.seconds).toFixed(0)} MiB/s`;
console.log(
  `s3-transfer: ${mb} MiB to and from s3rver at ${endpoint} (parts ${partSize} × ${concurrency})`,
);
for (const [base, ours] of [
  ['s3cmd put', 'stepwise s3 cp (upload)'],
  ['s3cmd get', 'stepwise s3 cp (download)'],
  ['s3cmd get', 'stepwise s3 cp (download, ranged)'],
]) {
  const b = results[base];
  const s = results[ours];
  const cpu = (r) =>
    (r.cpu === undefined ? '' : `  CPU ${r.cpu.toFixed(2)} s`) +
    (r.server === undefined ? '' : `  s3rver CPU ${r.server.toFixed(2)} s`);
  const each = (r) => (r.each.length > 1 ? ` (${r.each.map((x) => x.toFixed(2)).join(', ')})` : '');
  console.log(
    `  baseline  ${base}`.padEnd(48),
    `${b.seconds.toFixed(2)} s${each(b)}  ${rate(b)}${cpu(b)}`,
  );
  console.log(
    `  stepwise  ${ours}`.padEnd(48),
    `${s.seconds.toFixed(2)} s${each(s)}  ${rate(s)}${cpu(s)}`,
  );
  const rss = s.rssKiB > 0 ? `${(s.rssKiB / 1024).toFixed(0)} MB` : 'unknown';
  console.log(
    `    throughput ratio ${(b.seconds / s.seconds).toFixed(2)}× s3cmd (goal ≥ 1.5×), peak RSS ${rss} (goal ≤ 200 MB)`,
  );
}
console.log('  every download was checked byte for byte (MD5) against the file');
console.log(
  `  load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
);
// The server's pipes would keep this process alive.
process.exit(0);
