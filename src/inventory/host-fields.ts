/**
 * Maps a host's merged Ansible variables onto how stepwise reaches it: address, port, user, key,
 * connection and environment. A value that cannot be right is an error naming host and value.
 */
import { describe } from '../runbook/zod-findings.ts';
import type { Host } from './types.ts';

/** A variable's value and where it was set in the inventory file. */
export interface SourcedVar {
  value: unknown;
  at: readonly PropertyKey[];
}

/** A variable value that does not fit, and where it was set (often a group, shared by hosts). */
export interface VarIssue {
  at: readonly PropertyKey[];
  what: string;
}

/** The `Host` for merged variables, with the values that do not fit. */
export function hostFromVars(
  name: string,
  vars: ReadonlyMap<string, SourcedVar>,
  groups: string[],
): { host: Host; issues: VarIssue[] } {
  const issues: VarIssue[] = [];
  const bad = (v: SourcedVar, what: string) => issues.push({ at: v.at, what });
  // The `ansible_ssh_*` spellings are the pre-2.0 names Ansible still accepts.
  const pick = (...keys: string[]) => keys.map((k) => vars.get(k)).find((v) => v !== undefined);
  const text = (v: SourcedVar | undefined, key: string): string | undefined => {
    if (v === undefined || v.value === null) return undefined;
    if (typeof v.value === 'string' || typeof v.value === 'number') return String(v.value);
    bad(v, `${key} must be a single value, got ${describe(v.value)}`);
    return undefined;
  };

  const host: Host = {
    name,
    address: text(pick('ansible_host', 'ansible_ssh_host'), 'ansible_host') ?? name,
    connection: 'ssh',
    env: {},
    vars: Object.fromEntries([...vars].map(([k, v]) => [k, v.value])),
    groups,
  };

  const port = pick('ansible_port', 'ansible_ssh_port');
  const portText = text(port, 'ansible_port');
  if (port !== undefined && portText !== undefined) {
    const n = Number(portText);
    if (/^\d+$/.test(portText) && n >= 1 && n <= 65535) host.port = n;
    else bad(port, `ansible_port must be a port number (1-65535), got ${describe(port.value)}`);
  }
  const user = text(pick('ansible_user', 'ansible_ssh_user'), 'ansible_user');
  if (user !== undefined) host.user = user;
  const key = text(pick('ansible_ssh_private_key_file'), 'ansible_ssh_private_key_file');
  if (key !== undefined) host.privateKeyFile = key;

  const connection = pick('ansible_connection');
  const how = text(connection, 'ansible_connection');
  if (connection !== undefined && how !== undefined) {
    if (how === 'local' || how === 'ssh') host.connection = how;
    else
      bad(
        connection,
        `ansible_connection ${describe(connection.value)} is not supported (use ssh or local)`,
      );
  }

  const env = vars.get('stepwise_env');
  if (env !== undefined && env.value !== null) {
    if (typeof env.value !== 'object' || Array.isArray(env.value)) {
      bad(env, `stepwise_env must be a map of environment variables, got ${describe(env.value)}`);
    } else {
      for (const [k, v] of Object.entries(env.value)) {
        if (v === null || ['string', 'number', 'boolean'].includes(typeof v))
          host.env[k] = v === null ? '' : String(v);
        else
          bad(
            { value: v, at: [...env.at, k] },
            `stepwise_env.${k} must be a single value, got ${describe(v)}`,
          );
      }
    }
  }
  return { host, issues };
}
