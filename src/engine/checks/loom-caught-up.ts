/**
 * `loom.caught-up`: the backup node's block height is at least the highest height among the
 * live nodes, read from each node's own Tendermint RPC (`curl -s <rpc>/status`). backup.sh
 * waits for this before it stops the node: a backup of a node that is behind is stale before
 * it is taken. Use it with `wait:` to wait until it holds.
 */
import { z } from 'zod';
import type { Host } from '../../inventory/types.ts';
import { shellQuote } from '../../runbook/template.ts';
import type { CheckContext, CheckKind } from './kind.ts';
import { caughtUpFindings, parseStatus } from './loom-backup-node.ts';
import { asResults, missingSide, splitHosts } from './loom-roles.ts';

const args = z
  .strictObject({
    /** Each host's RPC address as seen from that host (default `localhost:46657`). */
    rpc: z.string().min(1).default('{{ loom_rpc }}'),
    /** The inventory group of the backup node(s); every other host is a live node. */
    backup_group: z.string().min(1).default('loom_backup'),
  })
  .prefault({});

type Args = z.infer<typeof args>;

async function readStatus(ctx: CheckContext, a: Args, host: Host) {
  const rpc = ctx.text(a.rpc, host);
  const url = /^https?:\/\//.test(rpc) ? rpc : `http://${rpc}`;
  const r = await ctx.exec(
    host,
    `curl -sS --max-time 10 ${shellQuote(`${url.replace(/\/+$/, '')}/status`)}`,
  );
  return { name: host.name, rpc, status: parseStatus(r.stdout, r.exitCode) };
}

export const loomCaughtUp: CheckKind<Args> = {
  name: 'loom.caught-up',
  description:
    "The backup node's latest_block_height is at least the highest among the live nodes (each read from its own RPC).",
  args,
  async run(ctx, a, check) {
    const split = splitHosts(ctx.hosts, a.backup_group);
    const missing = missingSide(check.id, ctx.hosts, split, a.backup_group);
    if (missing) return missing;
    // The live nodes first, the backup node after: a backup node in step with the chain is
    // then never read at an earlier block than they were.
    const live = await Promise.all(split.live.map((h) => readStatus(ctx, a, h)));
    const backups = await Promise.all(split.backups.map((h) => readStatus(ctx, a, h)));
    return asResults(check.id, caughtUpFindings(backups, live));
  },
};
