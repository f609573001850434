/** Problems found in a file (a runbook, an inventory), each pinned to a line and column. */
import { OperatorError } from '../errors.ts';

/** One thing wrong with a file. `line` and `col` are 1-based and point at the offending node. */
export interface Problem {
  file: string;
  line: number;
  col: number;
  message: string;
}

/** `file:line:col: message`, the form editors and terminals turn into links. */
export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

/** Orders problems by file, then position, so output reads top to bottom. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col,
  );
}

/** One operator error listing every problem, one per line, with what to do about them. */
export function problemsError(problems: readonly Problem[], hint: string): OperatorError {
  return new OperatorError(sortProblems(problems).map(formatProblem).join('\n'), hint);
}
