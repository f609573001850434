// Shared by the bench/ssh-*.mjs benchmarks: a cluster of real sshd hosts, OpenSSH client flags
// for it, a timer and a median. Not a benchmark itself (run-all.mjs runs *.mjs only).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster } from '../fixtures/ssh-cluster/launch.mjs';

export const cli = fileURLToPath(new URL('../dist/stepwise.js', import.meta.url));

/** Starts `count` hosts in a temporary directory. */
export async function benchCluster(count) {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-ssh-'));
  return startCluster({ dir, count });
}

/** OpenSSH client options for a cluster (same key, known_hosts, no config surprises). */
export function sshOptions(cluster) {
  return [
    '-F',
    '/dev/null',
    '-i',
    cluster.keyFile,
    '-o',
    `UserKnownHostsFile=${cluster.knownHosts}`,
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
  ];
}

/** Runs `sh -c script args…`; resolves to its wall time in seconds. */
export async function time(script, args = [], env = process.env) {
  const started = process.hrtime.bigint();
  const child = spawn('sh', ['-c', script, 'sh', ...args], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`${script} ${args.join(' ')} exited ${code}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
