/** The local transport, with real processes under /bin/sh. */
import { describe, expect, test } from 'vitest';
import { localTransport } from '../../src/transports/local.ts';
import type { ExecRequest, ExecResult } from '../../src/transports/transport.ts';
import { processGone, waitFor } from '../engine/harness.ts';

/** Runs one request and collects each stream's chunks. */
async function run(
  request: ExecRequest,
  options: { hostEnv?: Record<string, string>; signal?: AbortSignal; shell?: string } = {},
): Promise<ExecResult & { stdout: string; stderr: string }> {
  const t = localTransport({
    baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', BASE: 'from-base' },
    ...(options.hostEnv ? { hostEnv: options.hostEnv } : {}),
    ...(options.shell ? { shell: options.shell } : {}),
  });
  const out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const result = await t.exec(request, (stream, chunk) => out[stream].push(chunk), options.signal);
  await t.close();
  return {
    ...result,
    stdout: Buffer.concat(out.stdout).toString(),
    stderr: Buffer.concat(out.stderr).toString(),
  };
}

describe('localTransport', () => {
  test('stdout and stderr are kept apart', async () => {
    const r = await run({ command: 'echo out1; echo err1 >&2; echo out2; echo err2 >&2' });
    expect(r).toMatchObject({
      stdout: 'out1\nout2\n',
      stderr: 'err1\nerr2\n',
      exitCode: 0,
      signal: null,
      timedOut: false,
    });
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  test('exit codes are reported as they are', async () => {
    expect((await run({ command: 'exit 3' })).exitCode).toBe(3);
    expect((await run({ command: 'false' })).exitCode).toBe(1);
    expect((await run({ command: 'no-such-command-here' })).exitCode).toBe(127);
  });

  test('a command that kills itself reports the signal and no exit code', async () => {
    const r = await run({ command: 'echo before; kill -KILL $$' });
    expect(r).toMatchObject({
      exitCode: null,
      signal: 'SIGKILL',
      timedOut: false,
      stdout: 'before\n',
    });
  });

  test('the environment is base < host env < request env', async () => {
    const r = await run(
      { command: 'printf "%s|%s|%s" "$BASE" "$HOSTVAR" "$SHARED"', env: { SHARED: 'request' } },
      { hostEnv: { HOSTVAR: 'from-host', SHARED: 'host' } },
    );
    expect(r.stdout).toBe('from-base|from-host|request');
    expect(
      (await run({ command: 'printf %s "$HOSTVAR"' }, { hostEnv: { HOSTVAR: 'h' } })).stdout,
    ).toBe('h');
  });

  test('stdin is fed and closed; a command that ignores it is fine', async () => {
    expect((await run({ command: 'cat; echo done', stdin: 'line 1\nline 2\n' })).stdout).toBe(
      'line 1\nline 2\ndone\n',
    );
    expect((await run({ command: 'wc -c' })).stdout.trim()).toBe('0');
    expect((await run({ command: 'true', stdin: 'x'.repeat(1 << 20) })).exitCode).toBe(0);
  });

  test('cancelling kills the whole process group, children included', async () => {
    const controller = new AbortController();
    const t = localTransport({ baseEnv: process.env });
    let stdout = '';
    const running = t.exec(
      { command: `sh -c 'sleep 30 & echo $!; wait'` },
      (stream, chunk) => {
        if (stream === 'stdout') stdout += chunk.toString();
      },
      controller.signal,
    );
    await waitFor(() => stdout.endsWith('\n'));
    const pid = Number(stdout.trim());
    expect(processGone(pid)).toBe(false);

    const cancelled = Date.now();
    controller.abort();
    const r = await running;
    expect(Date.now() - cancelled).toBeLessThan(1500);
    expect(r).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: false });
    await waitFor(() => processGone(pid), 2000);
  });

  test('a signal aborted before exec still runs nothing for long', async () => {
    const controller = new AbortController();
    controller.abort();
    const started = Date.now();
    const r = await run({ command: 'sleep 30' }, { signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(r.exitCode).toBeNull();
  });

  test('a timeout kills the command and says so', async () => {
    const r = await run({ command: 'sleep 30', timeoutMs: 200 });
    expect(r).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGTERM' });
  });

  test('a command that ignores SIGTERM gets SIGKILL after the grace period', async () => {
    const started = Date.now();
    const r = await run({
      command: `trap '' TERM; echo ready; while :; do sleep 0.1; done`,
      timeoutMs: 100,
    });
    const took = Date.now() - started;
    expect(r).toMatchObject({
      timedOut: true,
      exitCode: null,
      signal: 'SIGKILL',
      stdout: 'ready\n',
    });
    expect(took).toBeGreaterThanOrEqual(2000);
    expect(took).toBeLessThan(4500);
  });

  test('close() cancels what is still running', async () => {
    const t = localTransport({ baseEnv: process.env });
    const running = t.exec({ command: 'sleep 30' }, () => {});
    await new Promise((r) => setTimeout(r, 50));
    await t.close();
    expect((await running).signal).toBe('SIGTERM');
    await t.close();
  });

  test('a shell that cannot start is exit 127 with the reason on stderr', async () => {
    const r = await run({ command: 'true' }, { shell: '/nonexistent/sh' });
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toContain('ENOENT');
  });

  test('binary output arrives byte for byte', async () => {
    const t = localTransport({ baseEnv: process.env });
    const chunks: Buffer[] = [];
    await t.exec({ command: `printf '\\303\\274\\000\\377'` }, (_, c) => chunks.push(c));
    expect([...Buffer.concat(chunks)]).toEqual([0xc3, 0xbc, 0x00, 0xff]);
  });

  test('each command leads its own process group, so cancelling reaches its children', async () => {
    // Field 5 of /proc/PID/stat is the process group.
    const r = await run({ command: `echo $$ $(cut -d' ' -f5 /proc/$$/stat)` });
    const [pid, pgid] = r.stdout.trim().split(' ');
    expect(pgid).toBe(pid);
    expect(Number(pgid)).not.toBe(process.pid);
  });
});
