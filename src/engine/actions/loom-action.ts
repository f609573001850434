/**
 * The `loom:` step action: the two parts of a Loom restore a shell command cannot do on one host.
 *
 * - `op: config-archive` finds, in S3, this node's config archive from the same backup.sh run as
 *   the one the operator chose (every node names its archive with its own clock's seconds), and
 *   prints `key=<key>` for a capture.
 * - `op: rebuild-peers` (NODE_KEYS) rebuilds this node's `--peers` from the other nodes' current
 *   inventory addresses and their `loom nodekey`, and writes the rebuilt unit beside the live one
 *   (`stage`), never over it: a following step shows the diff, asks, and moves it into place.
 *   When the restored list is already right it says so and stages nothing.
 */
import { posix } from 'node:path';
import type { z } from 'zod';
import { shellQuote } from '../../runbook/template.ts';
import { resolveS3Config, s3Client } from '../../s3/config.ts';
import { listObjects } from '../../s3/objects.ts';
import { connectionConfig } from '../../s3/step-schema.ts';
import { parseS3Url } from '../../s3/url.ts';
import type { Transport } from '../../transports/transport.ts';
import { durationMs } from '../duration.ts';
import type { ActionContext, StepAction } from './action.ts';
import { closestArchive, datePrefixes, parseArchiveName } from './loom-archives.ts';
import { describeRebuild, RebuildError, rebuildPeers } from './loom-rebuild-peers.ts';
import {
  type configArchiveArgs,
  type LoomStepArgs,
  loomStepSchema,
  rebuildPeersArgs,
} from './loom-schema.ts';

const failure = (message: string, hint: string) => Object.assign(new Error(message), { hint });

/**
 * Every node of a rebuild reads every other node's `loom nodekey` at the same moment, so one
 * connection could get a probe from each of the others at once; sshd allows 10 sessions per
 * connection (MaxSessions). At most this many of these probes share a connection at a time.
 */
const PROBES_PER_CONNECTION = 4;
const probeSlots = new WeakMap<Transport, { active: number; waiting: (() => void)[] }>();

async function limited<T>(transport: Transport, probe: () => Promise<T>): Promise<T> {
  const slots = probeSlots.get(transport) ?? { active: 0, waiting: [] };
  probeSlots.set(transport, slots);
  while (slots.active >= PROBES_PER_CONNECTION) {
    await new Promise<void>((resolve) => slots.waiting.push(resolve));
  }
  slots.active++;
  try {
    return await probe();
  } finally {
    slots.active--;
    slots.waiting.shift()?.();
  }
}

/** Runs a command on a host, collecting its output. */
async function sh(
  ctx: ActionContext,
  transport: ActionContext['transport'],
  command: string,
  stdin?: string,
) {
  let stdout = '';
  let stderr = '';
  const r = await transport.exec(
    { command, ...(stdin === undefined ? {} : { stdin }) },
    (stream, chunk) => {
      if (stream === 'stdout') stdout += chunk.toString();
      else stderr += chunk.toString();
    },
    ctx.signal,
  );
  return { exitCode: r.exitCode, stdout, stderr: stderr.trim() };
}

async function configArchive(
  ctx: ActionContext,
  a: z.infer<typeof configArchiveArgs>,
): Promise<string> {
  const chosen = parseArchiveName(a.chosen);
  if (!chosen) {
    throw failure(
      `${a.chosen} is not named like a backup.sh archive (<YYYY-mm-dd--HHMMSS>-<hostname>.tar.bz2)`,
      'choose one of the config archives backup.sh uploaded',
    );
  }
  const hostname = a.hostname ?? ctx.host.name;
  const windowMs = durationMs(a.window)!;
  const base = parseS3Url(a.url);
  const dir = base.key === '' || base.key.endsWith('/') ? base.key : `${base.key}/`;
  const config = connectionConfig(a);
  const client = await s3Client(config);
  try {
    const keys: string[] = [];
    for (const day of datePrefixes(chosen.time, windowMs)) {
      const l = await listObjects(
        client,
        resolveS3Config(config).endpoint,
        { bucket: base.bucket, key: `${dir}${day}` },
        { signal: ctx.signal },
      );
      keys.push(...l.objects.map((o) => o.key));
    }
    const found = closestArchive(keys, chosen, hostname, windowMs);
    if (!found) {
      throw failure(
        `no config archive of ${hostname} within ${a.window} of ${chosen.stamp} in s3://${base.bucket}/${dir}`,
        `check that backup.sh runs on ${hostname} with its config (and names it ${hostname}), or choose another config backup`,
      );
    }
    ctx.output(`${ctx.host.name}: config archive ${found.key} (${chosen.stamp} was chosen)`);
    ctx.output(`key=${found.key}`);
    return `${ctx.host.name} gets ${found.key}`;
  } finally {
    client.destroy();
  }
}

async function rebuild(ctx: ActionContext, a: z.infer<typeof rebuildPeersArgs>): Promise<string> {
  const q = shellQuote;
  if (posix.dirname(a.stage) !== posix.dirname(a.unit)) {
    throw failure(
      `the stage ${a.stage} is not in the unit's directory ${posix.dirname(a.unit)}`,
      'stage beside the unit, so that moving it into place is one atomic rename',
    );
  }
  const cluster = ctx.hostsOf(a.role);
  if (!cluster.some((n) => n.host.name === ctx.host.name)) {
    throw failure(
      `${ctx.host.name} is not in role ${a.role}`,
      `run the step on: ${a.role}, the nodes whose --peers are rebuilt`,
    );
  }
  const others = cluster.filter((n) => n.host.name !== ctx.host.name);
  const [unit, ...keys] = await Promise.all([
    sh(ctx, ctx.transport, `cat -- ${q(a.unit)}`),
    ...others.map((n) => {
      // Each node's own working directory and loom binary (they may differ per host).
      const own = rebuildPeersArgs.parse(n.block);
      const probe = () => sh(ctx, n.transport, `cd ${q(own.workdir)} && ${q(own.loom)} nodekey`);
      return limited(n.transport, probe).then((r) => ({
        name: n.host.name,
        address: n.host.address,
        nodekeyOutput: r.stdout,
      }));
    }),
  ]);
  if (unit!.exitCode !== 0) {
    throw failure(
      `could not read ${a.unit} on ${ctx.host.name}: ${unit!.stderr || `exit ${unit!.exitCode}`}`,
      'restore the unit from the node’s config backup first',
    );
  }
  let result: ReturnType<typeof rebuildPeers>;
  try {
    result = rebuildPeers({ name: ctx.host.name, unitText: unit!.stdout, unitPath: a.unit }, keys);
  } catch (error) {
    if (error instanceof RebuildError) throw failure(error.message, error.hint);
    throw error;
  }
  for (const line of describeRebuild(ctx.host.name, result)) ctx.output(line);
  if (!result.changed) {
    // A stage left by an earlier attempt must not be installed by the next step.
    await sh(ctx, ctx.transport, `sudo -n rm -f -- ${q(a.stage)}`);
    return `${ctx.host.name}: --peers already right, nothing staged`;
  }
  // Written under a temporary name and renamed, with the unit's owner and mode, as root.
  const tmp = `${a.stage}.partial`;
  const write = `cat > ${q(tmp)} && chmod --reference=${q(a.unit)} ${q(tmp)} && chown --reference=${q(a.unit)} ${q(tmp)} && mv -f -- ${q(tmp)} ${q(a.stage)}`;
  const w = await sh(ctx, ctx.transport, `sudo -n sh -c ${q(write)}`, result.unitText);
  if (w.exitCode !== 0) {
    throw failure(
      `could not write ${a.stage} on ${ctx.host.name}: ${w.stderr || `exit ${w.exitCode}`}`,
      `the connecting user needs passwordless sudo on ${ctx.host.name} (sudo -n)`,
    );
  }
  return `${ctx.host.name}: rebuilt --peers staged at ${a.stage}`;
}

export const loomAction: StepAction<LoomStepArgs> = {
  name: 'loom',
  description: 'Loom restore helpers: find a node’s config archive, rebuild --peers (NODE_KEYS)',
  args: loomStepSchema,
  describe: (a) =>
    a.op === 'config-archive'
      ? `loom config-archive: this node's archive in ${a.url} from the run of ${a.chosen}`
      : `loom rebuild-peers: --peers of ${a.unit} from role ${a.role}'s addresses and loom nodekey → ${a.stage}`,
  async run(ctx, a) {
    const summary = a.op === 'config-archive' ? await configArchive(ctx, a) : await rebuild(ctx, a);
    return { summary };
  },
};
