/**
 * Opens an authenticated ssh2 connection to an endpoint, through its ProxyJump hops, checking
 * every hop's host key against known_hosts. Authentication tries the agent first, then each key
 * file; an encrypted key asks for its passphrase through the injected `askPassphrase`.
 */
import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import ssh2, { type AnyAuthMethod, type Client, type ConnectConfig, type ParsedKey } from 'ssh2';
import { OperatorError } from '../../errors.ts';
import { fingerprint, type KnownKey, knownHostsName, knownKeys } from './known-hosts.ts';

/** One machine to reach, after inventory and ssh config are merged. */
export interface Endpoint {
  /** How the operator knows it (inventory name or hop), for messages. */
  label: string;
  hostname: string;
  port: number;
  user: string;
  identityFiles: string[];
}

/** A host key that known_hosts does not have yet. */
export interface NewHostKey {
  endpoint: Endpoint;
  keyType: string;
  key: Buffer;
  fingerprint: string;
}

/** Thrown when a hop's key is not on file and new keys are not accepted automatically. */
export class UnknownHostKeyError extends OperatorError {
  readonly found: NewHostKey;
  constructor(found: NewHostKey, knownHostsFile: string) {
    super(
      `unknown host key for ${found.endpoint.label} (${knownHostsName(found.endpoint.hostname, found.endpoint.port)}): ${found.keyType} ${found.fingerprint}`,
      `check the fingerprint with the host's owner, then add it to ${knownHostsFile} (ssh-keyscan), or accept it when stepwise asks`,
    );
    this.found = found;
  }
}

/** What the connection needs from its surroundings. */
export interface ConnectContext {
  /** Files read for host keys, in order. */
  knownHostsFiles: string[];
  /** Where new keys are written (the first user file). */
  knownHostsFile: string;
  /** `StrictHostKeyChecking=accept-new`: write unknown keys without asking. */
  acceptNew: boolean;
  /** Called with a key written under acceptNew. */
  onAccepted?: (found: NewHostKey) => Promise<void>;
  /** The ssh-agent socket (`SSH_AUTH_SOCK`). */
  agent?: string;
  /** Asks for a key's passphrase (once per file: the caller caches). */
  askPassphrase: (endpoint: Endpoint, keyFile: string) => Promise<string>;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  readyTimeoutMs: number;
}

/** An open connection and the hops it goes through (closed with it). */
export interface Connection {
  client: Client;
  hops: Client[];
}

/** The key type named inside a public key blob (`ssh-ed25519`, `ssh-rsa`, …). */
export function keyTypeOf(blob: Buffer): string {
  const n = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + n).toString('latin1');
}

/** Host key algorithms to offer for the key types on file, as OpenSSH orders them. */
function hostKeyAlgorithms(keys: KnownKey[]): ConnectConfig['algorithms'] {
  const types = new Set<string>();
  for (const k of keys) {
    if (k.revoked) continue;
    if (k.keyType === 'ssh-rsa')
      for (const t of ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']) types.add(t);
    else types.add(k.keyType);
  }
  return types.size === 0 ? {} : { serverHostKey: [...types] as never };
}

async function loadKey(
  endpoint: Endpoint,
  file: string,
  ctx: ConnectContext,
): Promise<ParsedKey | null> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch {
    return null;
  }
  let parsed = ssh2.utils.parseKey(data);
  if (parsed instanceof Error && /passphrase|encrypted/i.test(parsed.message)) {
    const passphrase = await ctx.askPassphrase(endpoint, file);
    parsed = ssh2.utils.parseKey(data, passphrase);
    if (parsed instanceof Error) {
      throw new OperatorError(
        `the passphrase for ${file} (used for ${endpoint.label}) is wrong: ${parsed.message}`,
        `try again, or load the key into ssh-agent with ssh-add ${file}`,
      );
    }
  }
  if (parsed instanceof Error) return null;
  return Array.isArray(parsed) ? (parsed[0] ?? null) : parsed;
}

/** One hop: TCP (or a forwarded stream), host key check, authentication. */
async function connectOne(endpoint: Endpoint, ctx: ConnectContext, sock?: Duplex): Promise<Client> {
  const known = await knownKeys(ctx.knownHostsFiles, endpoint.hostname, endpoint.port);
  let refusal: Error | undefined;
  let accepted: NewHostKey | undefined;
  const verify = (key: Buffer): boolean => {
    const keyType = keyTypeOf(key);
    const offered = { endpoint, keyType, key, fingerprint: fingerprint(key) };
    const revoked = known.find((k) => k.revoked && k.key.equals(key));
    if (revoked) {
      refusal = new OperatorError(
        `the host key of ${endpoint.label} is revoked (${revoked.file}:${revoked.line}): ${keyType} ${offered.fingerprint}`,
        'do not connect: ask the host owner why it still offers a revoked key',
      );
      return false;
    }
    if (known.some((k) => !k.revoked && k.key.equals(key))) return true;
    const expected = known.filter((k) => !k.revoked);
    if (expected.length > 0) {
      const first = expected[0]!;
      refusal = new OperatorError(
        `the host key of ${endpoint.label} (${knownHostsName(endpoint.hostname, endpoint.port)}) has changed: known_hosts expects ${expected
          .map((k) => `${k.keyType} ${fingerprint(k.key)} (${k.file}:${k.line})`)
          .join(', ')}, the host offered ${keyType} ${offered.fingerprint}`,
        `someone may be intercepting the connection; if the host was really reinstalled, check the new fingerprint with its owner, then remove line ${first.line} of ${first.file} (ssh-keygen -R '${knownHostsName(endpoint.hostname, endpoint.port)}' -f ${first.file})`,
      );
      return false;
    }
    if (ctx.acceptNew) {
      accepted = offered;
      return true;
    }
    refusal = new UnknownHostKeyError(offered, ctx.knownHostsFile);
    return false;
  };

  const keyFiles = [...endpoint.identityFiles];
  let agentTried = ctx.agent === undefined;
  let authError: Error | undefined;
  const authHandler = (
    _left: unknown,
    _partial: boolean,
    next: (method: AnyAuthMethod | false) => void,
  ) => {
    if (!agentTried) {
      agentTried = true;
      next({ type: 'agent', username: endpoint.user, agent: ctx.agent! });
      return;
    }
    const tryNext = async (): Promise<void> => {
      const file = keyFiles.shift();
      if (file === undefined) return next(false);
      const key = await loadKey(endpoint, file, ctx);
      if (key === null) return tryNext();
      next({ type: 'publickey', username: endpoint.user, key } as AnyAuthMethod);
    };
    tryNext().catch((error: Error) => {
      authError = error;
      next(false);
    });
  };

  const client = new ssh2.Client();
  const config: ConnectConfig = {
    host: endpoint.hostname,
    port: endpoint.port,
    username: endpoint.user,
    hostVerifier: verify,
    authHandler: authHandler as ConnectConfig['authHandler'],
    keepaliveInterval: ctx.keepaliveIntervalMs,
    keepaliveCountMax: ctx.keepaliveCountMax,
    readyTimeout: ctx.readyTimeoutMs,
    algorithms: hostKeyAlgorithms(known),
    ...(sock ? { sock } : {}),
  };
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => {
      client.removeListener('ready', onReady);
      client.end();
      if (refusal) return reject(refusal);
      if (authError) return reject(authError);
      if (/authentication methods failed/i.test(error.message)) {
        return reject(
          new OperatorError(
            `could not log in to ${endpoint.label} as ${endpoint.user}: no key was accepted`,
            `tried ${[...(ctx.agent ? ['the ssh-agent'] : []), ...endpoint.identityFiles].join(', ') || 'no keys (no agent, no key file)'}; set ansible_ssh_private_key_file or IdentityFile, or ssh-add the key`,
            undefined,
            { cause: error },
          ),
        );
      }
      reject(
        new Error(
          `cannot connect to ${endpoint.label} (${endpoint.hostname}:${endpoint.port}): ${error.message}`,
          {
            cause: error,
          },
        ),
      );
    };
    const onReady = () => {
      client.removeListener('error', onError);
      resolve();
    };
    client.once('error', onError);
    client.once('ready', onReady);
    client.connect(config);
  });
  // Nagle's algorithm and delayed ACKs added ~80 ms to every command (several small packets
  // each way); OpenSSH sets TCP_NODELAY too.
  client.setNoDelay(true);
  if (accepted) await ctx.onAccepted?.(accepted);
  return client;
}

function forward(via: Client, to: Endpoint): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    via.forwardOut('127.0.0.1', 0, to.hostname, to.port, (error, stream) => {
      if (error) {
        reject(
          new Error(
            `cannot reach ${to.label} (${to.hostname}:${to.port}) through the jump host: ${error.message}`,
          ),
        );
      } else resolve(stream);
    });
  });
}

/** Connects to `target` through `jumps` (first hop first). */
export async function connect(
  target: Endpoint,
  jumps: Endpoint[],
  ctx: ConnectContext,
): Promise<Connection> {
  const hops: Client[] = [];
  try {
    let previous: Client | undefined;
    for (const hop of [...jumps, target]) {
      const sock = previous ? await forward(previous, hop) : undefined;
      const client = await connectOne(hop, ctx, sock);
      hops.push(client);
      previous = client;
    }
    const client = hops.pop()!;
    return { client, hops };
  } catch (error) {
    for (const c of hops) c.end();
    throw error;
  }
}
