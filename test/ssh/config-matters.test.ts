/**
 * When no ssh config can change how a host is reached, `ssh -G` is skipped: which configs count
 * as inert, and that OpenSSH itself answers such a config with the defaults stepwise applies.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  INERT,
  resolveSshConfig,
  sshConfigMatters,
  sshGWithConfig,
} from '../../src/transports/ssh/ssh-config.ts';
import { emptyHome } from './helpers.ts';

/** A system config (and what it includes) in a fresh directory, and no user config. */
function files(system: string, included: Record<string, string> = {}) {
  const dir = emptyHome();
  for (const [name, text] of Object.entries(included)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  fs.writeFileSync(path.join(dir, 'ssh_config'), system);
  return { user: [path.join(dir, 'home/.ssh/config')], system: path.join(dir, 'ssh_config') };
}

const debian =
  '# comment\nInclude /DIR/ssh_config.d/*.conf\n\nHost *\n    SendEnv LANG LC_*\n    HashKnownHosts yes\n    GSSAPIAuthentication yes\n';

describe('sshConfigMatters', () => {
  it("is false for Debian's default config and for no config at all", () => {
    const f = files('');
    fs.writeFileSync(f.system, debian.replace('/DIR', path.dirname(f.system)));
    expect(sshConfigMatters(f)).toBe(false);
    fs.rmSync(f.system);
    expect(sshConfigMatters(f)).toBe(false);
  });

  it('is true once a user config exists, whatever it says', () => {
    const f = files(debian);
    fs.mkdirSync(path.dirname(f.user[0]!), { recursive: true });
    fs.writeFileSync(f.user[0]!, '# nothing\n');
    expect(sshConfigMatters(f)).toBe(true);
  });

  it('is true for any option stepwise uses or does not know, in the file or an Include', () => {
    for (const line of ['Host db\n  Port 2222', 'Port=2222', 'Match host x\n  User y', 'Bogus']) {
      expect(sshConfigMatters(files(`SendEnv LANG\n${line}\n`)), line).toBe(true);
    }
    const viaInclude = files('Include ssh_config.d/*.conf\n', {
      'ssh_config.d/10-inert.conf': 'ForwardAgent no\n',
      'ssh_config.d/20-jump.conf': 'Host *\n  ProxyJump bastion\n',
    });
    expect(sshConfigMatters(viaInclude)).toBe(true);
    const inertOnly = files('Include ssh_config.d/*.conf\n', {
      'ssh_config.d/10-inert.conf': 'ForwardAgent no\n',
      'ssh_config.d/other.txt': 'User someone\n',
    });
    expect(sshConfigMatters(inertOnly)).toBe(false);
    expect(sshConfigMatters(files('Include ~/.ssh/more\n'))).toBe(true);
  });

  it('treats as inert only options after which ssh -G still answers with the defaults', async () => {
    const values: Record<string, string> = {
      host: '*',
      sendenv: 'LANG',
      setenv: 'FOO=bar',
      addkeystoagent: 'no',
      loglevel: 'ERROR',
      serveraliveinterval: '5',
      serveralivecountmax: '3',
      stricthostkeychecking: 'yes',
    };
    const text = [...INERT].map((k) => `${k} ${values[k] ?? 'yes'}`).join('\n');
    const f = files(text);
    expect(sshConfigMatters(f)).toBe(false);
    const env = { HOME: emptyHome(), PATH: process.env.PATH ?? '', USER: os.userInfo().username };
    // `ssh -F FILE` reads that file in place of every other config.
    const told = await resolveSshConfig('web.example', env, sshGWithConfig(f.system));
    expect(told.fromSsh).toBe(true);
    const defaults = await resolveSshConfig('web.example', env, async () => null);
    for (const field of ['hostname', 'port', 'user', 'proxyJump'] as const) {
      expect(told[field], field).toEqual(defaults[field]);
    }
  });
});
