// Fan-out over SSH: the same read-only step on 50 simulated hosts against 1 host, whole stepwise
// processes (connect, preflight, step, journal). Goal: 50 hosts ≤ 3× one host.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchCluster, cli, median, time } from './ssh-common.js';

const count = Number(process.env.BENCH_HOSTS ?? 50);
const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const forks = process.env.BENCH_FORKS;
const cluster = await benchCluster(count);
try {
  const rb = join(cluster.dir, 'rb');
  mkdirSync(join(rb, 'bench'), { recursive: true });
  writeFileSync(
    join(rb, 'bench', 'ssh-fan.yaml'),
    `title: Fan out\nsystem: bench\nsummary: One check on every host.\nsource: { document: none }\nroles:\n  cluster: { description: the hosts }\nsteps:\n  - id: probe\n    title: Probe\n    explain: Reads the host name and uptime.\n    on: cluster\n    run: hostname; cat /proc/uptime\n    risk: read-only\n`,
  );
  const one = join(cluster.dir, 'one.yml');
  const h = cluster.hosts[0];
  writeFileSync(
    one,
    `all:\n  vars:\n    ansible_user: root\n    ansible_ssh_private_key_file: ${cluster.keyFile}\n  children:\n    cluster:\n      hosts:\n        ${h.name}: { ansible_host: ${h.address}, ansible_port: ${h.port} }\n`,
  );
  const run = (inventory, i) =>
    time(
      `exec "$@" > /dev/null`,
      [
        process.execPath,
        cli,
        '--runbooks',
        rb,
        'run',
        'bench/ssh-fan',
        '-i',
        inventory,
        '--known-hosts',
        cluster.knownHosts,
        '--plain',
        ...(forks ? ['--forks', forks] : []),
      ],
      { ...process.env, STEPWISE_HOME: join(cluster.dir, `home-${i}`) },
    );
  const single = [];
  const all = [];
  for (let i = 0; i < repeats; i++) {
    single.push(await run(one, `1-${i}`));
    all.push(await run(cluster.inventory, `n-${i}`));
  }
  const a = median(single);
  const b = median(all);
  console.log(
    `ssh fan-out, ${count} hosts vs 1, forks ${forks ?? 'default (10)'}, median of ${repeats}`,
  );
  console.log('  baseline  stepwise run, 1 host'.padEnd(56), `${a.toFixed(2)} s`);
  console.log(`  stepwise  run, ${count} hosts`.padEnd(56), `${b.toFixed(2)} s`);
  console.log(`    ratio ${(b / a).toFixed(2)}× (goal ≤ 3×)`);
} finally {
  await cluster.stop();
  rmSync(cluster.dir, { recursive: true, force: true });
}
