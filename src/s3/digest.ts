/**
 * Verifies transfers against S3's ETag, computed locally while the bytes stream past. A plain
 * upload's ETag is the MD5 of the object; a multipart upload's is the MD5 of the parts' MD5s
 * followed by `-N` (N parts), which needs the part size the uploader used. Some gateways
 * (s3rver) give multipart objects a plain MD5 instead, so both forms are accepted.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Part sizes in common use (lib-storage 5 MiB, aws CLI 8 MiB, s3cmd 15 MiB, …). */
const COMMON_PART_SIZES = [5, 8, 15, 16, 32, 50, 64, 100, 128, 256, 512].map(
  (m) => m * 1024 * 1024,
);

/** One multipart layout being hashed. */
class Parts {
  readonly size: number;
  readonly digests: Buffer[] = [];
  #hash: Hash = createHash('md5');
  #filled = 0;
  constructor(size: number) {
    this.size = size;
  }
  update(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(this.size - this.#filled, chunk.length - offset);
      this.#hash.update(chunk.subarray(offset, offset + n));
      this.#filled += n;
      offset += n;
      if (this.#filled === this.size) this.#cut();
    }
  }
  #cut(): void {
    this.digests.push(this.#hash.digest());
    this.#hash = createHash('md5');
    this.#filled = 0;
  }
  etag(): string {
    if (this.#filled > 0) this.#cut();
    const all = createHash('md5');
    for (const d of this.digests) all.update(d);
    return `${all.digest('hex')}-${this.digests.length}`;
  }
}

/** How an ETag compares with the bytes that went by. */
export type EtagVerdict = 'match' | 'mismatch' | 'unknown';

/** Strips the quotes S3 puts around ETags. */
export function bareEtag(etag: string | undefined): string {
  return (etag ?? '').replaceAll('"', '');
}

/** The part count in a multipart ETag, or undefined for a plain one. */
export function etagParts(etag: string): number | undefined {
  const m = /-(\d+)$/.exec(bareEtag(etag));
  return m ? Number(m[1]) : undefined;
}

/** Part sizes that would give `parts` parts for `size` bytes, the likeliest first. */
export function candidatePartSizes(size: number, parts: number, hint?: number): number[] {
  const fits = (p: number) => p > 0 && Math.ceil(size / p) === parts;
  const mib = 1024 * 1024;
  const even = Math.ceil(size / parts / mib) * mib;
  return [...new Set([hint ?? 0, ...COMMON_PART_SIZES, even])].filter(fits);
}

/**
 * A pass-through stream that counts and hashes. `check` (if given) runs at the end and may
 * fail the stream, so a writer that renames only on success never publishes bad bytes.
 */
export class Digest extends Transform {
  bytes = 0;
  readonly #whole: Hash | undefined;
  readonly #parts: Parts[];
  readonly #onBytes: ((n: number) => void) | undefined;
  readonly #check: ((d: Digest) => Error | undefined) | undefined;
  #md5: string | undefined;

  constructor(o: {
    whole: boolean;
    partSizes?: readonly number[];
    onBytes?: (n: number) => void;
    check?: (d: Digest) => Error | undefined;
  }) {
    super();
    this.#whole = o.whole ? createHash('md5') : undefined;
    this.#parts = (o.partSizes ?? []).map((s) => new Parts(s));
    this.#onBytes = o.onBytes;
    this.#check = o.check;
  }

  override _transform(chunk: Buffer, _: BufferEncoding, done: TransformCallback): void {
    this.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    done(this.problem() ?? null);
  }

  /** Counts and hashes a chunk that does not flow through the stream (a drained body's). */
  update(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.#whole?.update(chunk);
    for (const p of this.#parts) p.update(chunk);
    this.#onBytes?.(chunk.length);
  }

  /** What `check` says once every byte went by. */
  problem(): Error | undefined {
    return this.#check?.(this);
  }

  /** The MD5 of everything, once the stream ended. */
  md5(): string | undefined {
    if (this.#whole && this.#md5 === undefined) this.#md5 = this.#whole.digest('hex');
    return this.#md5;
  }

  /** Compares an ETag with what was hashed; `unknown` when no hashed form applies. */
  verdict(etag: string | undefined): EtagVerdict {
    const bare = bareEtag(etag);
    if (bare === '') return 'unknown';
    const parts = etagParts(bare);
    if (parts === undefined) {
      const md5 = this.md5();
      return md5 === undefined ? 'unknown' : md5 === bare ? 'match' : 'mismatch';
    }
    const tried = this.#parts.map((p) => p.etag());
    if (tried.length === 0) return 'unknown';
    return tried.includes(bare) ? 'match' : 'mismatch';
  }
}
