/** The SSH transport against real sshd hosts: exec, host keys, auth, ProxyJump, sudo, SFTP. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadlessDecider } from '../../src/cli/headless-decider.ts';
import { NeedsInputError, OperatorError } from '../../src/errors.ts';
import { connectHosts } from '../../src/transports/ssh/connect-hosts.ts';
import { fingerprint } from '../../src/transports/ssh/known-hosts.ts';
import { sshGWithConfig } from '../../src/transports/ssh/ssh-config.ts';
import {
  type Cluster,
  cluster,
  emptyHome,
  hostOf,
  run,
  ScriptedDecider,
  sh,
  teardown,
  transports,
} from './helpers.ts';

let c: Cluster;
beforeAll(async () => {
  c = await cluster(3);
});
afterAll(() => teardown(c));

const headless = () =>
  new HeadlessDecider({ yes: true, allowDestructive: false, overrides: {}, manualDone: [] });
const keyOf = (name: string) => c.knownHostsLine(name).split(' ').slice(1).join(' ');
const fpOf = (name: string) => fingerprint(Buffer.from(keyOf(name).split(' ')[1]!, 'base64'));

describe('ssh transport', { timeout: 30_000 }, () => {
  it('streams stdout and stderr apart, with the exit code, the host env, over one connection', async () => {
    const t = transports(c)(hostOf(c, 'host1', { env: { GREETING: "it's here" } }));
    try {
      const r = await run(t, 'hostname; echo "$GREETING"; echo oops >&2; exit 3');
      expect(r).toMatchObject({ exitCode: 3, signal: null, timedOut: false });
      expect(r.stdout).toBe("host1\nit's here\n");
      expect(r.stderr).toBe('oops\n');
      // Same connection: sshd shows one session process for our user.
      const again = await run(t, 'ps -eo args | grep -c "^sshd: root@notty"');
      expect(again.stdout.trim()).toBe('1');
    } finally {
      await t.close();
    }
  });

  it('cancels and times out by killing the remote process group', async () => {
    const t = transports(c)(hostOf(c, 'host2'));
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 500);
      const started = Date.now();
      const r = await run(t, 'sleep 60 & sleep 61; echo never', { signal: controller.signal });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(r.exitCode).toBe(null);
      expect(r.signal).toBe('SIGTERM');
      expect(r.stdout).toBe('');
      const timed = await run(t, 'sleep 62', { timeoutMs: 300 });
      expect(timed).toMatchObject({ timedOut: true, exitCode: null });
      const left = await run(t, 'ps -eo args | grep "^sleep 6" || true');
      expect(left.stdout).toBe('');
    } finally {
      await t.close();
    }
  });

  it('notices a stalled host through keepalive and fails the command in flight', async () => {
    const t = transports(c, { keepaliveIntervalMs: 1000, keepaliveCountMax: 2 })(
      hostOf(c, 'host3'),
    );
    try {
      const pending = run(t, 'echo up; sleep 30');
      await new Promise((r) => setTimeout(r, 500));
      c.freeze('host3');
      const started = Date.now();
      await expect(pending).rejects.toThrow('no answer from host3 for 3 s (keepalive timeout)');
      expect(Date.now() - started).toBeLessThan(8000);
    } finally {
      c.thaw('host3');
      await t.close();
    }
    // Thawed, a new connection works again.
    const again = transports(c)(hostOf(c, 'host3'));
    expect((await run(again, 'hostname')).stdout).toBe('host3\n');
    await again.close();
  });

  it('refuses a changed host key, naming host, both fingerprints and the line to fix', async () => {
    const other = c.knownHostsLine('host2').split(' ').slice(1).join(' ');
    const name = c.knownHostsLine('host1').split(' ')[0];
    const file = path.join(c.dir, 'known_hosts.changed');
    fs.writeFileSync(file, `# a comment\n${name} ${other}\n`);
    const t = transports(c, { knownHostsFile: file })(hostOf(c, 'host1'));
    const error = await t.open().then(
      () => null,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(OperatorError);
    expect(error!.message).toContain('host key of host1');
    expect(error!.message).toContain(fpOf('host2'));
    expect(error!.message).toContain(fpOf('host1'));
    expect(error!.message).toContain(`${file}:2`);
    expect((error as OperatorError).hint).toContain(`remove line 2 of ${file}`);
    const run = await connectHosts(
      [hostOf(c, 'host1')],
      () => t,
      headless().decide.bind(headless()) as never,
    ).then(
      () => null,
      (e: Error) => e,
    );
    expect(run?.message).toContain('has changed');
  });

  it('accepts a hashed known_hosts entry', async () => {
    const file = path.join(c.dir, 'known_hosts.hashed');
    fs.writeFileSync(file, `${c.knownHostsLine('host3')}\n`);
    const r = await sh('ssh-keygen', ['-H', '-f', file]);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^\|1\|/);
    const t = transports(c, { knownHostsFile: file })(hostOf(c, 'host3'));
    try {
      expect((await run(t, 'hostname')).stdout).toBe('host3\n');
    } finally {
      await t.close();
    }
  });

  it('refuses unknown hosts headless, and asks about all of them in one decision otherwise', async () => {
    const file = path.join(c.dir, 'known_hosts.empty');
    fs.writeFileSync(file, '');
    const hosts = ['host1', 'host2', 'host3'].map((n) => hostOf(c, n));
    const decider = headless();
    const refused = transports(c, { knownHostsFile: file, decider });
    const error = await connectHosts(hosts, refused, (r) => decider.decide(r) as never).then(
      () => null,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(NeedsInputError);
    for (const n of ['host1', 'host2', 'host3']) expect(error!.message).toContain(fpOf(n));
    expect(fs.readFileSync(file, 'utf8')).toBe('');

    const asking = new ScriptedDecider((r) =>
      r.kind === 'host-keys' ? { action: 'accept', accepted: r.hosts.map((h) => h.host) } : {},
    );
    const make = transports(c, { knownHostsFile: file, decider: asking });
    const ts = new Map(hosts.map((h) => [h.name, make(h)]));
    await connectHosts(
      hosts,
      (h) => ts.get(h.name)!,
      (r) => asking.decide(r) as never,
    );
    expect(asking.asked).toHaveLength(1);
    expect(asking.asked[0]).toMatchObject({ kind: 'host-keys', knownHostsFile: file });
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').sort();
    expect(lines).toEqual(['host1', 'host2', 'host3'].map((n) => c.knownHostsLine(n)).sort());
    expect((await run(ts.get('host2')!, 'hostname')).stdout).toBe('host2\n');
    await Promise.all([...ts.values()].map((t) => t.close()));
  });

  it('adds a new key without asking only with accept-new', async () => {
    const file = path.join(c.dir, 'known_hosts.acceptnew');
    const t = transports(c, { knownHostsFile: file, acceptNew: true })(hostOf(c, 'host1'));
    try {
      expect((await run(t, 'hostname')).stdout).toBe('host1\n');
      expect(fs.readFileSync(file, 'utf8')).toBe(`${c.knownHostsLine('host1')}\n`);
    } finally {
      await t.close();
    }
  });

  it('goes through a ProxyJump host from ssh config, checking both keys', async () => {
    const h1 = c.hosts[0]!;
    const config = path.join(c.dir, 'ssh_config');
    // host2 is a name only the cluster's hosts resolve: reaching it proves the jump was used.
    fs.writeFileSync(
      config,
      [
        'Host inner',
        '  HostName host2',
        `  Port ${c.port}`,
        '  User root',
        `  IdentityFile ${c.keyFile}`,
        `  ProxyJump root@${h1.address}:${h1.port}`,
        '',
      ].join('\n'),
    );
    const file = path.join(c.dir, 'known_hosts.jump');
    const inner = c.port === 22 ? 'host2' : `[host2]:${c.port}`;
    fs.writeFileSync(file, `${c.knownHostsLine('host1')}\n${inner} ${keyOf('host2')}\n`);
    const make = transports(c, { knownHostsFile: file, sshG: sshGWithConfig(config) });
    const host = {
      name: 'inner',
      address: 'inner',
      connection: 'ssh' as const,
      env: {},
      vars: {},
      groups: [],
    };
    const t = make(host);
    try {
      expect((await run(t, 'hostname')).stdout).toBe('host2\n');
    } finally {
      await t.close();
    }
    // The jump host's key is checked too.
    fs.writeFileSync(file, `${inner} ${keyOf('host2')}\n`);
    const error = await make(host)
      .open()
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(error?.message).toContain(`unknown host key for ${h1.address} (jump host for inner)`);
  });

  it('logs in with keys from ssh-agent', async () => {
    const sock = path.join(emptyHome(), 'agent.sock');
    const agent = await sh('ssh-agent', ['-a', sock]);
    const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(agent.stdout)?.[1]);
    try {
      const env = { ...process.env, SSH_AUTH_SOCK: sock };
      expect((await sh('ssh-add', [c.keyFile], env)).code).toBe(0);
      const host = hostOf(c, 'host3', { privateKeyFile: undefined });
      const withAgent = transports(c, { env: { HOME: emptyHome(), SSH_AUTH_SOCK: sock } })(host);
      expect((await run(withAgent, 'whoami')).stdout).toBe('root\n');
      await withAgent.close();
      const without = transports(c, { env: { HOME: emptyHome() } })(host);
      await expect(without.open()).rejects.toThrow(/could not log in to host3 as root/);
    } finally {
      process.kill(pid, 'SIGTERM');
    }
  });

  it('asks for the passphrase of an encrypted key once, and refuses it headless', async () => {
    const key = path.join(c.dir, 'id_encrypted');
    fs.copyFileSync(c.keyFile, key);
    fs.chmodSync(key, 0o600);
    expect((await sh('ssh-keygen', ['-p', '-q', '-N', 'sesame', '-f', key])).code).toBe(0);
    const decider = new ScriptedDecider((r) =>
      r.kind === 'passphrase' ? { action: 'value', value: 'sesame' } : { action: 'abort' },
    );
    const make = transports(c, { decider });
    const ts = ['host1', 'host2'].map((n) => make(hostOf(c, n, { privateKeyFile: key })));
    const outs = await Promise.all(ts.map((t) => run(t, 'hostname')));
    expect(outs.map((o) => o.stdout)).toEqual(['host1\n', 'host2\n']);
    // Both connections wanted the key at once; one question answered both.
    expect(decider.asked).toHaveLength(1);
    expect(decider.asked[0]).toMatchObject({ kind: 'passphrase', keyFile: key });
    await Promise.all(ts.map((t) => t.close()));

    const t = transports(c, { decider: headless() })(hostOf(c, 'host1', { privateKeyFile: key }));
    await expect(t.open()).rejects.toThrow(`the key ${key} for host1 is encrypted`);
  });

  it('runs sudo -n without a question where sudo needs no password', async () => {
    const decider = new ScriptedDecider(() => ({ action: 'abort' }));
    const t = transports(c, { decider })(hostOf(c, 'host1', { user: 'deploy' }));
    try {
      const r = await run(t, "sudo -n sh -c 'id -u; whoami'", { sudo: true });
      expect(r.stdout).toBe('0\nroot\n');
      expect(decider.asked).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('asks the sudo password once per host, feeds it on stdin, and fails clearly headless', async () => {
    const decider = new ScriptedDecider((r) =>
      r.kind === 'sudo-password' ? { action: 'value', value: c.sudoPassword } : { action: 'abort' },
    );
    const t = transports(c, { decider })(hostOf(c, 'host2', { user: 'operator' }));
    try {
      const first = await run(t, "sudo -n sh -c 'id -u'", { sudo: true });
      expect(first).toMatchObject({ exitCode: 0, stdout: '0\n', stderr: '' });
      // The password is never on a command line: no process on the host shows it.
      const second = await run(t, "sudo -n sh -c 'ps -eo args'", { sudo: true });
      expect(second.stdout).toContain('ps -eo args');
      expect(second.stdout).not.toContain(c.sudoPassword);
      expect(decider.asked).toEqual([{ kind: 'sudo-password', host: 'host2', user: 'operator' }]);
    } finally {
      await t.close();
    }

    const wrong = new ScriptedDecider(() => ({ action: 'value', value: 'not-it' }));
    const w = transports(c, { decider: wrong })(hostOf(c, 'host2', { user: 'operator' }));
    await expect(run(w, "sudo -n sh -c 'id -u'", { sudo: true })).rejects.toThrow(
      'sudo on host2 refused the password for operator',
    );
    await w.close();

    const h = transports(c, { decider: headless() })(hostOf(c, 'host2', { user: 'operator' }));
    await expect(run(h, "sudo -n sh -c 'id -u'", { sudo: true })).rejects.toThrow(
      'sudo on host2 needs a password for operator',
    );
    await h.close();

    // A probe that itself runs `sudo -n` (can this user sudo without a password?) is not a sudo
    // step: it runs as written, is never asked about, and gets sudo's own answer.
    const probe = new ScriptedDecider(() => ({ action: 'value', value: c.sudoPassword }));
    const p = transports(c, { decider: probe })(hostOf(c, 'host2', { user: 'operator' }));
    const r = await run(p, 'sudo -n true');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/a password is required/);
    expect(probe.asked).toEqual([]);
    await p.close();
  });

  it("feeds the inventory's ansible_become_password to sudo instead of asking", async () => {
    const decider = new ScriptedDecider(() => ({ action: 'abort' }));
    const make = transports(c, { decider });
    const vars = { ansible_become_password: c.sudoPassword };
    const t = make(hostOf(c, 'host2', { user: 'operator', vars }));
    try {
      const r = await run(t, "sudo -n sh -c 'id -u; ps -eo args'", { sudo: true });
      expect(r).toMatchObject({ exitCode: 0, stderr: '' });
      expect(r.stdout.startsWith('0\n')).toBe(true);
      expect(r.stdout).not.toContain(c.sudoPassword);
      expect(decider.asked).toEqual([]);
    } finally {
      await t.close();
    }
    // A wrong one is the inventory's to fix: the message names the variable, not a typed answer.
    const w = make(hostOf(c, 'host2', { user: 'operator', vars: { ansible_become_pass: 'nope' } }));
    try {
      await expect(run(w, "sudo -n sh -c 'id -u'", { sudo: true })).rejects.toThrow(
        "sudo on host2 refused the inventory's ansible_become_pass for operator",
      );
      expect(decider.asked).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it('moves files byte-exact both ways over SFTP, atomically', async () => {
    const t = transports(c)(hostOf(c, 'host3'));
    const files = t.files;
    try {
      const data = randomBytes(3 * 1024 * 1024 + 123);
      const written = await files.write('/root/backups/a/b.bin', Readable.from([data]));
      expect(written).toBe(data.length);
      const onHost = path.join(c.hosts[2]!.root, 'root/backups/a/b.bin');
      expect(fs.readFileSync(onHost).equals(data)).toBe(true);
      expect(fs.existsSync(`${onHost}.stepwise-partial`)).toBe(false);

      const chunks: Buffer[] = [];
      for await (const chunk of await files.read('/root/backups/a/b.bin'))
        chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).equals(data)).toBe(true);

      expect(await files.stat('/root/backups/a/b.bin')).toMatchObject({
        size: data.length,
        isDirectory: false,
      });
      expect(await files.stat('/root/nothing')).toBe(null);
      await files.write('/root/backups/c.txt', Readable.from([Buffer.from('hi')]));
      expect((await files.list('/root/backups')).map((f) => [f.path, f.size])).toEqual([
        ['a/b.bin', data.length],
        ['c.txt', 2],
      ]);
      await files.remove('/root/backups/c.txt');
      expect(await files.stat('/root/backups/c.txt')).toBe(null);

      // A source that fails midway leaves no file under the final name.
      const failing = Readable.from(
        (async function* () {
          yield Buffer.alloc(100_000);
          throw new Error('source broke');
        })(),
      );
      await expect(files.write('/root/backups/broken.bin', failing)).rejects.toThrow(
        'source broke',
      );
      expect(await files.stat('/root/backups/broken.bin')).toBe(null);
      expect(await files.stat('/root/backups/broken.bin.stepwise-partial')).toBe(null);
    } finally {
      await t.close();
    }
  });
});
