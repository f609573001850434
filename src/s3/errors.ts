/**
 * Turns what the AWS SDK throws into one sentence an operator can act on: rejected
 * credentials, a missing bucket or object, an unreachable endpoint.
 */

/** What failed and what to do about it. */
export interface S3Failure {
  message: string;
  hint: string;
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

/** The network error code under an SDK error, if any (ECONNREFUSED, ECONNRESET, …). */
function networkCode(error: SdkError): string | undefined {
  for (let e: SdkError | undefined = error, i = 0; e && i < 5; e = e.cause as SdkError, i++) {
    if (e.code && /^E[A-Z]+$/.test(e.code)) return e.code;
    if (e.name === 'AbortError') return undefined;
  }
  if (/socket hang up|aborted/i.test(error.message ?? '')) return 'ECONNRESET';
  return undefined;
}

/** `what` names the operation, e.g. `upload /tmp/a.tar → s3://b/a.tar`. */
export function describeS3Error(error: unknown, what: string, endpoint?: string): S3Failure {
  const e = (error ?? {}) as SdkError;
  const where = endpoint ? ` at ${endpoint}` : '';
  const status = e.$metadata?.httpStatusCode;
  switch (e.name) {
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
    case 'InvalidToken':
    case 'ExpiredToken':
      return {
        message: `${what}: S3${where} rejected the credentials (${e.name})`,
        hint: 'check the access key and secret key (or AWS_PROFILE / the profile) for this endpoint',
      };
    case 'AccessDenied':
      return {
        message: `${what}: access denied by S3${where}`,
        hint: 'these credentials may not use this bucket; check its policy',
      };
    case 'NoSuchBucket':
      return {
        message: `${what}: the bucket does not exist${where}`,
        hint: 'check the bucket name, or create it with `stepwise s3 mb s3://BUCKET`',
      };
    case 'NoSuchKey':
    case 'NotFound':
      return {
        message: `${what}: no such object${where}`,
        hint: 'list what is there with `stepwise s3 ls`',
      };
    case 'AbortError':
      return { message: `${what}: cancelled`, hint: 'run it again to transfer it' };
    case 'CredentialsProviderError':
      return {
        message: `${what}: no AWS credentials found`,
        hint: 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or the step’s access_key and secret_key',
      };
  }
  if (/Region is missing/i.test(e.message ?? '')) {
    return {
      message: `${what}: no region is set`,
      hint: 'give --region, AWS_REGION or a profile with a region',
    };
  }
  // The read and connect timeouts (the SDK's and raw-get's own); the SDK also names a hang-up
  // TimeoutError, which stays a failed connection below.
  if (/timed out after|was silent for|did not establish a connection/.test(e.message ?? '')) {
    return {
      message: `${what}: S3${where} stopped answering (${e.message ?? 'timed out'})`,
      hint: 'check that the endpoint is up and not overloaded, then run it again; a slow gateway may need a longer --cli-read-timeout (or read_timeout on the step); nothing partial was kept',
    };
  }
  const code = networkCode(e);
  if (code) {
    return {
      message: `${what}: the connection to S3${where} failed (${code})`,
      hint: 'check that the endpoint is up and reachable from here; nothing partial was kept',
    };
  }
  // A 403 without an error body: HEAD requests (a download's first call) never carry one, so a
  // wrong secret key and a bucket policy that says no look the same here.
  if (
    status === 403 &&
    (!e.name?.match(/^[A-Z]/) || /^(Forbidden|Unknown(Error)?)$/.test(e.name))
  ) {
    return {
      message: `${what}: S3${where} refused the request (HTTP 403, no reason given)`,
      hint: 'check the access key and secret key for this endpoint, and that the bucket policy lets them use this bucket',
    };
  }
  return {
    message: `${what}: ${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message ?? String(error)}${status ? ` (HTTP ${status})` : ''}`,
    hint: 'see the message above',
  };
}

/** An S3 failure with its hint, thrown by the transfer functions. */
export class S3Error extends Error {
  override readonly name = 'S3Error';
  readonly hint: string;
  constructor(failure: S3Failure, options?: { cause?: unknown }) {
    super(failure.message, options);
    this.hint = failure.hint;
  }
}

/** Wraps an SDK call so that what it throws becomes an {@link S3Error}. */
export async function attempt<T>(what: string, endpoint: string | undefined, f: () => Promise<T>) {
  try {
    return await f();
  } catch (error) {
    if (error instanceof S3Error) throw error;
    throw new S3Error(describeS3Error(error, what, endpoint), { cause: error });
  }
}
