/** `stepwise runs` and `stepwise report`: what happened, from the journals. */
import { existsSync } from 'node:fs';
import { EXIT, type ExitCode, OperatorError } from '../../errors.ts';
import { journalPath } from '../../journal/paths.ts';
import { readJournal } from '../../journal/reader.ts';
import { foldRun } from '../../journal/run-state.ts';
import { renderReport } from '../../report/report.ts';
import { listRuns } from '../../store/list-runs.ts';
import { stateHome } from '../../store/state-home.ts';
import type { CliIO } from '../io.ts';

export async function runsCommand(io: CliIO, flags: { json?: boolean }): Promise<ExitCode> {
  const runs = listRuns(stateHome(io.env));
  if (flags.json) {
    io.stdout(`${JSON.stringify(runs)}\n`);
    return EXIT.ok;
  }
  if (runs.length === 0) {
    io.stdout('No runs yet. Start one with: stepwise run RUNBOOK\n');
    return EXIT.ok;
  }
  for (const r of runs) {
    const where = r.status === 'succeeded' ? '' : r.currentStep ? ` at ${r.currentStep}` : '';
    const problem = r.problem ? `  (${r.problem})` : '';
    io.stdout(`${r.runId}  ${r.runbook.padEnd(24)} ${r.status}${where}${problem}\n`);
  }
  return EXIT.ok;
}

export async function reportCommand(
  io: CliIO,
  runId: string,
  flags: { format: string },
): Promise<ExitCode> {
  if (flags.format !== 'md' && flags.format !== 'json') {
    throw new OperatorError(
      `--format ${flags.format}: expected md or json`,
      'use --format md or --format json',
    );
  }
  const file = journalPath(stateHome(io.env), runId);
  if (!existsSync(file)) {
    throw new OperatorError(`no run ${runId}`, 'list the runs with `stepwise runs`');
  }
  const { header, events } = readJournal(file, { output: false });
  io.stdout(renderReport(foldRun(header, events), events, flags.format, { journalPath: file }));
  return EXIT.ok;
}
