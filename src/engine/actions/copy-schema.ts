/**
 * The `copy:` block of a runbook step: a file moved from one host to another, through the
 * operator's machine (SFTP read, SFTP write) or directly between the hosts (the source host runs
 * `ssh DEST`, over the hosts' own trust). Both ends are `HOST:path`, or just `path` for the host
 * the step runs on, so `on: replicas` with `from: primary:/backup.tar` fans a tarball out.
 */
import { z } from 'zod';

/** `db1:/var/backups/x.tar.gz` (a host or one-host group) or `/var/backups/x.tar.gz` (the step's host). */
const endpoint = z
  .string()
  .min(1)
  .refine((s) => parseEndpoint(s).path !== '', 'HOST:PATH or PATH, with a path after the colon');

export const copyStepSchema = z.strictObject({
  from: endpoint,
  to: endpoint,
  /** `operator` (default): through this machine's SFTP; `direct`: the source host sends it. */
  via: z.enum(['operator', 'direct']).default('operator'),
  /** Compare sha256 sums of the two ends after the copy (size is always compared). */
  checksum: z.boolean().default(true),
});

export type CopyStepArgs = z.infer<typeof copyStepSchema>;

/** One end of a copy: `host` undefined means the host the step runs on. */
export interface Endpoint {
  host?: string;
  path: string;
}

/** Splits `HOST:path`; a value starting with `/`, `~` or `.` is a path on the step's host. */
export function parseEndpoint(value: string): Endpoint {
  const m = /^([A-Za-z0-9_][A-Za-z0-9_.-]*):(.*)$/.exec(value);
  if (!m || /^[/~.]/.test(value)) return { path: value };
  return { host: m[1]!, path: m[2]! };
}
