/**
 * `loom.peers-match-nodekeys`: on every node of the role, reads `loom nodekey` (from the
 * node's working directory) and the service unit's `--peers`, then checks that every node
 * lists every other node under the key that node really has. The Loom procedure warns that
 * `chaindata/config/node_key.json` and `--peers` are the same key in two formats, and a
 * mismatch only shows later as "unexpected IDs" in the logs.
 */
import { z } from 'zod';
import type { Host } from '../../inventory/types.ts';
import { shellQuote } from '../../runbook/template.ts';
import type { CheckContext, CheckKind } from './kind.ts';
import { comparePeers, type LoomNodeFacts, verdictsByHost } from './loom-peers.ts';

/** `with:` of the check; every value is a text template rendered per host. */
export const loomPeersArgs = z
  .strictObject({
    /** The directory `loom` runs from (holds loom.yml and chaindata/). */
    workdir: z.string().min(1).default('{{ loom_dir }}'),
    /** The systemd unit whose ExecStart carries `--peers`. */
    unit: z.string().min(1).default('{{ unit_file }}'),
    /** The loom binary, when it is not on the PATH as `loom`. */
    loom: z.string().min(1).default('loom'),
  })
  .prefault({});

export type LoomPeersArgs = z.infer<typeof loomPeersArgs>;

const STDERR_TAIL = 200;

/** `loom nodekey` (from the working directory) and the unit file of one host. */
export async function readNode(
  ctx: CheckContext,
  args: LoomPeersArgs,
  host: Host,
): Promise<LoomNodeFacts> {
  const workdir = ctx.text(args.workdir, host);
  const unitPath = ctx.text(args.unit, host);
  const loom = ctx.text(args.loom, host);
  const nodekey = await ctx.exec(host, `cd ${shellQuote(workdir)} && ${shellQuote(loom)} nodekey`);
  const unit = await ctx.exec(host, `cat ${shellQuote(unitPath)}`);
  const unitOk = unit.exitCode === 0;
  return {
    name: host.name,
    address: host.address,
    nodekeyOutput: nodekey.stdout,
    nodekeyExit: nodekey.exitCode,
    unitText: unitOk ? unit.stdout : null,
    unitPath,
    unitError: unitOk
      ? undefined
      : unit.stderr.trim().slice(-STDERR_TAIL) || `cat exited ${unit.exitCode}`,
  };
}

export const loomPeersMatchNodekeys: CheckKind<LoomPeersArgs> = {
  name: 'loom.peers-match-nodekeys',
  description:
    "Every node's --peers lists every other node of the role under that node's current `loom nodekey`.",
  args: loomPeersArgs,
  async run(ctx, args, check) {
    // Hosts in parallel, the two probes on one host one after the other.
    const facts = await Promise.all(ctx.hosts.map((host) => readNode(ctx, args, host)));
    return verdictsByHost(facts, comparePeers(facts)).map((v) => ({ check: check.id, ...v }));
  },
};
