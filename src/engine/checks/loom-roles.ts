/**
 * What the backup-node check kinds share: they run on a role holding both the live nodes and
 * the backup node (an Ansible parent group such as `loom` whose children are `loom_nodes` and
 * `loom_backup`), and tell the two apart by the backup node's group.
 */
import { z } from 'zod';
import type { Host } from '../../inventory/types.ts';
import type { CheckResult } from '../events.ts';
import type { PeerFinding } from './loom-peers.ts';

/** `with:` of the backup-node kinds: where loom lives, and which group is the backup node. */
export const loomClusterShape = {
  /** The directory `loom` runs from (holds loom.yml and chaindata/). */
  workdir: z.string().min(1).default('{{ loom_dir }}'),
  /** The systemd unit whose ExecStart carries `--peers`. */
  unit: z.string().min(1).default('{{ unit_file }}'),
  /** The loom binary, when it is not on the PATH as `loom`. */
  loom: z.string().min(1).default('loom'),
  /** The inventory group of the backup node(s); every other host is a live node. */
  backup_group: z.string().min(1).default('loom_backup'),
};

/** The check's hosts split into live nodes and backup nodes, in inventory order. */
export function splitHosts(
  hosts: readonly Host[],
  backupGroup: string,
): { live: Host[]; backups: Host[] } {
  return {
    live: hosts.filter((h) => !h.groups.includes(backupGroup)),
    backups: hosts.filter((h) => h.groups.includes(backupGroup)),
  };
}

/** When the check's hosts lack one side, one failing result per host saying what to fix. */
export function missingSide(
  check: string,
  hosts: readonly Host[],
  split: { live: Host[]; backups: Host[] },
  backupGroup: string,
): CheckResult[] | undefined {
  const missing =
    split.backups.length === 0
      ? `no host of group "${backupGroup}" (the backup node)`
      : split.live.length === 0
        ? `no live node (a host outside group "${backupGroup}")`
        : undefined;
  if (!missing) return undefined;
  return hosts.map((h) => ({
    check,
    host: h.name,
    status: 'fail',
    message: `this check needs the live nodes and the backup node together, and its hosts have ${missing}; run it on a parent group of both`,
    evidence: { expected: 'live nodes and a backup node', found: missing },
  }));
}

/** Findings as check results, one per finding (every problem is its own line). */
export function asResults(check: string, findings: readonly PeerFinding[]): CheckResult[] {
  return findings.map((f) => ({ check, ...f }));
}
