/**
 * The SSH transport: one ssh2 connection per host, opened on first use (or ahead of the run by
 * {@link connectHosts}) and reused for every check and step; keepalive on, so a dead peer is
 * noticed within seconds and the command in flight fails as a lost connection.
 *
 * Where settings come from (Ansible's order): inventory variables (`ansible_host`, `ansible_port`,
 * `ansible_user`, `ansible_ssh_private_key_file`) win; what they leave open comes from the
 * operator's ssh config as `ssh -G` resolves it (HostName, Port, User, IdentityFile, ProxyJump,
 * UserKnownHostsFile); then OpenSSH's defaults (directly, without ssh -G, when no ssh config
 * file could change them).
 */
import { homedir } from 'node:os';
import type { Answer, Decider, RequestOf } from '../../engine/decisions.ts';
import type { DecisionKind } from '../../engine/events.ts';
import { OperatorError } from '../../errors.ts';
import type { Host } from '../../inventory/types.ts';
import { shellQuote } from '../../runbook/template.ts';
import type { ExecRequest, ExecResult, HostFiles, OutputSink, Transport } from '../transport.ts';
import { becomePassword } from './become.ts';
import {
  type ConnectContext,
  type Connection,
  connect,
  type Endpoint,
  type NewHostKey,
} from './connect.ts';
import { appendKnownHost } from './known-hosts.ts';
import { sftpFiles } from './sftp-files.ts';
import {
  parseHop,
  resolveSshConfig,
  type SshG,
  sshConfigFiles,
  sshConfigMatters,
} from './ssh-config.ts';
import { batchedSshG } from './ssh-g-batch.ts';

/** How long a cancelled command gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2000;
/** Reports the session's PID (its process group) as the first line on stderr; stripped again. */
const PID_PREFIX = 'echo stepwise-pid:$$ >&2; ';

/** Options shared by every host of a run. */
export interface SshOptions {
  /** The operator's environment: HOME, USER, SSH_AUTH_SOCK. */
  env: NodeJS.ProcessEnv;
  /** `--known-hosts FILE`: read and append here instead of ~/.ssh/known_hosts. */
  knownHostsFile?: string;
  /** `--accept-new-host-keys`, like OpenSSH's StrictHostKeyChecking=accept-new. Never the default. */
  acceptNew?: boolean;
  /** Asks for key passphrases and sudo passwords. */
  decider: Pick<Decider, 'decide'>;
  /** Resolves ssh config (default: `ssh -G`, batched and cached per run, see ssh-g-batch.ts). */
  sshG?: SshG;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
}

/** Makes the SSH transport of each host; passphrases are asked once per key file per run. */
export function sshTransports(options: SshOptions): (host: Host) => SshTransport {
  const passphrases = new Map<string, Promise<string>>();
  const ask = async <K extends DecisionKind>(request: RequestOf<K>): Promise<Answer<K>> =>
    options.decider.decide(request);
  const askPassphrase = (endpoint: Endpoint, keyFile: string) => {
    let p = passphrases.get(keyFile);
    if (!p) {
      p = ask<'passphrase'>({ kind: 'passphrase', host: endpoint.label, keyFile }).then((a) => {
        if (a.action !== 'value') {
          throw new OperatorError(
            `no passphrase given for ${keyFile}`,
            `load the key into ssh-agent (ssh-add ${keyFile}) or type its passphrase`,
          );
        }
        return a.value;
      });
      passphrases.set(keyFile, p);
    }
    return p;
  };
  // One resolver per run: the hosts' `ssh -G` calls are batched and cached together. When no
  // ssh config could change a host's settings, ssh -G is not asked at all: its answer would be
  // OpenSSH's defaults, which resolveSshConfig applies itself (see sshConfigMatters).
  const sshG =
    options.sshG ??
    (sshConfigMatters(sshConfigFiles(options.env)) ? batchedSshG() : async () => null);
  const shared = { ...options, sshG };
  return (host) => new SshTransport(host, shared, askPassphrase, ask);
}

/** A running command, so a lost connection can fail it. */
interface Running {
  fail(error: Error): void;
}

export class SshTransport implements Transport {
  readonly host: Host;
  readonly files: HostFiles;
  readonly #options: SshOptions;
  readonly #askPassphrase: ConnectContext['askPassphrase'];
  readonly #ask: <K extends DecisionKind>(request: RequestOf<K>) => Promise<Answer<K>>;
  #connection: Promise<Connection> | null = null;
  #plan: Promise<{
    target: Endpoint;
    jumps: Endpoint[];
    files: string[];
    appendTo: string;
  }> | null = null;
  readonly #running = new Set<Running>();
  /** `null`: sudo needs no password here; a string: the password; undefined: not probed yet. */
  #sudo: Promise<string | null> | undefined;
  #closed = false;
  /** The connection in use, so the close of an older one does not forget a newer one. */
  #live: Connection | null = null;

  constructor(
    host: Host,
    options: SshOptions,
    askPassphrase: ConnectContext['askPassphrase'],
    ask: <K extends DecisionKind>(request: RequestOf<K>) => Promise<Answer<K>>,
  ) {
    this.host = host;
    this.#options = options;
    this.#askPassphrase = askPassphrase;
    this.#ask = ask;
    this.files = sftpFiles(() => this.#connected());
  }

  /** Where this host's settings resolve to: inventory first, then ssh config. */
  resolve(): Promise<{ target: Endpoint; jumps: Endpoint[]; files: string[]; appendTo: string }> {
    this.#plan ??= this.#resolve();
    return this.#plan;
  }

  async #resolve() {
    const { env } = this.#options;
    const h = this.host;
    const config = await resolveSshConfig(h.address, env, this.#options.sshG);
    const target: Endpoint = {
      label: h.name,
      hostname: config.hostname || h.address,
      port: h.port ?? config.port,
      user: h.user ?? config.user,
      identityFiles: h.privateKeyFile ? [expandHome(h.privateKeyFile, env)] : config.identityFiles,
    };
    const jumps: Endpoint[] = [];
    for (const hop of config.proxyJump) {
      const parsed = parseHop(hop);
      const c = await resolveSshConfig(parsed.host, env, this.#options.sshG);
      jumps.push({
        label: `${parsed.host} (jump host for ${h.name})`,
        hostname: c.hostname || parsed.host,
        port: parsed.port ?? c.port,
        user: parsed.user ?? c.user,
        identityFiles: [...new Set([...c.identityFiles, ...target.identityFiles])],
      });
    }
    const home = env.HOME ?? homedir();
    const userFiles = this.#options.knownHostsFile
      ? [this.#options.knownHostsFile]
      : config.knownHostsFiles.length > 0
        ? config.knownHostsFiles
        : [`${home}/.ssh/known_hosts`];
    const files = this.#options.knownHostsFile
      ? userFiles
      : [...userFiles, '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
    return { target, jumps, files, appendTo: userFiles[0]! };
  }

  /** Where accepted keys go. */
  async knownHostsFile(): Promise<string> {
    return (await this.resolve()).appendTo;
  }

  /** Writes a key to known_hosts (after the operator accepted it). */
  async trust(found: NewHostKey): Promise<void> {
    await appendKnownHost(
      await this.knownHostsFile(),
      found.endpoint.hostname,
      found.endpoint.port,
      found.keyType,
      found.key,
    );
  }

  /** Connects now (idempotent); throws UnknownHostKeyError for a key not on file. */
  async open(): Promise<void> {
    await this.#connected();
  }

  #connected(): Promise<Connection> {
    if (this.#closed)
      return Promise.reject(new Error(`the connection to ${this.host.name} was closed`));
    this.#connection ??= this.#open().catch((error: unknown) => {
      this.#connection = null;
      throw error;
    });
    return this.#connection;
  }

  async #open(): Promise<Connection> {
    const { target, jumps, files, appendTo } = await this.resolve();
    const agent = this.#options.env.SSH_AUTH_SOCK;
    const conn = await connect(target, jumps, {
      knownHostsFiles: files,
      knownHostsFile: appendTo,
      acceptNew: this.#options.acceptNew ?? false,
      onAccepted: (found) => this.trust(found),
      ...(agent ? { agent } : {}),
      askPassphrase: this.#askPassphrase,
      keepaliveIntervalMs: this.#options.keepaliveIntervalMs ?? 2000,
      keepaliveCountMax: this.#options.keepaliveCountMax ?? 3,
      readyTimeoutMs: 20_000,
    });
    this.#live = conn;
    let reason = 'the connection closed';
    const lost = () => {
      if (this.#live === conn) {
        this.#live = null;
        this.#connection = null;
      }
      for (const hop of conn.hops) hop.end();
      const error = new Error(reason);
      for (const r of this.#running) r.fail(error);
    };
    conn.client.on('error', (error: Error) => {
      reason = /keepalive/i.test(error.message)
        ? `no answer from ${this.host.name} for ${this.#keepaliveSeconds()} s (keepalive timeout)`
        : error.message;
    });
    conn.client.once('close', lost);
    return conn;
  }

  #keepaliveSeconds(): number {
    const o = this.#options;
    return ((o.keepaliveIntervalMs ?? 2000) * ((o.keepaliveCountMax ?? 3) + 1)) / 1000;
  }

  /**
   * Whether sudo needs a password for our user, and that password: the inventory's
   * `ansible_become_password`, else asked once per host.
   */
  #sudoPassword(conn: Connection): Promise<string | null> {
    this.#sudo ??= (async () => {
      const probe = await this.#run(conn, { command: 'sudo -n true' }, () => {});
      if (probe.exitCode === 0) return null;
      const { target } = await this.resolve();
      // The inventory's password, like Ansible's; only without one is the operator asked.
      const fromInventory = becomePassword(this.host);
      let password: string;
      if (fromInventory) password = fromInventory.value;
      else {
        const answer = await this.#ask<'sudo-password'>({
          kind: 'sudo-password',
          host: this.host.name,
          user: target.user,
        });
        if (answer.action !== 'value') {
          throw new OperatorError(
            `no sudo password given for ${target.user} on ${this.host.name}`,
            'type it when asked, set ansible_become_password in the inventory, or allow the commands with NOPASSWD in sudoers',
          );
        }
        password = answer.value;
      }
      let said = '';
      const check = await this.#run(
        conn,
        { command: "sudo -S -k -p '' true", stdin: `${password}\n` },
        (_s, c) => {
          said += c.toString();
        },
      );
      if (check.exitCode !== 0) {
        const why = said.trim().split('\n').pop() ?? '';
        throw fromInventory
          ? new OperatorError(
              `sudo on ${this.host.name} refused the inventory's ${fromInventory.variable} for ${target.user}: ${why}`,
              `fix ${fromInventory.variable} for ${this.host.name} in the inventory, then resume the run`,
            )
          : new OperatorError(
              `sudo on ${this.host.name} refused the password for ${target.user}: ${why}`,
              'run again and type the right password',
            );
      }
      return password;
    })().catch((error: unknown) => {
      this.#sudo = undefined;
      throw error;
    });
    return this.#sudo;
  }

  async exec(request: ExecRequest, sink: OutputSink, signal?: AbortSignal): Promise<ExecResult> {
    const started = performance.now();
    const conn = await this.#connected();
    let command = request.command;
    let stdin = request.stdin;
    // withSudo() renders `sudo -n …`: when this host's sudo wants a password, the same command
    // runs with `sudo -S` and the password first on stdin, never in the command line.
    if (request.sudo && command.startsWith('sudo -n ')) {
      const password = await this.#sudoPassword(conn);
      if (password !== null) {
        command = `sudo -S -k -p '' ${command.slice('sudo -n '.length)}`;
        stdin = `${password}\n${stdin ?? ''}`;
      }
    }
    const env = { ...this.host.env, ...request.env };
    const exports = Object.entries(env)
      .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
      .map(([k, v]) => `export ${k}=${shellQuote(v)}; `)
      .join('');
    const result = await this.#run(
      conn,
      {
        ...request,
        command: exports + command,
        ...(stdin === undefined ? {} : { stdin }),
      },
      sink,
      signal,
    );
    return { ...result, durationMs: Math.round(performance.now() - started) };
  }

  #run(
    conn: Connection,
    request: ExecRequest,
    sink: OutputSink,
    signal?: AbortSignal,
  ): Promise<ExecResult> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      let timedOut = false;
      let exitCode: number | null = null;
      let exitSignal: string | null = null;
      let pid: number | undefined;
      let stopping = false;
      const timers: NodeJS.Timeout[] = [];
      const running: Running = {
        fail: (error) => {
          finish();
          reject(error);
        },
      };
      const finish = () => {
        for (const t of timers) clearTimeout(t);
        signal?.removeEventListener('abort', stop);
        this.#running.delete(running);
      };
      // OpenSSH 9.2 refuses `signal` channel requests ("session signalling requires privilege
      // separation"), so the command's process group is signalled from a second channel: sshd
      // starts every session with setsid(), which makes the login shell, whose PID the command
      // reports first on stderr, the leader of a group holding the command and its children.
      const kill = (name: 'TERM' | 'KILL') => {
        if (pid === undefined) return;
        conn.client.exec(
          `kill -s ${name} -- -${pid} 2>/dev/null || kill -s ${name} ${pid}`,
          (e, ch) => {
            if (!e) {
              ch.resume();
              ch.stderr.resume();
              ch.end();
            }
          },
        );
      };
      const stop = () => {
        if (stopping) return;
        stopping = true;
        kill('TERM');
        timers.push(setTimeout(() => kill('KILL'), KILL_GRACE_MS));
      };
      this.#running.add(running);
      conn.client.exec(`${PID_PREFIX}${request.command}`, (error, ch) => {
        if (error) {
          running.fail(new Error(`cannot run a command on ${this.host.name}: ${error.message}`));
          return;
        }
        let head: Buffer | null = Buffer.alloc(0);
        ch.on('data', (chunk: Buffer) => sink('stdout', chunk));
        ch.stderr.on('data', (chunk: Buffer) => {
          if (head === null) return sink('stderr', chunk);
          head = Buffer.concat([head, chunk]);
          const eol = head.indexOf(10);
          if (eol < 0 && head.length < 64) return;
          const first = head.subarray(0, eol < 0 ? head.length : eol).toString('latin1');
          const m = /^stepwise-pid:(\d+)$/.exec(first);
          const rest = m ? head.subarray(eol + 1) : head;
          head = null;
          if (m) {
            pid = Number(m[1]);
            if (stopping) {
              stopping = false;
              stop();
            }
          }
          if (rest.length > 0) sink('stderr', rest);
        });
        ch.on('exit', (code: number | null, sig?: string) => {
          exitCode = code;
          if (sig) exitSignal = sig.startsWith('SIG') ? sig : `SIG${sig}`;
        });
        ch.on('close', () => {
          finish();
          if (head !== null && head.length > 0) sink('stderr', head);
          resolve({
            exitCode: exitSignal !== null ? null : exitCode,
            signal: exitSignal,
            timedOut,
            durationMs: Math.round(performance.now() - started),
          });
        });
        ch.end(request.stdin ?? '');
        if (request.timeoutMs !== undefined) {
          timers.push(
            setTimeout(() => {
              timedOut = true;
              stop();
            }, request.timeoutMs),
          );
        }
        if (signal?.aborted) stop();
        else signal?.addEventListener('abort', stop, { once: true });
      });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const c = this.#connection;
    this.#connection = null;
    if (!c) return;
    try {
      const conn = await c;
      conn.client.end();
      for (const hop of conn.hops) hop.end();
    } catch {
      // It never opened.
    }
  }
}

function expandHome(path: string, env: NodeJS.ProcessEnv): string {
  return path.startsWith('~/') ? (env.HOME ?? homedir()) + path.slice(1) : path;
}
