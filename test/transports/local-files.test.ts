import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { localFiles } from '../../src/transports/local-files.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'stepwise-files-'));

describe('local host files', () => {
  it('lists files recursively with relative paths, sorted', async () => {
    const d = dir();
    await mkdir(join(d, 'b/c'), { recursive: true });
    writeFileSync(join(d, 'b/c/z.txt'), 'zz');
    writeFileSync(join(d, 'a.txt'), 'a');
    const listed = await localFiles.list(d);
    expect(listed.map((f) => [f.path, f.size])).toEqual([
      ['a.txt', 1],
      ['b/c/z.txt', 2],
    ]);
    expect(await localFiles.stat(join(d, 'nope'))).toBeNull();
    expect((await localFiles.stat(join(d, 'b')))?.isDirectory).toBe(true);
  });

  it('writes through a temporary name and leaves nothing behind when the source fails', async () => {
    const d = dir();
    const good = await localFiles.write(
      join(d, 'x/out.bin'),
      Readable.from([Buffer.from('hello')]),
    );
    expect(good).toBe(5);
    expect(readFileSync(join(d, 'x/out.bin'), 'utf8')).toBe('hello');
    const failing = new Readable({
      read() {
        this.push('partial');
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(localFiles.write(join(d, 'x/bad.bin'), failing)).rejects.toThrow(/reset/);
    expect(existsSync(join(d, 'x/bad.bin'))).toBe(false);
    expect(await readdir(join(d, 'x'))).toEqual(['out.bin']);
  });

  it('fails to open a missing file before any byte moves', async () => {
    await expect(localFiles.read(join(dir(), 'missing'))).rejects.toThrow(/ENOENT/);
  });
});
