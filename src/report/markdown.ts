/**
 * The Markdown form of a run report: readable as plain text in a ticket, and rendered as tables
 * on a forge. Values that come from hosts or operators are escaped so they cannot break a table
 * or turn into markup.
 */
import type { CheckHostResult } from '../journal/run-state.ts';
import type { GateReport, PreflightCheck, ReportModel, StepReport } from './model.ts';

/** Renders the report as GitHub-flavoured Markdown. */
export function renderMarkdown(report: ReportModel): string {
  const out: string[] = [];
  const { run } = report;
  out.push(`# Run report: ${prose(run.title)}`, '');
  out.push(
    table(
      ['', ''],
      [
        ['Run', code(run.id)],
        ['Runbook', `${code(run.runbook)} (${code(run.runbookPath)})`],
        ['Runbook hash', code(run.runbookHash)],
        ['Status', status(run.status, run.error)],
        ['Started', run.startedAt],
        ['Finished', run.finishedAt ?? `not finished (last event ${run.lastEventAt})`],
        ['Duration', run.durationMs === null ? '—' : duration(run.durationMs)],
        ...(run.currentStep ? [['Stopped at', `step ${code(run.currentStep)}`]] : []),
        ...(run.dryRun ? [['Dry run', 'yes: nothing was changed on the hosts']] : []),
        ...(run.resumes ? [['Resumed', `${run.resumes} time${run.resumes === 1 ? '' : 's'}`]] : []),
        ['Inventory', run.inventoryPath ? code(run.inventoryPath) : '—'],
      ],
    ),
  );

  out.push('## Parameters', '');
  const params = Object.entries(report.parameters);
  out.push(
    params.length
      ? table(
          ['Name', 'Value'],
          params.map(([k, v]) => [code(k), code(v)]),
        )
      : 'None.\n',
  );
  const choices = Object.entries(report.choices);
  if (choices.length) {
    out.push('Chosen during the run:', '');
    out.push(
      table(
        ['Variable', 'Value'],
        choices.map(([k, v]) => [code(k), code(v)]),
      ),
    );
  }

  out.push('## Hosts', '');
  out.push(
    report.hosts.length
      ? table(
          ['Host', 'Address', 'Connection', 'Groups'],
          report.hosts.map((h) => [
            code(h.name),
            code(h.address),
            h.connection,
            h.groups.map(code).join(', '),
          ]),
        )
      : 'None recorded.\n',
  );

  out.push('## Preflight checks', '');
  out.push(...checks(report));

  out.push('## Gates', '');
  out.push(...gates(report.gates));

  out.push('## Steps', '');
  for (const step of report.steps) out.push(...stepSection(step));

  out.push('## Overrides', '');
  out.push(
    report.overrides.length
      ? table(
          ['Check', 'Step', 'Reason', 'By', 'At'],
          report.overrides.map((o) => [
            code(o.check),
            o.step ? code(o.step) : '—',
            prose(o.reason),
            prose(o.by),
            o.at,
          ]),
        )
      : 'None.\n',
  );

  out.push('## Skipped steps', '');
  out.push(
    report.skips.length
      ? table(
          ['Step', 'Reason', 'By', 'At'],
          report.skips.map((s) => [
            code(s.step),
            s.reason ? prose(s.reason) : '—',
            s.by ? prose(s.by) : '—',
            s.at,
          ]),
        )
      : 'None.\n',
  );

  if (report.warnings.length) {
    out.push('## Warnings', '');
    for (const w of report.warnings) {
      const where = [w.step && `step ${code(w.step)}`, w.host && `on ${code(w.host)}`]
        .filter(Boolean)
        .join(' ');
      out.push(`- ${w.at}${where ? ` (${where})` : ''}: ${prose(w.message)}`);
    }
    out.push('');
  }

  out.push('## Journal', '');
  out.push(
    report.journal
      ? `Everything above, and the full output of every command, is in ${code(report.journal)}.`
      : 'Not known.',
  );
  return `${out.join('\n')}\n`;
}

function status(value: ReportModel['run']['status'], error: string | null): string {
  const why = error ? `: ${prose(error)}` : '';
  if (value === 'running') {
    return `**running**: not ended. Either it is still going, or it stopped without finishing (a crash, a lost connection) and can be resumed${why}`;
  }
  return `**${value}**${why}`;
}

function checks(report: ReportModel): string[] {
  const { preflight } = report;
  if (!preflight.checks.length) return ['None ran.', ''];
  const out: string[] = [];
  if (preflight.status) out.push(`Overall: **${preflight.status}**`, '');
  out.push(
    table(
      ['Check', ...preflight.hosts.map(code)],
      preflight.checks.map((c) => [checkName(c), ...preflight.hosts.map((h) => verdictOf(c, h))]),
    ),
  );
  for (const c of preflight.checks) {
    for (const r of c.results) {
      out.push(`- ${code(c.id)} on ${code(r.host)}: **${r.status}**: ${verdictText(r)}`);
    }
  }
  out.push('');
  return out;
}

/** Each gate evaluation, in run order: a check may have failed in the preflight and passed here. */
function gates(list: GateReport[]): string[] {
  if (!list.length) return ['None evaluated.', ''];
  const rows = list.flatMap((g) => {
    const step = `${code(g.step)}${g.attempt > 1 ? ` (evaluation ${g.attempt})` : ''}`;
    const name = `${code(g.check)}${g.title ? ` ${prose(g.title)}` : ''}`;
    if (!g.results.length) return [[name, step, '—', '—', 'no result recorded']];
    return g.results.map((r) => [
      name,
      step,
      code(r.host),
      r.status === 'fail' ? '**fail**' : r.status,
      verdictText(r),
    ]);
  });
  return [
    'Checks a step requires, evaluated again right before it.',
    '',
    table(['Check', 'Before step', 'Host', 'Verdict', 'Message'], rows),
  ];
}

/** A verdict's message, with its evidence. */
function verdictText(r: CheckHostResult): string {
  const ev = Object.entries(r.evidence).filter(([, v]) => v !== undefined);
  const evidence = ev.length ? ` (${ev.map(([k, v]) => `${k}: ${code(v!)}`).join(', ')})` : '';
  return `${prose(r.message)}${evidence}`;
}

function checkName(c: PreflightCheck): string {
  return `${code(c.id)}${c.title ? ` ${prose(c.title)}` : ''}`;
}

function verdictOf(c: PreflightCheck, host: string): string {
  const r = c.results.find((x) => x.host === host);
  if (!r) return '—';
  return r.status === 'fail' ? '**fail**' : r.status;
}

function stepSection(step: StepReport): string[] {
  const out: string[] = [];
  // A step the run never started has no title in the journal (the runbook has it, the journal does not).
  const name = step.title ? `${prose(step.title)} (${code(step.id)})` : code(step.id);
  out.push(`### ${step.number}. ${name}: ${step.status}`, '');
  const facts: string[] = [];
  if (step.risk) facts.push(`Risk: ${step.risk}`);
  if (step.attempts) facts.push(`Attempts: ${step.attempts}`);
  if (step.startedAt) facts.push(`Started: ${step.startedAt}`);
  if (step.durationMs !== null) facts.push(`Duration: ${duration(step.durationMs)}`);
  if (step.confirmedBy) facts.push(`Confirmed by: ${prose(step.confirmedBy)}`);
  if (facts.length) out.push(facts.map((f) => `- ${f}`).join('\n'), '');
  if (step.reason)
    out.push(
      `${step.status === 'skipped' ? 'Skipped because' : 'Reason'}: ${prose(step.reason)}`,
      '',
    );
  if (step.status === 'interrupted') {
    out.push(
      'The step started and never reported an end: check its hosts before running it again.',
      '',
    );
  }

  const hosts = Object.entries(step.hosts);
  if (hosts.length) {
    out.push(
      table(
        ['Host', 'Result', 'Exit code', 'Duration', 'Command'],
        hosts.map(([h, r]) => [
          code(h),
          r.status === 'ok' ? 'ok' : `**${r.status}**`,
          r.exitCode === null ? (r.signal ? `signal ${r.signal}` : '—') : String(r.exitCode),
          r.durationMs === null ? '—' : duration(r.durationMs),
          r.command ? code(r.command) : '—',
        ]),
      ),
    );
    for (const [h, r] of hosts) if (r.error) out.push(`- ${code(h)}: ${prose(r.error)}`);
    if (hosts.some(([, r]) => r.error)) out.push('');
  }

  if (step.verify.length) {
    out.push('Verification:', '');
    for (const v of step.verify) {
      out.push(`- #${v.index + 1} on ${code(v.host)}: **${v.status}**: ${prose(v.message)}`);
    }
    out.push('');
  }
  if (step.captures.length) {
    out.push('Captured:', '');
    for (const c of step.captures) {
      out.push(
        `- ${code(c.name)} on ${code(c.host)} = ${code(c.value)}${c.secret ? ' (secret)' : ''}`,
      );
    }
    out.push('');
  }
  if (step.overrides.length) {
    out.push('Overridden checks:', '');
    for (const o of step.overrides)
      out.push(`- ${code(o.check)} by ${prose(o.by)}: ${prose(o.reason)}`);
    out.push('');
  }
  const earlier = step.attemptHistory.slice(0, -1);
  if (earlier.length) {
    out.push('Earlier attempts:', '');
    for (const a of earlier) {
      const failed = a.commands.filter((c) => c.status !== 'ok');
      const detail = failed.map(
        (c) =>
          `${code(c.host)} ${c.phase} ${c.status}${c.exitCode === null ? '' : ` (exit ${c.exitCode})`}`,
      );
      out.push(
        `- attempt ${a.attempt} at ${a.startedAt}: ${a.status}${detail.length ? `; ${detail.join(', ')}` : ''}`,
      );
    }
    out.push('');
  }
  return out;
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return `${[line(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n')}\n`;
}

/** A table cell: a pipe would end the cell and a newline the row. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replace(/\r?\n/g, '<br>');
}

/** Text as a code span, fenced with more backticks than it contains. */
function code(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ');
  if (flat === '') return '(empty)';
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Free text from a host or an operator, with Markdown's active characters escaped. */
function prose(text: string): string {
  return text.replace(/[\\`*_[\]<>#]/g, (c) => `\\${c}`);
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h
    ? `${h} h ${String(m).padStart(2, '0')} min`
    : `${m} min ${String(sec).padStart(2, '0')} s`;
}
