/**
 * `loom.peer-report`: the procedure's "unexpected IDs, keys or tokens in the logs" problem as a
 * report of every mismatch between the nodes' `--peers` and their `loom nodekey`, one result
 * per problem: stale keys, unknown addresses, self-references, live nodes a peer list misses,
 * the backup node referenced by a live node, its own list of the live nodes, and nodekey
 * errors. For diagnosis: nothing is changed.
 */
import { z } from 'zod';
import type { CheckKind } from './kind.ts';
import { backupPeerFindings, referenceFindings } from './loom-backup-node.ts';
import { comparePeers, type LoomNodeFacts, type PeerFinding, parseNodekey } from './loom-peers.ts';
import { readNode } from './loom-peers-match-nodekeys.ts';
import { asResults, loomClusterShape, splitHosts } from './loom-roles.ts';

const args = z.strictObject(loomClusterShape).prefault({});

/** Every finding for live nodes and backup nodes; pure, so it is tested on strings. */
export function peerReport(
  live: readonly LoomNodeFacts[],
  backups: readonly LoomNodeFacts[],
): PeerFinding[] {
  const backupAddresses = new Set(backups.flatMap((b) => [b.address, b.name]));
  const backupIds = new Set(
    backups.flatMap((b) => {
      const k = parseNodekey(b.nodekeyOutput);
      return 'id' in k ? [k.id] : [];
    }),
  );
  // Entries for the backup node are reported once, by referenceFindings, in its own words.
  const aboutBackup = (f: PeerFinding) =>
    f.status === 'warn' &&
    ((f.evidence.peerAddress !== undefined && backupAddresses.has(f.evidence.peerAddress)) ||
      (f.evidence.found !== undefined && backupIds.has(f.evidence.found)));
  const findings = comparePeers(live).filter((f) => !aboutBackup(f));
  if (backups.length > 0) {
    findings.push(...referenceFindings(live, backups).filter((f) => f.status !== 'pass'));
    for (const b of backups) findings.push(...backupPeerFindings(b, live));
  }
  // One line per host that is entirely fine, so the report names every host.
  const hosts = [...live, ...backups].map((n) => n.name);
  const withProblems = new Set(findings.filter((f) => f.status !== 'pass').map((f) => f.host));
  const clean = findings.filter((f) => f.status === 'pass' && !withProblems.has(f.host));
  const problems = findings.filter((f) => f.status !== 'pass');
  const seen = new Set<string>();
  const passes = clean.filter((f) => !seen.has(f.host) && seen.add(f.host));
  return [...problems, ...passes].sort((x, y) => hosts.indexOf(x.host) - hosts.indexOf(y.host));
}

export const loomPeerReport: CheckKind<z.infer<typeof args>> = {
  name: 'loom.peer-report',
  description:
    'Every mismatch between the --peers lists and `loom nodekey` across the live nodes and the backup node, one result per problem.',
  args,
  async run(ctx, a, check) {
    const split = splitHosts(ctx.hosts, a.backup_group);
    const [live, backups] = await Promise.all([
      Promise.all(split.live.map((h) => readNode(ctx, a, h))),
      Promise.all(split.backups.map((h) => readNode(ctx, a, h))),
    ]);
    return asResults(check.id, peerReport(live, backups));
  },
};
