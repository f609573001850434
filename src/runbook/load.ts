/**
 * Loads a runbook: YAML with positions, the zod schema, then the semantic rules. Every problem
 * found is reported at once, as `file:line:col: message`, so one edit cycle fixes them all.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import type { CheckKind } from '../engine/checks/kind.ts';
import { checkKinds } from '../engine/checks/registry.ts';
import { OperatorError } from '../errors.ts';
import { type Problem, problemsError, sortProblems } from './problem.ts';
import { runbookIdFromPath } from './runbook-id.ts';
import { type RunbookSpec, runbookSchema } from './schema.ts';
import { semanticFindings } from './semantics.ts';
import { sha256, stepHashes } from './step-hashes.ts';
import { parseYaml, toProblem } from './yaml-source.ts';
import { zodFindings } from './zod-findings.ts';

/** A runbook ready to plan: its spec with defaults applied, and fingerprints of the file. */
export interface LoadedRunbook {
  /** `<system>/<name>`, from the path `…/<system>/<name>.yaml`. */
  id: string;
  path: string;
  spec: RunbookSpec;
  /** sha256 (hex) of the file's bytes. */
  hash: string;
  /** Step id → sha256 of the step's spec, to tell which steps changed since a run started. */
  stepHashes: Record<string, string>;
}

/** The outcome of checking a runbook: either the loaded runbook or its problems. */
export type RunbookParse =
  | { ok: true; runbook: LoadedRunbook }
  | { ok: false; problems: Problem[] };

/** Options for loading; `kinds` replaces the registry of check kinds (tests use their own). */
export interface LoadOptions {
  kinds?: ReadonlyMap<string, CheckKind<unknown>>;
}

const HINT_FIX = 'fix the runbook, then check it again with `stepwise validate <file>`';

/** Checks a runbook's content. `path` names the file in problems and gives the id. */
export function parseRunbook(
  content: string | Uint8Array,
  path: string,
  options: LoadOptions = {},
): RunbookParse {
  const text = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
  const source = parseYaml(text, displayPath(path));
  if (source.problems.length > 0) return { ok: false, problems: source.problems };

  const parsed = runbookSchema.safeParse(source.data);
  const findings = parsed.success
    ? semanticFindings(parsed.data, options.kinds ?? checkKinds)
    : zodFindings(parsed.error.issues, source.data);
  if (!parsed.success || findings.length > 0) {
    return { ok: false, problems: sortProblems(findings.map((f) => toProblem(source, f))) };
  }
  const runbook: LoadedRunbook = {
    id: runbookIdFromPath(path),
    path,
    spec: parsed.data,
    hash: sha256(content),
    stepHashes: stepHashes(parsed.data.steps),
  };
  return { ok: true, runbook };
}

/** Every problem in a runbook file (empty when it is fine). */
export async function runbookProblems(path: string, options: LoadOptions = {}): Promise<Problem[]> {
  const result = parseRunbook(await readRunbookFile(path), path, options);
  return result.ok ? [] : result.problems;
}

/** Loads a runbook, or throws an `OperatorError` listing every problem in it. */
export async function loadRunbook(path: string, options: LoadOptions = {}): Promise<LoadedRunbook> {
  const result = parseRunbook(await readRunbookFile(path), path, options);
  if (!result.ok) throw problemsError(result.problems, HINT_FIX);
  return result.runbook;
}

async function readRunbookFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new OperatorError(
      `cannot read runbook ${path}: ${why}`,
      'check the path of the runbook file',
      undefined,
      { cause: error },
    );
  }
}

// Problems name files the way the operator would type them: relative when under the cwd.
function displayPath(path: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
