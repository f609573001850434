/**
 * `stepwise s3 ls|cp|sync|mb`: the runbooks' S3 transfers as a small CLI with the aws CLI's
 * arguments (`s3://bucket/key` URLs, --endpoint-url, --region, --profile, --recursive on cp,
 * --delete on sync) and its environment variables. Output lines go to stdout, periodic progress
 * lines to stderr.
 */
import { type Command, Option } from 'commander';
import { EXIT, type ExitCode, OperatorError } from '../../errors.ts';
import { S3Error } from '../../s3/errors.ts';
import type { S3Operation } from '../../s3/operation.ts';
import type { ProgressReport } from '../../s3/progress.ts';
import type { CliIO } from '../io.ts';

interface S3Flags {
  endpointUrl?: string;
  region?: string;
  profile?: string;
  partSize?: string;
  concurrency?: string;
  checksums?: 'when-required' | 'when-supported';
  cliReadTimeout?: string;
  cliConnectTimeout?: string;
  pathStyle?: boolean;
  recursive?: boolean;
  delete?: boolean;
  progress?: boolean;
}

function connectionFlags(cmd: Command): Command {
  return cmd
    .option(
      '--endpoint-url <url>',
      'an S3-compatible endpoint (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL)',
    )
    .option('--region <region>', 'the region (default: AWS_REGION or the profile’s)')
    .option('--profile <name>', 'a profile from ~/.aws/config (default: AWS_PROFILE)')
    .option('--no-path-style', 'virtual-hosted addressing even for a custom endpoint')
    .addOption(
      new Option(
        '--checksums <when>',
        'SDK integrity checksums (default: when-required for custom endpoints)',
      ).choices(['when-required', 'when-supported']),
    )
    .option(
      '--cli-read-timeout <seconds>',
      'give up on a connection silent this long (default 60; 0: wait forever)',
    )
    .option(
      '--cli-connect-timeout <seconds>',
      'give up on a connection not made within this long (default 60; 0: never)',
    );
}

/** A flag's number of seconds as milliseconds, refused when it is not one. */
function seconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isFinite(n) && n >= 0)) {
    throw new OperatorError(`${flag} ${value} is not a number of seconds`, `e.g. ${flag} 120`);
  }
  return n * 1000;
}

function transferFlags(cmd: Command): Command {
  return connectionFlags(cmd)
    .option('--part-size <size>', 'multipart part size, e.g. 8MiB (default 8MiB)')
    .option(
      '--concurrency <n>',
      'parts uploaded, or ranged GETs downloaded, at once (default 4; downloads from a custom endpoint: 1)',
    )
    .option('--no-progress', 'no progress lines on stderr');
}

function progressLine(r: ProgressReport): string {
  const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
  const of = r.total === undefined ? '' : ` of ${mib(r.total)}`;
  const rate = r.rate === undefined ? '' : `, ${mib(r.rate)}/s`;
  const eta =
    !r.done && r.rate && r.total !== undefined
      ? `, ${Math.ceil((r.total - r.bytes) / r.rate)} s left`
      : '';
  return `${r.done ? 'done' : '…'} ${r.label}: ${mib(r.bytes)}${of}${rate}${eta}\n`;
}

async function run(
  io: CliIO,
  operation: Omit<S3Operation, 'config'>,
  flags: S3Flags,
): Promise<ExitCode> {
  const [{ runOperation }, { localFiles }, { parseSize }] = await Promise.all([
    import('../../s3/operation.ts'),
    import('../../transports/local-files.ts'),
    import('../../s3/step-schema.ts'),
  ]);
  const controller = new AbortController();
  const off = io.onInterrupt(() => controller.abort());
  const concurrency = flags.concurrency === undefined ? undefined : Number(flags.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) {
    throw new OperatorError(
      `--concurrency ${flags.concurrency} is not a positive whole number`,
      'e.g. --concurrency 8',
    );
  }
  const readTimeoutMs = seconds('--cli-read-timeout', flags.cliReadTimeout);
  const connectTimeoutMs = seconds('--cli-connect-timeout', flags.cliConnectTimeout);
  try {
    const summary = await runOperation(
      {
        ...operation,
        ...(flags.partSize === undefined ? {} : { partSize: parseSize(flags.partSize) }),
        ...(concurrency === undefined ? {} : { concurrency }),
        config: {
          ...(flags.endpointUrl ? { endpoint: flags.endpointUrl } : {}),
          ...(flags.region ? { region: flags.region } : {}),
          ...(flags.profile ? { profile: flags.profile } : {}),
          ...(flags.pathStyle === false ? { pathStyle: false } : {}),
          ...(flags.checksums ? { checksums: flags.checksums } : {}),
          ...(readTimeoutMs === undefined ? {} : { readTimeoutMs }),
          ...(connectTimeoutMs === undefined ? {} : { connectTimeoutMs }),
          ...(io.env.AWS_ACCESS_KEY_ID && io.env.AWS_SECRET_ACCESS_KEY
            ? {
                accessKeyId: io.env.AWS_ACCESS_KEY_ID,
                secretAccessKey: io.env.AWS_SECRET_ACCESS_KEY,
              }
            : {}),
        },
      },
      {
        files: localFiles,
        signal: controller.signal,
        env: io.env,
        output: (line) => io.stdout(`${line}\n`),
        progress: (r) => {
          if (flags.progress !== false) io.stderr(progressLine(r));
        },
      },
    );
    if (operation.op !== 'ls') io.stderr(`${summary}\n`);
    return EXIT.ok;
  } catch (error) {
    if (controller.signal.aborted) {
      io.stderr('interrupted: nothing partial was kept\n');
      return EXIT.interrupted;
    }
    if (error instanceof S3Error) throw new OperatorError(error.message, error.hint, EXIT.failed);
    if (error instanceof Error && /^(not an s3:|not a size)/.test(error.message)) {
      throw new OperatorError(error.message, 'see `stepwise s3 --help`');
    }
    throw error;
  } finally {
    off();
  }
}

/** Adds `stepwise s3 …` to the program. */
export function registerS3(
  program: Command,
  io: CliIO,
  done: (p: Promise<ExitCode>) => void,
): void {
  const s3 = program
    .command('s3')
    .description('S3 transfers like the aws CLI: ls, cp, sync, mb (verified, with progress)');

  connectionFlags(
    s3
      .command('ls')
      .description('list objects and prefixes under s3://bucket/prefix')
      .argument('<url>', 's3://bucket/prefix')
      .option('--recursive', 'every object under the prefix, not one level'),
  ).action((url: string, o: S3Flags) =>
    done(run(io, { op: 'ls', url, recursive: o.recursive ?? false }, o)),
  );

  transferFlags(
    s3
      .command('cp')
      .description('copy a file or object (one side s3://, the other a local path)')
      .argument('<source>', 'a local path or s3://bucket/key')
      .argument('<destination>', 'a local path or s3://bucket/key')
      .option('--recursive', 'a directory or every object under a prefix'),
  ).action((from: string, to: string, o: S3Flags) =>
    done(run(io, { op: 'cp', from, to, recursive: o.recursive ?? false }, o)),
  );

  transferFlags(
    s3
      .command('sync')
      .description('copy what differs (by size and ETag) between a directory and a prefix')
      .argument('<source>', 'a local directory or s3://bucket/prefix')
      .argument('<destination>', 'a local directory or s3://bucket/prefix')
      .option('--delete', 'also delete what the source does not have'),
  ).action((from: string, to: string, o: S3Flags) =>
    done(run(io, { op: 'sync', from, to, delete: o.delete ?? false }, o)),
  );

  connectionFlags(
    s3.command('mb').description('make a bucket').argument('<url>', 's3://bucket'),
  ).action((url: string, o: S3Flags) => done(run(io, { op: 'mb', url }, o)));
}
