/** `s3://bucket/key` URLs, as the aws CLI writes them. */

/** A bucket and a key (or key prefix; empty for the whole bucket). */
export interface S3Location {
  bucket: string;
  key: string;
}

/** Whether a CLI argument or step field names an S3 location rather than a path. */
export function isS3Url(value: string): boolean {
  return value.startsWith('s3://');
}

/** Parses `s3://bucket/key`; throws with the offending value when it is not one. */
export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new Error(`not an s3://bucket/key URL: ${url}`);
  return { bucket: m[1]!, key: m[2]! };
}

export function formatS3Url(loc: S3Location): string {
  return `s3://${loc.bucket}/${loc.key}`;
}

/** The key prefix for the objects "under" a location: `a/b` and `a/b/` both mean `a/b/`. */
export function dirPrefix(key: string): string {
  return key === '' || key.endsWith('/') ? key : `${key}/`;
}
