/**
 * What an unfinished multipart upload leaves in the run's state directory so that the next
 * attempt (a retry of the step, or `stepwise resume`) continues it instead of sending every byte
 * again: the upload id, the parts already stored (number, ETag, size) and the source file's size
 * and mtime, so that a file changed since then is never resumed. One versioned JSON file per
 * (host, path, bucket, key), replaced atomically (temp file, fsync, rename) after each part.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';

/** The record format; a newer or unreadable file is ignored (the upload starts again). */
export const UPLOAD_RECORD_VERSION = 1;

const partSchema = z.object({
  partNumber: z.number().int().min(1).max(10_000),
  etag: z.string(),
  size: z.number().int().nonnegative(),
});

const recordSchema = z.object({
  version: z.literal(UPLOAD_RECORD_VERSION),
  endpoint: z.string().nullable(),
  host: z.string(),
  path: z.string(),
  bucket: z.string(),
  key: z.string(),
  uploadId: z.string().min(1),
  partSize: z.number().int().positive(),
  source: z.object({ size: z.number().int().nonnegative(), mtimeMs: z.number() }),
  parts: z.array(partSchema),
});

/** One stored part of an upload. */
export type StoredPart = z.infer<typeof partSchema>;

/** An unfinished multipart upload, as saved. */
export type UploadRecord = z.infer<typeof recordSchema>;

/** Which upload a record belongs to. */
export interface UploadIdentity {
  host: string;
  path: string;
  bucket: string;
  key: string;
}

/** The records of one run, under `<runDir>/s3-uploads/`. */
export class UploadRecords {
  readonly dir: string;
  constructor(runDir: string) {
    this.dir = join(runDir, 's3-uploads');
  }

  fileOf(id: UploadIdentity): string {
    const hash = createHash('sha256')
      .update(JSON.stringify([id.host, id.path, id.bucket, id.key]))
      .digest('hex')
      .slice(0, 24);
    return join(this.dir, `${hash}.json`);
  }

  /** The record of that upload, or undefined if there is none (or it cannot be read). */
  async load(id: UploadIdentity): Promise<UploadRecord | undefined> {
    let text: string;
    try {
      text = await readFile(this.fileOf(id), 'utf8');
    } catch {
      return undefined;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return undefined;
    }
    const parsed = recordSchema.safeParse(json);
    if (!parsed.success) return undefined;
    const r = parsed.data;
    const same = r.host === id.host && r.path === id.path && r.bucket === id.bucket;
    return same && r.key === id.key ? r : undefined;
  }

  /** Removes the record, and temporary files a killed writer left beside it. */
  async remove(id: UploadIdentity): Promise<void> {
    const file = this.fileOf(id);
    const name = basename(file);
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const temporary = names.filter((n) => n.startsWith(`${name}.`) && n.endsWith('.tmp'));
    await Promise.all(
      [file, ...temporary.map((n) => join(this.dir, n))].map((f) => rm(f, { force: true })),
    );
  }

  /** A writer that keeps the record of one upload up to date as parts are stored. */
  writer(record: UploadRecord): RecordWriter {
    return new RecordWriter(this, record);
  }
}

/**
 * Saves one record after each change, one write at a time: changes made while a write is under
 * way are saved by the next write, so a burst of parts costs one or two writes, not one each.
 */
export class RecordWriter {
  readonly #records: UploadRecords;
  readonly record: UploadRecord;
  #writing: Promise<void> | undefined;
  #dirty = false;
  #failure: Error | undefined;

  constructor(records: UploadRecords, record: UploadRecord) {
    this.#records = records;
    this.record = record;
  }

  /** Adds a stored part and saves (in the background; {@link flush} waits). */
  add(part: StoredPart): void {
    this.record.parts = this.record.parts.filter((p) => p.partNumber !== part.partNumber);
    this.record.parts.push(part);
    this.save();
  }

  save(): void {
    this.#dirty = true;
    this.#writing ??= this.#drain();
  }

  /** Waits until the latest state is on disk; throws if a write failed. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
    if (this.#failure) throw this.#failure;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#dirty) {
        this.#dirty = false;
        const r = this.record;
        const snapshot = { ...r, parts: [...r.parts].sort((a, b) => a.partNumber - b.partNumber) };
        await writeAtomically(this.#records.fileOf(r), `${JSON.stringify(snapshot)}\n`);
      }
    } catch (error) {
      this.#failure ??= error as Error;
    } finally {
      this.#writing = undefined;
    }
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const dir = join(file, '..');
  await mkdir(dir, { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}
