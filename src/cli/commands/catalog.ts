/** `stepwise list`, `stepwise show` and `stepwise validate`: reading runbooks, running nothing. */
import { relative } from 'node:path';
import { EXIT, type ExitCode } from '../../errors.ts';
import { discoverRunbooks, resolveRunbook, runbookDirs } from '../../runbook/discover.ts';
import { loadRunbook } from '../../runbook/load.ts';
import { formatProblem } from '../../runbook/problem.ts';
import type { RunbookSpec, Target } from '../../runbook/schema.ts';
import { validatePaths } from '../../runbook/validate.ts';
import type { CliIO } from '../io.ts';

const targetText = (t: Target) =>
  typeof t === 'string'
    ? t
    : `${t.role}${t.hosts === 'one' ? ' (one host)' : ''}${t.serial ? ` (${t.serial} at a time)` : ''}`;

export async function listCommand(
  io: CliIO,
  flags: { json?: boolean; runbooks: string[] },
): Promise<ExitCode> {
  const refs = await discoverRunbooks(runbookDirs(flags.runbooks));
  const rows = await Promise.all(
    refs.map(async (r) => {
      const rb = await loadRunbook(r.path);
      return {
        id: r.id,
        system: rb.spec.system,
        title: rb.spec.title,
        path: r.path,
        steps: rb.spec.steps.length,
      };
    }),
  );
  if (flags.json) {
    io.stdout(`${JSON.stringify(rows)}\n`);
    return EXIT.ok;
  }
  let system = '';
  for (const r of rows) {
    if (r.system !== system) io.stdout(`${r.system}\n`);
    system = r.system;
    io.stdout(`  ${r.id.padEnd(32)} ${r.title} (${r.steps} steps)\n`);
  }
  if (rows.length === 0) io.stdout('No runbooks found.\n');
  return EXIT.ok;
}

function describe(id: string, spec: RunbookSpec): string {
  const out: string[] = [`${spec.title}  (${id})`, '', spec.summary.trim(), ''];
  out.push(
    `Follows: ${spec.source.document}${spec.source.section ? ` — ${spec.source.section}` : ''}`,
  );
  const roles = Object.entries(spec.roles);
  if (roles.length) {
    out.push('', 'Roles:');
    for (const [name, r] of roles) out.push(`  ${name}: ${r.description}`);
  }
  const params = Object.entries(spec.parameters);
  if (params.length) {
    out.push('', 'Parameters:');
    for (const [name, p] of params) {
      const dflt = p.secret
        ? ' (secret)'
        : p.default === undefined
          ? ''
          : ` [default: ${p.default}]`;
      out.push(`  ${name} (${p.type})${dflt}: ${p.description}`);
    }
  }
  if (spec.checks.length) {
    out.push('', 'Checks:');
    for (const c of spec.checks) out.push(`  ${c.id} on ${targetText(c.on)}: ${c.title}`);
  }
  out.push('', 'Steps:');
  spec.steps.forEach((s, i) => {
    const gates = s.requires.length ? `  requires ${s.requires.join(', ')}` : '';
    out.push(`  ${i + 1}. ${s.id} [${s.risk}] on ${targetText(s.on)}: ${s.title}${gates}`);
  });
  return `${out.join('\n')}\n`;
}

export async function showCommand(
  io: CliIO,
  runbook: string,
  flags: { json?: boolean; runbooks: string[] },
): Promise<ExitCode> {
  const ref = await resolveRunbook(runbook, runbookDirs(flags.runbooks));
  const rb = await loadRunbook(ref.path);
  io.stdout(
    flags.json
      ? `${JSON.stringify({ id: rb.id, path: rb.path, ...rb.spec })}\n`
      : describe(rb.id, rb.spec),
  );
  return EXIT.ok;
}

export async function validateCommand(
  io: CliIO,
  paths: string[],
  flags: { runbooks: string[] },
): Promise<ExitCode> {
  const targets = paths.length > 0 ? paths : runbookDirs(flags.runbooks);
  const problems = await validatePaths(targets);
  for (const p of problems)
    io.stdout(`${formatProblem({ ...p, file: relative(io.cwd, p.file) || p.file })}\n`);
  if (problems.length > 0) {
    io.stderr(`${problems.length} problem${problems.length === 1 ? '' : 's'} found\n`);
    return EXIT.failed;
  }
  io.stderr('No problems found.\n');
  return EXIT.ok;
}
