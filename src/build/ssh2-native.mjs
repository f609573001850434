// Builds ssh2's optional native crypto binding (sshcrypto.node) against the headers of the Node
// that runs stepwise. Run by `npm install`/`npm ci` as the postinstall script.
//
// Why: ssh2 builds the binding itself at install, but node-gyp takes its headers from npm's
// `nodedir`, which this machine kind sets to /usr (Node 20). The result fails to load under the
// pinned Node 24 ("Module did not self-register") and ssh2 quietly falls back to pure-JS ciphers.
// With the binding, AES-GCM and chacha20-poly1305 run in OpenSSL/C: measured here, 10M lines
// streamed over SSH took ~0.3 s less (of ~1.5 s).
//
// Plain JS (not TypeScript) so any Node can run it, and it never fails the install: without a
// compiler, headers or ssh2 itself, stepwise keeps working on ssh2's JS ciphers.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.join(root, 'node_modules/ssh2/lib/protocol/crypto');
const binding = path.join(dir, 'build/Release/sshcrypto.node');

/** Whether this Node can load the binding (in a child: a bad addon can abort a process). */
const loads = () =>
  existsSync(binding) &&
  spawnSync(process.execPath, ['-e', `require(${JSON.stringify(binding)})`], { stdio: 'ignore' })
    .status === 0;

const say = (text) => console.log(`ssh2 native crypto: ${text}`);

if (!existsSync(path.join(dir, 'binding.gyp'))) {
  say('ssh2 not installed here, nothing to build');
} else if (Number(process.versions.node.split('.')[0]) < 22) {
  // Not a Node stepwise runs on (package.json engines): building for it would replace a binding
  // that works for the right one. npm's scripts run the pinned Node.
  say(`skipped under Node ${process.version}; run \`npm rebuild\` through npm`);
} else if (loads()) {
  say(`loads under Node ${process.version}`);
} else {
  // The pinned Node (npm's scripts put node_modules/.bin/node first) ships its headers beside it.
  const nodedir = path.resolve(path.dirname(process.execPath), '..');
  if (!existsSync(path.join(nodedir, 'include/node/node.h'))) {
    say(`no headers beside ${process.execPath}; ssh2 uses its JS ciphers`);
  } else {
    // npm's own node-gyp (npm tells scripts where it is), else one on PATH.
    const gyp = process.env.npm_config_node_gyp;
    const [cmd, ...pre] = gyp ? [process.execPath, gyp] : ['node-gyp'];
    const result = spawnSync(
      cmd,
      [
        ...pre,
        'rebuild',
        `--target=${process.version}`,
        `--nodedir=${nodedir}`,
        `--real_openssl_major=${/^\d+/.exec(process.versions.openssl)?.[0] ?? '3'}`,
      ],
      {
        cwd: dir,
        // node-gyp also reads npm's config from the environment; the global /usr must not win.
        env: { ...process.env, npm_config_nodedir: nodedir },
        stdio: ['ignore', 'ignore', 'pipe'],
        encoding: 'utf8',
      },
    );
    if (loads()) say(`built against ${nodedir}`);
    else {
      const why = (result.error?.message ?? result.stderr ?? '').trim().split('\n').slice(-3);
      say(
        `could not build it (${why.join(' / ') || `exit ${result.status}`}); ssh2 uses its JS ciphers`,
      );
    }
  }
}
