import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OperatorError } from '../../src/errors.ts';
import {
  builtinRunbooksDir,
  discoverRunbooks,
  packageRoot,
  resolveRunbook,
  runbookDirs,
} from '../../src/runbook/discover.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'stepwise-discover-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Creates files (empty runbooks are fine: discovery does not parse them). */
async function files(...paths: string[]) {
  for (const p of paths) {
    await mkdir(join(tmp, p, '..'), { recursive: true });
    await writeFile(join(tmp, p), 'title: x\n');
  }
}

describe('packageRoot', () => {
  it('finds the folder whose package.json is named stepwise', () => {
    expect(packageRoot()).toBe(repo);
    expect(builtinRunbooksDir()).toBe(join(repo, 'runbooks'));
  });

  it('works from a bundle in dist/', () => {
    expect(packageRoot(new URL('../../dist/stepwise.js', import.meta.url))).toBe(repo);
  });

  it('fails outside the package', () => {
    expect(() => packageRoot(join(tmpdir(), 'x.js'))).toThrow('cannot find the stepwise package');
  });
});

describe('runbookDirs', () => {
  it('puts the built-in folder first and drops repeats', () => {
    expect(runbookDirs(['extra', 'extra', join(repo, 'runbooks')])).toEqual([
      join(repo, 'runbooks'),
      resolve('extra'),
    ]);
  });
});

describe('discoverRunbooks', () => {
  it('lists <system>/<name>.yaml files sorted by id', async () => {
    await files('a/loom/restore.yaml', 'a/loom/backup.yml', 'a/deis/restore.yaml', 'a/schema.json');
    await files('a/loom/notes.md', 'a/.hidden/x.yaml', 'b/clearwater/restore.yaml');
    const refs = await discoverRunbooks([join(tmp, 'a'), join(tmp, 'b')]);
    expect(refs).toEqual([
      { id: 'clearwater/restore', path: join(tmp, 'b/clearwater/restore.yaml') },
      { id: 'deis/restore', path: join(tmp, 'a/deis/restore.yaml') },
      { id: 'loom/backup', path: join(tmp, 'a/loom/backup.yml') },
      { id: 'loom/restore', path: join(tmp, 'a/loom/restore.yaml') },
    ]);
  });

  it('refuses an id defined in two folders, naming both files', async () => {
    await files('a/loom/restore.yaml', 'b/loom/restore.yaml');
    const error = await discoverRunbooks([join(tmp, 'a'), join(tmp, 'b')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperatorError);
    expect((error as Error).message).toBe(
      `runbook loom/restore is defined twice: ${join(tmp, 'a/loom/restore.yaml')} and ${join(tmp, 'b/loom/restore.yaml')}`,
    );
  });

  it('names a --runbooks folder that does not exist', async () => {
    await expect(discoverRunbooks([join(tmp, 'nope')])).rejects.toThrow(
      `runbook directory ${join(tmp, 'nope')} does not exist`,
    );
  });
});

describe('resolveRunbook', () => {
  it('finds a runbook by id', async () => {
    await files('a/loom/restore.yaml');
    expect(await resolveRunbook('loom/restore', [join(tmp, 'a')])).toEqual({
      id: 'loom/restore',
      path: join(tmp, 'a/loom/restore.yaml'),
    });
  });

  it('takes a path, deriving the id from its folder and name', async () => {
    await files('somewhere/bigchaindb/backup.yaml');
    const path = join(tmp, 'somewhere/bigchaindb/backup.yaml');
    expect(await resolveRunbook(path, [])).toEqual({ id: 'bigchaindb/backup', path });
  });

  it('lists the known ids when an id is unknown', async () => {
    await files('a/loom/restore.yaml', 'a/deis/restore.yaml');
    const error = (await resolveRunbook('loom/resotre', [join(tmp, 'a')]).catch(
      (e) => e,
    )) as OperatorError;
    expect(error.message).toBe('no runbook "loom/resotre"');
    expect(error.hint).toBe(
      'known runbooks: deis/restore, loom/restore; or pass the path of a .yaml file',
    );
  });

  it('names a .yaml path that does not exist', async () => {
    await expect(resolveRunbook(join(tmp, 'x/y.yaml'), [])).rejects.toThrow(
      `no runbook file ${join(tmp, 'x/y.yaml')}`,
    );
  });
});
