// Connecting a run's SSH hosts (ssh -G resolution + handshakes, as `connectHosts` does before the
// preflight) for 50 simulated hosts, in-process. Baseline: one Node spawn of `ssh -G` per host,
// every handshake at once (the behaviour before batching). Figures: `ssh -G` batched through a
// few shells, every handshake at once and capped at --forks 10 (the default); and what a run
// does when no ssh config could change anything (no ~/.ssh/config here, a system config like
// Debian's): ssh -G skipped, --forks 10. Prints wall time and CPU (this process and its
// children, i.e. the ssh -G processes) with ratios to the baseline.
import { readFileSync, rmSync } from 'node:fs';
import { connectHosts } from '../src/transports/ssh/connect-hosts.ts';
import { runSshG, sshConfigFiles, sshConfigMatters } from '../src/transports/ssh/ssh-config.ts';
import { batchedSshG } from '../src/transports/ssh/ssh-g-batch.ts';
import { sshTransports } from '../src/transports/ssh/ssh-transport.ts';
import { benchCluster, median } from './ssh-common.js';

const count = Number(process.env.BENCH_HOSTS ?? 50);
const repeats = Number(process.env.BENCH_REPEATS ?? 5);
const cluster = await benchCluster(count);

/** CPU seconds of this process plus its reaped children (the ssh -G processes). */
function cpu() {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // Fields 14-17 of stat (utime, stime, cutime, cstime) are 11-14 after the command name.
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
}

const hosts = cluster.hosts.map((h) => ({
  name: h.name,
  address: h.address,
  port: h.port,
  user: 'root',
  privateKeyFile: cluster.keyFile,
  connection: 'ssh',
  env: {},
  vars: {},
  groups: ['cluster'],
}));
const env = { HOME: cluster.dir, PATH: process.env.PATH ?? '' };
const variants = {
  'one spawn of ssh -G per host, all at once (before)': { sshG: () => runSshG },
  'batched ssh -G, all at once': { sshG: () => batchedSshG(), limit: count },
  'batched ssh -G, --forks 10 (the default)': { sshG: () => batchedSshG() },
  'no ssh config: ssh -G skipped, --forks 10': {},
};
if (sshConfigMatters(sshConfigFiles(env))) {
  console.log('note: an ssh config here matters, so the last figure runs ssh -G too');
}
const results = Object.fromEntries(Object.keys(variants).map((k) => [k, { wall: [], cpu: [] }]));
try {
  for (let i = 0; i < repeats; i++) {
    for (const [name, v] of Object.entries(variants)) {
      const make = sshTransports({
        env,
        knownHostsFile: cluster.knownHosts,
        decider: { decide: async () => ({ by: 'bench', action: 'abort' }) },
        ...(v.sshG ? { sshG: v.sshG() } : {}),
      });
      const transports = hosts.map(make);
      const c0 = cpu();
      const t0 = performance.now();
      await connectHosts(
        hosts,
        (h) => transports[hosts.indexOf(h)],
        async () => ({ action: 'abort' }),
        v.limit,
      );
      results[name].wall.push((performance.now() - t0) / 1000);
      results[name].cpu.push(cpu() - c0);
      await Promise.all(transports.map((t) => t.close()));
    }
  }
  console.log(`ssh connect, ${count} hosts, median of ${repeats}`);
  const [base, ...rest] = Object.keys(variants);
  const b = { wall: median(results[base].wall), cpu: median(results[base].cpu) };
  console.log(
    `  baseline  ${base}`.padEnd(70),
    `${b.wall.toFixed(2)} s, cpu ${b.cpu.toFixed(2)} s`,
  );
  for (const name of rest) {
    const w = median(results[name].wall);
    const c = median(results[name].cpu);
    console.log(`  stepwise  ${name}`.padEnd(70), `${w.toFixed(2)} s, cpu ${c.toFixed(2)} s`);
    console.log(`    ratio wall ${(w / b.wall).toFixed(2)}×, cpu ${(c / b.cpu).toFixed(2)}×`);
  }
} finally {
  await cluster.stop();
  rmSync(cluster.dir, { recursive: true, force: true });
}
