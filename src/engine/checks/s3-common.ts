/**
 * What the `s3.*` check kinds share: their connection arguments (templates rendered per host),
 * a client for one probe, and a verdict per host. The probes are read-only S3 API calls made
 * from the operator's machine; a check's `on:` only picks whose parameters it renders.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { Host } from '../../inventory/types.ts';
import { resolveS3Config, s3Client } from '../../s3/config.ts';
import { connectionConfig, s3ConnectionShape } from '../../s3/step-schema.ts';
import type { CheckResult, Evidence } from '../events.ts';
import type { CheckContext } from './kind.ts';

/** A check waits this long for S3 before it fails. */
const PROBE_TIMEOUT_MS = 30_000;

/** `url` plus the connection fields of an `s3:` step. */
export const s3CheckShape = { url: z.string().min(1), ...s3ConnectionShape };

type Connection = z.infer<z.ZodObject<typeof s3ConnectionShape>>;

/** Runs `probe` with a client for `host`'s rendered connection settings. */
export async function probeS3<T>(
  ctx: CheckContext,
  host: Host,
  args: Connection,
  probe: (client: S3Client, endpoint: string | undefined, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const rendered = Object.fromEntries(
    Object.entries(args).map(([k, v]) => [k, typeof v === 'string' ? ctx.text(v, host) : v]),
  ) as Connection;
  const config = connectionConfig(rendered);
  const client = await s3Client(config);
  try {
    return await probe(
      client,
      resolveS3Config(config).endpoint,
      AbortSignal.timeout(PROBE_TIMEOUT_MS),
    );
  } finally {
    client.destroy();
  }
}

/** One result per host of the check, each from its own probe. */
export function perHost(
  ctx: CheckContext,
  check: string,
  verdict: (host: Host) => Promise<{ ok: boolean; message: string; evidence: Evidence }>,
): Promise<CheckResult[]> {
  return Promise.all(
    ctx.hosts.map(async (host) => {
      const v = await verdict(host);
      return {
        check,
        host: host.name,
        status: v.ok ? 'pass' : 'fail',
        message: v.message,
        evidence: v.evidence,
      } as const;
    }),
  );
}

/** `5.2 h`, for ages in messages. */
export function hours(ms: number): string {
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
