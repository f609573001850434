// SFTP through the SSH transport's HostFiles against OpenSSH's scp, both directions, with a file
// of N MB (default 500) on a simulated host. Goal: ≥ 0.8× scp's throughput.
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sshTransports } from '../src/transports/ssh/ssh-transport.ts';
import { benchCluster, median, sshOptions, time } from './ssh-common.js';

const mb = Number(process.env.BENCH_MB ?? 500);
const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const cluster = await benchCluster(1);
try {
  const host = cluster.hosts[0];
  const local = join(cluster.dir, 'big.bin');
  execFileSync('sh', ['-c', `head -c ${mb * 1024 * 1024} /dev/urandom > '${local}'`]);
  const remote = '/root/big.bin';
  const scpArgs = [...sshOptions(cluster), '-P', String(host.port)];
  const transport = sshTransports({
    env: { HOME: cluster.dir },
    knownHostsFile: cluster.knownHosts,
    decider: { decide: async () => ({ action: 'abort', by: 'bench' }) },
  })({
    name: host.name,
    address: host.address,
    port: host.port,
    user: 'root',
    privateKeyFile: cluster.keyFile,
    connection: 'ssh',
    env: {},
    vars: {},
    groups: [],
  });
  await transport.open();
  const seconds = async (fn) => {
    const t = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - t) / 1e9;
  };
  const r = { scpUp: [], scpDown: [], up: [], down: [] };
  for (let i = 0; i < repeats; i++) {
    r.scpUp.push(
      await time(`exec scp "$@"`, [...scpArgs, '-q', local, `root@${host.address}:${remote}`]),
    );
    r.scpDown.push(
      await time(`exec scp "$@"`, [
        ...scpArgs,
        '-q',
        `root@${host.address}:${remote}`,
        `${local}.scp`,
      ]),
    );
    r.up.push(await seconds(() => transport.files.write(remote, createReadStream(local))));
    r.down.push(
      await seconds(async () =>
        pipeline(await transport.files.read(remote), createWriteStream(`${local}.sftp`)),
      ),
    );
  }
  if (statSync(`${local}.sftp`).size !== mb * 1024 * 1024) throw new Error('download size differs');
  await transport.close();
  const rate = (s) => `${(mb / s).toFixed(0)} MB/s`;
  console.log(`sftp vs scp, ${mb} MB, median of ${repeats} (scp's time includes its connection)`);
  for (const [dir, base, ours] of [
    ['upload', r.scpUp, r.up],
    ['download', r.scpDown, r.down],
  ]) {
    const b = median(base);
    const s = median(ours);
    console.log(`  baseline  scp ${dir}`.padEnd(40), `${b.toFixed(2)} s  ${rate(b)}`);
    console.log(`  stepwise  HostFiles ${dir}`.padEnd(40), `${s.toFixed(2)} s  ${rate(s)}`);
    console.log(`    throughput ${(b / s).toFixed(2)}× scp's (goal ≥ 0.8×)`);
  }
} finally {
  await cluster.stop();
  rmSync(cluster.dir, { recursive: true, force: true });
}
