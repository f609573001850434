// Streaming over SSH: a step printing N lines (default 30,000,000, about 230 MB) on a simulated
// host, run headless as a whole stepwise process with its journal written and stdout to a file,
// against OpenSSH's client doing `ssh host 'seq 1 N' > file`. Goal: ≤ 1.3×.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchCluster, cli, median, sshOptions, time } from './ssh-common.js';

const lines = Number(process.env.BENCH_LINES ?? 30_000_000);
const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const cluster = await benchCluster(1);
try {
  const host = cluster.hosts[0];
  const rb = join(cluster.dir, 'rb');
  mkdirSync(join(rb, 'bench'), { recursive: true });
  writeFileSync(
    join(rb, 'bench', 'ssh-stream.yaml'),
    `title: Stream over SSH\nsystem: bench\nsummary: Prints many lines on a host.\nsource: { document: none }\nroles:\n  cluster: { description: the host }\nsteps:\n  - id: stream\n    title: Print lines\n    explain: Prints ${lines} lines.\n    on: cluster\n    run: seq 1 ${lines}\n    risk: read-only\n`,
  );
  const out = join(cluster.dir, 'out.txt');
  const base = [];
  const ours = { json: [], plain: [] };
  for (let i = 0; i < repeats; i++) {
    base.push(
      await time(
        `exec ssh "$@" 'seq 1 ${lines}' > '${out}'`,
        ['sh', ...sshOptions(cluster), '-p', String(host.port), `root@${host.address}`].slice(1),
      ),
    );
    for (const mode of ['json', 'plain']) {
      const env = { ...process.env, STEPWISE_HOME: join(cluster.dir, `home-${mode}-${i}`) };
      ours[mode].push(
        await time(
          `exec "$@" > '${out}'`,
          [
            process.execPath,
            cli,
            '--runbooks',
            rb,
            'run',
            'bench/ssh-stream',
            '-i',
            cluster.inventory,
            '--known-hosts',
            cluster.knownHosts,
            `--${mode}`,
          ],
          env,
        ),
      );
    }
  }
  const b = median(base);
  console.log(`ssh streaming, ${lines} lines, median of ${repeats}`);
  console.log(`  baseline  ssh host 'seq 1 ${lines}' > file`.padEnd(56), `${b.toFixed(2)} s`);
  for (const mode of ['json', 'plain']) {
    const s = median(ours[mode]);
    console.log(
      `  stepwise  run --${mode} > file, journal written`.padEnd(56),
      `${s.toFixed(2)} s`,
    );
    console.log(`    ratio ${(s / b).toFixed(2)}× (goal ≤ 1.3×)`);
  }
} finally {
  await cluster.stop();
  rmSync(cluster.dir, { recursive: true, force: true });
}
