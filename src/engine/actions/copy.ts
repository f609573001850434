/**
 * The `copy:` step action: one file from a host to another, either through the operator's
 * machine (streamed from the source host's SFTP into the destination's, hashed on the way) or
 * directly (the source host runs `ssh DEST 'cat > TMP && mv TMP FILE' < FILE` with its own keys).
 * Either way the file appears under its final name only once complete, its size is compared, and
 * by default its sha256 on the destination is compared with the source's.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Host } from '../../inventory/types.ts';
import { shellQuote } from '../../runbook/template.ts';
import { Meter } from '../../s3/progress.ts';
import type { HostFiles, Transport } from '../../transports/transport.ts';
import type { ActionContext, StepAction } from './action.ts';
import { type CopyStepArgs, copyStepSchema, parseEndpoint } from './copy-schema.ts';

/** One end of a copy, resolved to a host and its connection. */
interface End {
  host: Host;
  transport: Transport;
  path: string;
  /** `host:path`, for messages. */
  label: string;
}

function endOf(ctx: ActionContext, value: string): End {
  const e = parseEndpoint(value);
  const { host, transport } =
    e.host === undefined || e.host === ctx.host.name
      ? { host: ctx.host, transport: ctx.transport }
      : ctx.hostNamed(e.host);
  return { host, transport, path: e.path, label: `${host.name}:${e.path}` };
}

const failure = (message: string, hint?: string) =>
  Object.assign(new Error(message), hint ? { hint } : {});

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

function filesOf(end: End): HostFiles {
  if (end.transport.files) return end.transport.files;
  throw failure(`the connection to ${end.host.name} cannot move files`, 'use a local or ssh host');
}

/** Runs a command on a host and returns its stdout; a non-zero exit throws with its stderr. */
async function capture(end: End, command: string, signal: AbortSignal) {
  let stdout = '';
  let stderr = '';
  const r = await end.transport.exec(
    { command },
    (stream, chunk) => {
      if (stream === 'stdout') stdout += chunk.toString();
      else stderr += chunk.toString();
    },
    signal,
  );
  return { ok: r.exitCode === 0, exitCode: r.exitCode, stdout, stderr: stderr.trim() };
}

/** The sha256 of a file on a host, by its own `sha256sum`. */
async function sha256On(end: End, signal: AbortSignal): Promise<string> {
  const r = await capture(end, `sha256sum -- ${shellQuote(end.path)}`, signal);
  const sum = /^([0-9a-f]{64})\b/.exec(r.stdout)?.[1];
  if (!r.ok || !sum) {
    throw failure(
      `could not compute the sha256 of ${end.label}: ${r.stderr || `exit ${r.exitCode}`}`,
      'install coreutils (sha256sum) on the host, or set `checksum: false` on the copy',
    );
  }
  return sum;
}

/** Free space where a file would go, for a clear "disk full" message; undefined if unknown. */
async function freeBytes(end: End, signal: AbortSignal): Promise<number | undefined> {
  const r = await capture(end, `df -Pk -- ${shellQuote(posix.dirname(end.path))}`, signal).catch(
    () => undefined,
  );
  const kb = r?.ok ? Number(r.stdout.trim().split('\n').at(-1)?.split(/\s+/)[3]) : Number.NaN;
  return Number.isFinite(kb) ? kb * 1024 : undefined;
}

async function writeFailure(to: End, size: number, error: unknown, signal: AbortSignal) {
  const free = await freeBytes(to, signal);
  if (free !== undefined && free < size) {
    return failure(
      `no space left on ${to.host.name} for ${to.path}: ${size} bytes needed, ${free} free in ${posix.dirname(to.path)} (${reason(error)})`,
      `free space on ${to.host.name}, or copy to another directory; nothing was left under ${to.path}`,
    );
  }
  return failure(`writing ${to.label} failed: ${reason(error)}`);
}

async function sourceSize(from: End): Promise<number> {
  const info = await filesOf(from)
    .stat(from.path)
    .catch((error: unknown) => {
      throw failure(`cannot read ${from.label}: ${reason(error)}`);
    });
  if (!info) {
    throw failure(
      `nothing at ${from.label}`,
      `check the path on ${from.host.name}, e.g. that the backup step before this one made it`,
    );
  }
  if (info.isDirectory) {
    throw failure(
      `${from.label} is a directory; a copy moves one file`,
      'make a tarball first (tar czf), then copy that',
    );
  }
  return info.size;
}

/** Through this machine: SFTP read → hash and count → SFTP write (atomic). Returns the sha256. */
async function viaOperator(ctx: ActionContext, from: End, to: End, meter: Meter, size: number) {
  const target = filesOf(to);
  const hash = createHash('sha256');
  const source = await filesOf(from)
    .read(from.path, ctx.signal)
    .catch((error: unknown) => {
      throw failure(`reading ${from.label} failed: ${reason(error)}`);
    });
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      meter.add(chunk.length);
      done(null, chunk);
    },
  });
  // Either side failing tears down both with the same error, so which failed is which failed
  // first: the source (its host died, a read error) or the tap (the destination's write).
  let first: 'source' | 'destination' | undefined;
  let readError: unknown;
  source.once('error', (error) => {
    first ??= 'source';
    readError = error;
  });
  tap.once('error', () => {
    first ??= 'destination';
  });
  const piped = pipeline(source, tap).catch(() => {});
  try {
    await target.write(to.path, tap, ctx.signal);
  } catch (error) {
    // A write that failed before it read anything (the host died as the file was opened) leaves
    // the tap unread: tear it down, or the source would wait on it forever.
    tap.destroy(error as Error);
    await piped;
    if (ctx.signal.aborted) throw error;
    if (first === 'source') throw failure(`reading ${from.label} failed: ${reason(readError)}`);
    throw await writeFailure(to, size, error, ctx.signal);
  }
  await piped;
  return hash.digest('hex');
}

/** Directly: the source host pipes the file into `ssh DEST`, which renames once complete. */
async function viaDirect(ctx: ActionContext, from: End, to: End, meter: Meter, size: number) {
  if (from.host.connection === 'local' || to.host.connection === 'local') {
    throw failure(
      'a direct copy runs between two remote hosts, and one end is this machine',
      'use `via: operator` (the default) to copy to or from this machine',
    );
  }
  const temporary = `${to.path}.stepwise-partial`;
  const q = shellQuote;
  const remote = `mkdir -p -- ${q(posix.dirname(to.path))} && { cat > ${q(temporary)} && mv -f -- ${q(temporary)} ${q(to.path)} || { rm -f -- ${q(temporary)}; exit 1; }; }`;
  const command = `ssh -o BatchMode=yes -- ${q(to.host.name)} ${q(remote)} < ${q(from.path)}`;
  const target = to.transport.files;
  // Progress is the temporary file's size on the destination, polled over its SFTP.
  const poll = setInterval(() => {
    target
      ?.stat(temporary)
      .then((s) => s && meter.set(s.size))
      .catch(() => {});
  }, 250);
  let r: Awaited<ReturnType<typeof capture>>;
  try {
    r = await capture(from, command, ctx.signal);
  } finally {
    clearInterval(poll);
  }
  if (!r.ok) {
    await target?.remove(temporary).catch(() => {});
    if (/no space left/i.test(r.stderr)) throw await writeFailure(to, size, r.stderr, ctx.signal);
    throw failure(
      `${from.host.name} could not send ${from.path} to ${to.label} (exit ${r.exitCode}): ${r.stderr.split('\n').slice(-3).join(' / ')}`,
      `check that ${from.host.name} can \`ssh ${to.host.name}\` with a key and a known host key, or use \`via: operator\``,
    );
  }
  meter.set(size);
}

export const copyAction: StepAction<CopyStepArgs> = {
  name: 'copy',
  description: 'copy one file from a host to another, via the operator’s machine or directly',
  args: copyStepSchema,
  describe: (a) =>
    `copy ${a.from} → ${a.to} (via ${a.via === 'direct' ? 'the source host, directly' : 'this machine'}${a.checksum ? ', sha256 checked' : ''})`,
  async run(ctx, a) {
    const from = endOf(ctx, a.from);
    const to = endOf(ctx, a.to);
    const what = `${from.label} → ${to.label}`;
    let size = 0;
    let meter: Meter | undefined;
    let sum: string | undefined;
    try {
      size = await sourceSize(from);
      meter = new Meter(what, size, ctx.progress);
      if (a.via === 'direct') await viaDirect(ctx, from, to, meter, size);
      else sum = await viaOperator(ctx, from, to, meter, size);
    } catch (error) {
      (error as Error).message = `copy ${what}: ${(error as Error).message}`;
      throw error;
    }
    meter?.finish();
    const landed = await filesOf(to).stat(to.path);
    if (landed?.size !== size) {
      throw failure(
        `copy ${what}: ${to.label} has ${landed?.size ?? 'no'} bytes, the source ${size}`,
        `the source may have changed during the copy; run the step again`,
      );
    }
    if (a.checksum) {
      const [source, copied] = await Promise.all([
        sum ?? sha256On(from, ctx.signal),
        sha256On(to, ctx.signal),
      ]);
      if (source !== copied) {
        await filesOf(to).remove(to.path);
        throw failure(
          `copy ${what}: sha256 differs (source ${source}, copy ${copied}); the copy was removed`,
          'the source may have changed during the copy; run the step again',
        );
      }
      ctx.output(`sha256 ${copied}  ${to.label}`);
    }
    const summary = `copied ${size} bytes ${what}`;
    ctx.output(summary);
    return { summary };
  },
};
