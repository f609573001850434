/** Stdout to a file or a pipe, written in gathered batches: real files, a real pipe. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { gatheredWrites } from '../../src/cli/gathered-output.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function file(): { name: string; fd: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-gathered-'));
  dirs.push(dir);
  const name = path.join(dir, 'out');
  return { name, fd: fs.openSync(name, 'w') };
}
const run = (act: () => void) => act();

it('gathers small pieces, writes them in order once 256 KiB wait, and the rest on flush', () => {
  const out = file();
  const w = gatheredWrites(out.fd, run);
  const pieces = Array.from({ length: 40_000 }, (_, i) => Buffer.from(`line ${i}\n`));
  let expected = 0;
  for (const p of pieces.slice(0, 100)) {
    w.write(p);
    expected += p.length;
  }
  // Nothing yet: 100 short lines are far below a batch.
  expect(fs.statSync(out.name).size).toBe(0);
  for (const p of pieces.slice(100)) w.write(p);
  // Past 256 KiB the batches went out without a flush.
  expect(fs.statSync(out.name).size).toBeGreaterThanOrEqual(256 * 1024);
  w.flush();
  expect(fs.readFileSync(out.name).equals(Buffer.concat(pieces))).toBe(true);
  expect(expected).toBeGreaterThan(0);
});

it('writes a lone piece soon without a flush (a slow command is still shown live)', async () => {
  const out = file();
  const w = gatheredWrites(out.fd, run);
  w.write(Buffer.from('first line\n'));
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(fs.readFileSync(out.name, 'utf8')).toBe('first line\n');
});

it('a reader gone away surfaces through the guard, timed writes too', async () => {
  // A reader that closes its end of the pipe and stays: writing to it is EPIPE.
  const reader = spawn('sh', ['-c', 'exec 0<&-; echo closed; sleep 30'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const fd = (reader.stdin as unknown as { _handle: { fd: number } })._handle.fd;
  await new Promise((resolve) => reader.stdout?.once('data', resolve));
  const caught: string[] = [];
  const guard = (act: () => void) => {
    try {
      act();
    } catch (error) {
      caught.push((error as NodeJS.ErrnoException).code ?? 'none');
    }
  };
  const w = gatheredWrites(fd, guard);
  w.write(Buffer.from('x'));
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(caught).toEqual(['EPIPE']);
  reader.kill('SIGKILL');
});
