/**
 * How stepwise reaches S3: the standard AWS credential chain, profile and region, or an
 * S3-compatible gateway (Ceph RGW, s3rver) at a custom endpoint. The AWS SDK is imported on
 * first use only, so commands that never touch S3 start without loading it.
 */
import type { S3Client } from '@aws-sdk/client-s3';

/** Connection settings; every field is optional and falls back to the SDK's own chain. */
export interface S3Config {
  /** e.g. `http://10.0.0.5:7480`; defaults to AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL. */
  endpoint?: string;
  region?: string;
  profile?: string;
  /** Path-style addressing (`host/bucket/key`); default: on for custom endpoints. */
  pathStyle?: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  /**
   * The SDK's request checksums and response validation. `when-required` is the default for
   * custom endpoints: older gateways store a streamed upload's aws-chunked framing inside the
   * object (seen with s3rver), silently corrupting it.
   */
  checksums?: 'when-required' | 'when-supported';
  /**
   * Give up on a connection that sends nothing for this long (the aws CLI's `--cli-read-timeout`,
   * 60 s by default; 0: wait forever). A gateway that hangs mid-transfer fails the transfer
   * instead of stalling it with nothing on screen.
   */
  readTimeoutMs?: number;
  /** Give up on a connection not made within this long (`--cli-connect-timeout`, 60 s; 0: never). */
  connectTimeoutMs?: number;
}

/** The aws CLI's defaults for both. */
const DEFAULT_TIMEOUT_MS = 60_000;

/** The settings after environment defaults, as the client is built from them. */
export interface ResolvedS3Config {
  endpoint: string | undefined;
  region: string | undefined;
  profile: string | undefined;
  pathStyle: boolean;
  checksums: 'when-required' | 'when-supported';
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** 0: none. */
  readTimeoutMs: number;
  connectTimeoutMs: number;
}

/** Fills in what the environment says (the aws CLI's variables) and the gateway defaults. */
export function resolveS3Config(
  config: S3Config,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedS3Config {
  const endpoint = config.endpoint || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  const custom = endpoint !== undefined;
  if ((config.accessKeyId === undefined) !== (config.secretAccessKey === undefined)) {
    throw new Error('an access key needs its secret key, and a secret key its access key');
  }
  return {
    endpoint,
    // The SDK insists on a region even for a gateway that ignores it.
    region:
      config.region ||
      env.AWS_REGION ||
      env.AWS_DEFAULT_REGION ||
      (custom ? 'us-east-1' : undefined),
    profile: config.profile || undefined,
    pathStyle: config.pathStyle ?? custom,
    checksums: config.checksums ?? (custom ? 'when-required' : 'when-supported'),
    credentials:
      config.accessKeyId && config.secretAccessKey
        ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
        : undefined,
    readTimeoutMs: config.readTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    connectTimeoutMs: config.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
}

/** Builds a client; the SDK is loaded here, on first use. */
export async function s3Client(
  config: S3Config,
  env: NodeJS.ProcessEnv = process.env,
): Promise<S3Client> {
  const r = resolveS3Config(config, env);
  const { S3Client } = await import('@aws-sdk/client-s3');
  const { withRawBodies } = await import('./raw-get.ts');
  const checksum = r.checksums === 'when-required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
  const client = new S3Client({
    ...(r.endpoint ? { endpoint: r.endpoint } : {}),
    ...(r.region ? { region: r.region } : {}),
    ...(r.profile ? { profile: r.profile } : {}),
    ...(r.credentials ? { credentials: r.credentials } : {}),
    forcePathStyle: r.pathStyle,
    requestChecksumCalculation: checksum,
    responseChecksumValidation: checksum,
    // A dead gateway must fail the transfer, not retry it for minutes.
    maxAttempts: 3,
    // socketTimeout is the SDK's inactivity timeout (its requestTimeout bounds a whole
    // request, and by default only warns).
    requestHandler: {
      ...(r.readTimeoutMs > 0 ? { socketTimeout: r.readTimeoutMs } : {}),
      ...(r.connectTimeoutMs > 0 ? { connectionTimeout: r.connectTimeoutMs } : {}),
    },
  });
  // Object downloads read their bodies off the socket (./raw-get.ts); everything else as before.
  return withRawBodies(client, r.readTimeoutMs);
}
