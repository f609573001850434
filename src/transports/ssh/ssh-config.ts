/**
 * What the operator's ssh config says about a host, as OpenSSH itself resolves it (`ssh -G HOST`:
 * `Host` and `Match` blocks, `Include`, `%h` tokens, `~`). Without an ssh client installed, the
 * host is taken as written with OpenSSH's defaults.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';

/** The settings stepwise uses, after ssh config. */
export interface SshConfig {
  hostname: string;
  port: number;
  user: string;
  /** Existing files only (`ssh -G` also lists OpenSSH's default names). */
  identityFiles: string[];
  /** `user@host:port` hops, first hop first; empty when direct. */
  proxyJump: string[];
  /** From `UserKnownHostsFile`, `~` expanded; empty when ssh -G is unavailable. */
  knownHostsFiles: string[];
  /** Whether `ssh -G` answered (false: defaults only). */
  fromSsh: boolean;
}

/** Runs `ssh -G`; injected so that tests and other clients can swap it. */
export type SshG = (host: string, env: NodeJS.ProcessEnv) => Promise<string | null>;

export const runSshG: SshG = (host, env) =>
  new Promise((resolve) => {
    execFile('ssh', ['-G', '--', host], { env, timeout: 5000 }, (error, stdout) => {
      // No ssh client, or a broken config: the caller falls back to inventory and defaults.
      resolve(error ? null : stdout);
    });
  });

const expandHome = (p: string, home: string) => (p.startsWith('~/') ? home + p.slice(1) : p);

/** Parses `ssh -G` output. */
export function parseSshG(text: string, home: string): Omit<SshConfig, 'fromSsh'> {
  const single = new Map<string, string>();
  const multi = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const at = line.indexOf(' ');
    if (at <= 0) continue;
    const key = line.slice(0, at).toLowerCase();
    const value = line.slice(at + 1).trim();
    if (!single.has(key)) single.set(key, value);
    multi.set(key, [...(multi.get(key) ?? []), value]);
  }
  const jump = single.get('proxyjump');
  return {
    hostname: single.get('hostname') ?? '',
    port: Number(single.get('port') ?? 22),
    user: single.get('user') ?? '',
    identityFiles: (multi.get('identityfile') ?? [])
      .map((f) => expandHome(f, home))
      .filter((f) => existsSync(f)),
    proxyJump: jump === undefined || jump === 'none' ? [] : jump.split(','),
    knownHostsFiles: (multi.get('userknownhostsfile') ?? [])
      .flatMap((v) => v.split(/\s+/))
      .map((f) => expandHome(f, home)),
  };
}

/** Resolves `host` through ssh config, falling back to OpenSSH's defaults. */
export async function resolveSshConfig(
  host: string,
  env: NodeJS.ProcessEnv,
  sshG: SshG = runSshG,
): Promise<SshConfig> {
  const home = env.HOME ?? homedir();
  const text = await sshG(host, env);
  if (text !== null) return { ...parseSshG(text, home), fromSsh: true };
  const fallbackKeys = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((k) => `${home}/.ssh/${k}`);
  return {
    hostname: host,
    port: 22,
    user: env.USER ?? env.LOGNAME ?? 'root',
    identityFiles: fallbackKeys.filter((f) => existsSync(f)),
    proxyJump: [],
    knownHostsFiles: [],
    fromSsh: false,
  };
}

/** Splits a ProxyJump hop `[user@]host[:port]` (IPv6 in brackets). */
export function parseHop(hop: string): { user?: string; host: string; port?: number } {
  let rest = hop.replace(/^ssh:\/\//, '');
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest) ?? /^([^:]+)(?::(\d+))?$/.exec(rest);
  const host = m?.[1] ?? rest;
  const port = m?.[2] === undefined ? undefined : Number(m[2]);
  return { ...(user ? { user } : {}), host, ...(port ? { port } : {}) };
}

/** `ssh -F FILE -G HOST`: resolves with a given config file instead of ~/.ssh/config. */
export function sshGWithConfig(file: string): SshG {
  return (host, env) =>
    new Promise((resolve) => {
      execFile('ssh', ['-F', file, '-G', '--', host], { env, timeout: 5000 }, (error, stdout) =>
        resolve(error ? null : stdout),
      );
    });
}
