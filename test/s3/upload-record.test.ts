/**
 * The record of an unfinished upload: saved atomically as parts arrive, read back only when it
 * is intact, of this format version, and for the same upload.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  UPLOAD_RECORD_VERSION,
  type UploadRecord,
  UploadRecords,
} from '../../src/s3/upload-record.ts';
import { withTempDir } from './helpers.ts';

const tmp = withTempDir();
const id = { host: 'node1', path: '/srv/backup.tar', bucket: 'b', key: 'daily/backup.tar' };
const record = (): UploadRecord => ({
  version: UPLOAD_RECORD_VERSION,
  endpoint: 'http://127.0.0.1:9000',
  ...id,
  uploadId: 'u-1',
  partSize: 8 * 1024 * 1024,
  source: { size: 20_000_000, mtimeMs: 1_763_700_000_000 },
  parts: [],
});

describe('upload records', () => {
  it('saves each stored part, coalescing writes, and reads the record back in part order', async () => {
    const records = new UploadRecords(join(tmp.dir, 'run-a'));
    const writer = records.writer(record());
    writer.save();
    for (const n of [3, 1, 2]) writer.add({ partNumber: n, etag: `"e${n}"`, size: 8 });
    writer.add({ partNumber: 2, etag: '"e2-again"', size: 8 });
    await writer.flush();
    const saved = await records.load(id);
    expect(saved?.parts).toEqual([
      { partNumber: 1, etag: '"e1"', size: 8 },
      { partNumber: 2, etag: '"e2-again"', size: 8 },
      { partNumber: 3, etag: '"e3"', size: 8 },
    ]);
    // Only the record itself: no temporary file left behind.
    expect(readdirSync(records.dir)).toEqual([records.fileOf(id).split('/').pop()]);
    expect(await records.load({ ...id, key: 'other' })).toBeUndefined();
    // A writer killed between its write and its rename leaves a temporary file: removed too.
    writeFileSync(`${records.fileOf(id)}.4242.tmp`, '{"version":');
    await records.remove(id);
    expect(await records.load(id)).toBeUndefined();
    expect(readdirSync(records.dir)).toEqual([]);
  });

  it('ignores a record that is damaged, of another version, or of another upload', async () => {
    const records = new UploadRecords(join(tmp.dir, 'run-b'));
    const writer = records.writer(record());
    writer.save();
    await writer.flush();
    const file = records.fileOf(id);
    const good = readFileSync(file, 'utf8');
    expect(await records.load(id)).toMatchObject({ uploadId: 'u-1' });

    writeFileSync(file, good.slice(0, 40));
    expect(await records.load(id)).toBeUndefined();
    writeFileSync(
      file,
      JSON.stringify({ ...JSON.parse(good), version: UPLOAD_RECORD_VERSION + 1 }),
    );
    expect(await records.load(id)).toBeUndefined();
    writeFileSync(file, JSON.stringify({ ...JSON.parse(good), path: '/srv/other.tar' }));
    expect(await records.load(id)).toBeUndefined();
  });
});
