/**
 * The `stepwise` command line: parses arguments with commander, runs one command, and turns
 * every error into a message with a hint and the exit code of the CLI contract.
 */
import { Command, CommanderError, Option } from 'commander';
import { EXIT, type ExitCode, OperatorError } from '../errors.ts';
import type { TuiStart } from '../tui/app.tsx';
import { registerS3 } from './commands/s3.ts';
import { type CliIO, processIO } from './io.ts';
import { VERSION } from './version.ts';

// Each command's module loads when that command runs: the engine, the transports, zod, yaml and
// the store are most of the bundle, and the TUI's first frame needs none of them.
const catalog = () => import('./commands/catalog.ts');
const runs = () => import('./commands/runs.ts');
const run = () => import('./commands/run.ts');

const collect = (value: string, previous: string[]) => [...previous, value];

function runFlags(cmd: Command): Command {
  return cmd
    .option(
      '--set <name=value>',
      'set a parameter, or answer a choice, ahead of time (repeatable)',
      collect,
      [],
    )
    .option('-y, --yes', 'confirm steps that change things without asking')
    .option(
      '--allow-destructive',
      'with --yes, also run destructive steps without typing their phrase',
    )
    .option(
      '--override <check=reason>',
      'go past a failing check, recording the reason (repeatable)',
      collect,
      [],
    )
    .addOption(
      new Option('--on-interrupted <action>', 'what to do with a step a crash interrupted').choices(
        ['rerun', 'mark-done'],
      ),
    )
    .option(
      '--manual-done <step>',
      'attest that a manual step was done by hand (repeatable)',
      collect,
      [],
    )
    .option('--forks <n>', 'hosts a step runs on at once (default 10)')
    .option(
      '--known-hosts <file>',
      'SSH host keys: read and add to FILE instead of ~/.ssh/known_hosts',
    )
    .option(
      '--accept-new-host-keys',
      "add unknown SSH host keys without asking, like OpenSSH's StrictHostKeyChecking=accept-new (a changed key is still refused)",
    )
    .addOption(new Option('--json', 'print one JSON event per line on stdout').conflicts('plain'))
    .option('--plain', 'plain text progress instead of the interactive UI');
}

/**
 * Whether a run or resume opens the TUI: a terminal, and none of the flags that ask for
 * unattended or line-based output (`--plain`, `--json`, `--yes`, `--dry-run`).
 */
function wantsTui(
  io: CliIO,
  o: {
    plain?: boolean;
    json?: boolean;
    yes?: boolean;
    dryRun?: boolean;
    override?: string[];
    manualDone?: string[];
  },
): boolean {
  return (
    io.interactive &&
    !o.plain &&
    !o.json &&
    !o.yes &&
    !o.dryRun &&
    !o.override?.length &&
    !o.manualDone?.length
  );
}

/** Opens the TUI; loaded only when used, so headless commands never evaluate Ink and React. */
async function tui(
  io: CliIO,
  start: TuiStart,
  runbooks: string[],
  o: { forks?: string; knownHosts?: string; acceptNewHostKeys?: boolean } = {},
): Promise<ExitCode> {
  const { openTui } = await import('../tui/launch.tsx');
  // The connection flags hold for every run the TUI starts or resumes, as they do headless.
  return openTui(io, start, runbooks, {
    ...(o.forks === undefined ? {} : { forks: o.forks }),
    ...(o.knownHosts === undefined ? {} : { knownHosts: o.knownHosts }),
    ...(o.acceptNewHostKeys ? { acceptNewHostKeys: true } : {}),
  });
}

/** Builds the program; `exit` receives the exit code of whatever command ran. */
export function buildProgram(io: CliIO, exit: (code: ExitCode) => void): Command {
  const program = new Command('stepwise');
  const global = () => program.opts<{ runbooks: string[] }>();
  const done = (p: Promise<ExitCode>) => p.then(exit);

  program
    .description(
      'Walks an operator through backup, restore and setup runbooks, one checked step at a time.',
    )
    .version(VERSION, '-V, --version')
    .option(
      '--runbooks <dir>',
      'also load runbooks from DIR (<system>/<name>.yaml; repeatable)',
      collect,
      [],
    )
    .showHelpAfterError()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .allowExcessArguments(true)
    .action(() => {
      const [unknown] = program.args;
      if (unknown !== undefined) {
        io.stderr(
          `error: unknown command '${unknown}'\n  hint: see \`stepwise --help\` for the commands\n`,
        );
        exit(EXIT.usage);
        return;
      }
      if (io.interactive) {
        done(tui(io, { kind: 'home' }, global().runbooks));
        return;
      }
      io.stdout(
        [
          'stepwise: walk a runbook one checked step at a time.',
          '',
          'Run it in a terminal for the interactive UI. Without one:',
          '  stepwise list                          the runbooks',
          '  stepwise show RUNBOOK                  what a runbook does',
          '  stepwise run RUNBOOK -i INVENTORY      run it with plain output',
          '  stepwise --help                        everything else',
          '',
        ].join('\n'),
      );
      exit(EXIT.ok);
    });

  program
    .command('list')
    .description('list the runbooks, grouped by system')
    .option('--json', 'print JSON')
    .action((o) =>
      done(catalog().then((m) => m.listCommand(io, { ...o, runbooks: global().runbooks }))),
    );

  program
    .command('show')
    .description("show a runbook's summary, roles, parameters, checks and steps")
    .argument('<runbook>', 'a runbook id such as loom/restore, or a path to a .yaml file')
    .option('--json', 'print JSON')
    .action((rb, o) =>
      done(catalog().then((m) => m.showCommand(io, rb, { ...o, runbooks: global().runbooks }))),
    );

  program
    .command('validate')
    .description('check runbook files and report every problem as file:line:col: message')
    .argument('[paths...]', 'files or directories (default: every known runbook)')
    .action((paths: string[]) =>
      done(catalog().then((m) => m.validateCommand(io, paths, { runbooks: global().runbooks }))),
    );

  program
    .command('check')
    .description('run the preflight checks only (read-only)')
    .argument('<runbook>', 'a runbook id or path')
    .option('-i, --inventory <file>', 'Ansible YAML inventory')
    .option('--set <name=value>', 'set a parameter (repeatable)', collect, [])
    .option('--json', 'print one JSON event per line')
    .option('--known-hosts <file>', 'SSH host keys: read FILE instead of ~/.ssh/known_hosts')
    .action((rb, o) =>
      done(run().then((m) => m.checkCommand(io, rb, { ...o, runbooks: global().runbooks }))),
    );

  runFlags(
    program
      .command('run')
      .description('run a runbook: preflight, then each step with its confirmation')
      .argument('<runbook>', 'a runbook id or path')
      .option('-i, --inventory <file>', 'Ansible YAML inventory')
      .option('--dry-run', 'print every rendered command per host; run only read-only checks'),
  ).action((rb, o) =>
    done(
      wantsTui(io, o)
        ? import('./prepare.ts').then((m) =>
            tui(
              io,
              {
                kind: 'overview',
                runbook: rb,
                ...(o.inventory ? { inventory: o.inventory } : {}),
                sets: m.parseSets(o.set),
              },
              global().runbooks,
              o,
            ),
          )
        : run().then((m) => m.runCommand(io, rb, { ...o, runbooks: global().runbooks })),
    ),
  );

  program
    .command('runs')
    .description('list runs, newest first, with where each one stopped')
    .option('--json', 'print JSON')
    .action((o) => done(runs().then((m) => m.runsCommand(io, o))));

  runFlags(
    program
      .command('resume')
      .description('continue a run where it stopped; interrupted steps are verified first')
      .argument('<run-id>', 'from `stepwise runs`'),
  ).action((id, o) =>
    done(
      wantsTui(io, o)
        ? tui(io, { kind: 'resume', runId: id }, global().runbooks, o)
        : run().then((m) => m.resumeCommand(io, id, { ...o, runbooks: global().runbooks })),
    ),
  );

  program
    .command('report')
    .description('turn a run into a report')
    .argument('<run-id>', 'from `stepwise runs`')
    .option('--format <format>', 'md or json', 'md')
    .action((id, o) => done(runs().then((m) => m.reportCommand(io, id, o))));

  registerS3(program, io, done);

  return program;
}

/** Formats an error for the operator and picks its exit code. */
export function reportError(io: CliIO, error: unknown): ExitCode {
  if (error instanceof OperatorError) {
    io.stderr(`error: ${error.message}\n  hint: ${error.hint}\n`);
    return error.exitCode;
  }
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version')
      return EXIT.ok;
    if (error.code === 'commander.help') return EXIT.ok;
    return EXIT.usage;
  }
  io.stderr(
    `stepwise hit a bug: ${(error as Error)?.stack ?? String(error)}\nThe run's journal is intact; please report this.\n`,
  );
  return EXIT.failed;
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<ExitCode> {
  return new Promise<ExitCode>((resolve) => {
    const program = buildProgram(io, resolve);
    program
      .parseAsync(argv, { from: 'user' })
      .catch((error: unknown) => resolve(reportError(io, error)));
  });
}
