/**
 * `loom.not-referenced`: no live node's `--peers` references the backup node, by its key or by
 * its address. The procedure keeps the backup node out of the live nodes' peer lists: it
 * stops every hour for its backup, and a live node that dials it would keep losing a peer.
 */
import { z } from 'zod';
import type { CheckKind } from './kind.ts';
import { referenceFindings } from './loom-backup-node.ts';
import { readNode } from './loom-peers-match-nodekeys.ts';
import { asResults, loomClusterShape, missingSide, splitHosts } from './loom-roles.ts';

const args = z.strictObject(loomClusterShape).prefault({});

export const loomNotReferenced: CheckKind<z.infer<typeof args>> = {
  name: 'loom.not-referenced',
  description: "No live node's --peers references the backup node, by key or by address.",
  args,
  async run(ctx, a, check) {
    const split = splitHosts(ctx.hosts, a.backup_group);
    const missing = missingSide(check.id, ctx.hosts, split, a.backup_group);
    if (missing) return missing;
    const [live, backups] = await Promise.all([
      Promise.all(split.live.map((h) => readNode(ctx, a, h))),
      Promise.all(split.backups.map((h) => readNode(ctx, a, h))),
    ]);
    return asResults(check.id, referenceFindings(live, backups));
  },
};
