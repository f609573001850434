// `npm test` runs vitest through this: as root (CI, this machine) inside a throwaway network
// namespace with only its own loopback up, so the simulated sshd hosts, s3rver and the fixtures'
// HTTP endpoints can never clash with (or be reached by) anything else on the machine, and all
// of them vanish with the namespace. Without root or unshare it runs vitest as it is.
import { spawnSync } from 'node:child_process';

const args = ['run', ...process.argv.slice(2)];
const vitest = new URL('../node_modules/vitest/vitest.mjs', import.meta.url).pathname;
const node = process.execPath;

function can(cmd, cmdArgs) {
  return spawnSync(cmd, cmdArgs, { stdio: 'ignore' }).status === 0;
}

const isolate =
  process.getuid?.() === 0 &&
  process.env.STEPWISE_TEST_NETNS !== '0' &&
  can('unshare', ['--net', '--', 'ip', 'link', 'set', 'lo', 'up']);

const quote = (s) => `'${s.replaceAll("'", "'\\''")}'`;
const result = isolate
  ? spawnSync(
      'unshare',
      [
        '--net',
        '--',
        'sh',
        '-c',
        `ip link set lo up && exec ${[node, vitest, ...args].map(quote).join(' ')}`,
      ],
      { stdio: 'inherit' },
    )
  : spawnSync(node, [vitest, ...args], { stdio: 'inherit' });
if (!isolate) {
  process.stderr.write(
    'note: tests ran without a network namespace of their own (needs root and unshare)\n',
  );
}
process.exit(result.status ?? 1);
