/**
 * Reads and appends OpenSSH known_hosts files: plain and hashed (`|1|salt|hash`) host patterns,
 * `[host]:port` for ports other than 22, `*`/`?` wildcards, `!` negation, `@revoked` markers.
 * Keys are compared as raw bytes, as OpenSSH does.
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One key line that applies to a host. */
export interface KnownKey {
  keyType: string;
  /** The raw public key blob. */
  key: Buffer;
  file: string;
  /** 1-based, for "fix line N of FILE". */
  line: number;
  revoked: boolean;
}

/** The name a host has in known_hosts: `address`, or `[address]:port` when the port is not 22. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

/** `SHA256:…` as `ssh-keygen -lf` prints it. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

function globMatch(pattern: string, name: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\[/g, '\\[')
    .replace(/\]/g, '\\]');
  return new RegExp(`^${re.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(name);
}

function hashedMatch(entry: string, name: string): boolean {
  const [, magic, salt, hash] = entry.split('|');
  if (magic !== '1' || salt === undefined || hash === undefined) return false;
  const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return mac === hash;
}

/** Whether a comma-separated host field matches `name` (any positive match, no negated one). */
function fieldMatches(field: string, name: string): boolean {
  let matched = false;
  for (const raw of field.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    const hit = pattern.startsWith('|') ? hashedMatch(pattern, name) : globMatch(pattern, name);
    if (hit && negated) return false;
    if (hit) matched = true;
  }
  return matched;
}

/** Every key line in `files` that applies to `address:port`. Missing files have none. */
export async function knownKeys(
  files: readonly string[],
  address: string,
  port: number,
): Promise<KnownKey[]> {
  const name = knownHostsName(address, port);
  const found: KnownKey[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    text.split('\n').forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const parts = line.split(/\s+/);
      let marker: string | undefined;
      if (parts[0]?.startsWith('@')) marker = parts.shift();
      // Certificate authorities sign host certificates, which ssh2 does not verify.
      if (marker === '@cert-authority') return;
      const [hosts, keyType, blob] = parts;
      if (hosts === undefined || keyType === undefined || blob === undefined) return;
      if (!fieldMatches(hosts, name)) return;
      found.push({
        keyType,
        key: Buffer.from(blob, 'base64'),
        file,
        line: i + 1,
        revoked: marker === '@revoked',
      });
    });
  }
  return found;
}

/** Appends a key for `address:port`, as OpenSSH does on accepting a new host (not hashed). */
export async function appendKnownHost(
  file: string,
  address: string,
  port: number,
  keyType: string,
  key: Buffer,
): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  try {
    const text = await readFile(file, 'utf8');
    if (text !== '' && !text.endsWith('\n')) prefix = '\n';
  } catch {
    // A new file.
  }
  await appendFile(
    file,
    `${prefix}${knownHostsName(address, port)} ${keyType} ${key.toString('base64')}\n`,
    { mode: 0o600 },
  );
}
