/**
 * What the operator's ssh config says about a host, as OpenSSH itself resolves it (`ssh -G HOST`:
 * `Host` and `Match` blocks, `Include`, `%h` tokens, `~`). Without an ssh client installed, the
 * host is taken as written with OpenSSH's defaults.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

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

/**
 * Keywords that cannot change anything stepwise takes from `ssh -G` (HostName, Port, User,
 * IdentityFile, ProxyJump, UserKnownHostsFile). Debian's /etc/ssh/ssh_config uses only these.
 */
export const INERT = new Set([
  'host',
  'sendenv',
  'setenv',
  'hashknownhosts',
  'gssapiauthentication',
  'gssapidelegatecredentials',
  'forwardagent',
  'forwardx11',
  'forwardx11trusted',
  'passwordauthentication',
  'serveraliveinterval',
  'serveralivecountmax',
  'stricthostkeychecking',
  'checkhostip',
  'visualhostkey',
  'loglevel',
  'compression',
  'addkeystoagent',
]);

/** Where OpenSSH reads its configuration (injected by tests). */
export interface SshConfigFiles {
  /** The user's files: ~/.ssh/config for $HOME and for the passwd entry's home, as ssh uses. */
  user: string[];
  /** The system-wide file. */
  system: string;
}

export function sshConfigFiles(env: NodeJS.ProcessEnv): SshConfigFiles {
  let passwdHome: string | undefined;
  try {
    passwdHome = userInfo().homedir;
  } catch {
    // No passwd entry (a container's random uid): $HOME is all there is.
  }
  const homes = new Set([env.HOME ?? homedir(), ...(passwdHome ? [passwdHome] : [])]);
  return {
    user: [...homes].map((h) => join(h, '.ssh', 'config')),
    system: '/etc/ssh/ssh_config',
  };
}

/**
 * Whether any ssh config could change how a host is reached. When none can (no user config
 * file, and a system-wide one that sets only INERT options, like Debian's default), `ssh -G`
 * would answer every host with OpenSSH's defaults, and asking it costs a process per host:
 * measured, most of the CPU of connecting 50 hosts. Anything not understood counts as mattering.
 */
export function sshConfigMatters(files: SshConfigFiles): boolean {
  if (files.user.some((f) => existsSync(f))) return true;
  const seen = new Set<string>();
  const matters = (file: string): boolean => {
    if (seen.has(file)) return false;
    seen.add(file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      return (error as NodeJS.ErrnoException).code !== 'ENOENT';
    }
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const m = /^([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s)\s*(.*)$/.exec(line);
      if (!m) return true;
      const keyword = m[1]!.toLowerCase();
      if (keyword === 'include') {
        for (const pattern of m[2]!.split(/\s+/)) {
          const included = expandInclude(pattern, dirname(files.system));
          if (included === null || included.some(matters)) return true;
        }
      } else if (!INERT.has(keyword)) return true;
    }
    return false;
  };
  return matters(files.system);
}

/** The files an `Include` names (a `*` or `?` in the last part only), or null if unsure. */
function expandInclude(pattern: string, base: string): string[] | null {
  if (pattern.startsWith('~') || pattern.includes('%') || pattern.includes('$')) return null;
  const path = isAbsolute(pattern) ? pattern : join(base, pattern);
  const dir = dirname(path);
  const name = path.slice(dir.length + 1);
  if (/[*?[]/.test(dir)) return null;
  if (!/[*?[]/.test(name)) return [path];
  if (name.includes('[')) return null;
  const re = new RegExp(
    `^${name
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
  );
  try {
    return readdirSync(dir)
      .filter((f) => re.test(f))
      .sort()
      .map((f) => join(dir, f));
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? [] : null;
  }
}
