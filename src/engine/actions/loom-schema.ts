/**
 * The `loom:` block of a runbook step (see ./loom-action.ts), apart from the action so that the
 * runbook schema does not load the S3 client. Strings are templates, rendered as text.
 */
import { z } from 'zod';
import { s3ConnectionShape } from '../../s3/step-schema.ts';

const duration = z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'a duration like "15m"');

export const configArchiveArgs = z.strictObject({
  op: z.literal('config-archive'),
  /** Where backup.sh uploads: `s3://bucket/` (or a prefix ending in `/`). */
  url: z.string().min(1),
  /** The chosen archive (a key or name), whose time picks the run. */
  chosen: z.string().min(1),
  /** The hostname in this node's archive names (default: its inventory name). */
  hostname: z.string().min(1).optional(),
  /** How far from the chosen archive's time this node's may be (default 15m). */
  window: duration.default('15m'),
  ...s3ConnectionShape,
});

export const rebuildPeersArgs = z.strictObject({
  op: z.literal('rebuild-peers'),
  /** The role whose hosts are the cluster: each node lists all of them but itself. */
  role: z.string().min(1),
  /** The directory `loom nodekey` runs from on every node. */
  workdir: z.string().min(1),
  /** The systemd unit whose ExecStart carries `--peers`. */
  unit: z.string().min(1),
  /** Where the rebuilt unit is written (same directory as the unit, so a rename installs it). */
  stage: z.string().min(1),
  /** The loom binary, when it is not on the PATH as `loom`. */
  loom: z.string().min(1).default('loom'),
});

/** The `loom:` block of a step. */
export const loomStepSchema = z.discriminatedUnion('op', [configArchiveArgs, rebuildPeersArgs]);
export type LoomStepArgs = z.infer<typeof loomStepSchema>;
