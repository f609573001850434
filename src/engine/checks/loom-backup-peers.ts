/**
 * `loom.backup-peers`: the backup node's `--peers` lists every live node at its address, under
 * the key that node's `loom nodekey` prints. A backup node that misses a live node, or knows
 * it by an old key, follows the chain through fewer peers than it seems to.
 */
import { z } from 'zod';
import type { CheckKind } from './kind.ts';
import { backupPeerFindings, nodekeyProblem } from './loom-backup-node.ts';
import { readNode } from './loom-peers-match-nodekeys.ts';
import { asResults, loomClusterShape, missingSide, splitHosts } from './loom-roles.ts';

const args = z.strictObject(loomClusterShape).prefault({});

export const loomBackupPeers: CheckKind<z.infer<typeof args>> = {
  name: 'loom.backup-peers',
  description:
    "The backup node's --peers lists every live node at its address with that node's current `loom nodekey`.",
  args,
  async run(ctx, a, check) {
    const split = splitHosts(ctx.hosts, a.backup_group);
    const missing = missingSide(check.id, ctx.hosts, split, a.backup_group);
    if (missing) return missing;
    const [live, backups] = await Promise.all([
      Promise.all(split.live.map((h) => readNode(ctx, a, h))),
      Promise.all(split.backups.map((h) => readNode(ctx, a, h))),
    ]);
    const findings = backups.flatMap((b) => backupPeerFindings(b, live));
    // The live nodes' own results: the key the backup node's entries were compared with.
    for (const node of live) {
      const problem = nodekeyProblem(node, 'live node');
      findings.push(
        problem ?? {
          host: node.name,
          status: 'pass',
          message: `${node.name} is ${node.nodekeyOutput.trim()} at ${node.address}`,
          evidence: { host: node.name, found: node.nodekeyOutput.trim() },
        },
      );
    }
    return asResults(check.id, findings);
  },
};
