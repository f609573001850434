/**
 * Rules zod cannot express because they relate one part of a runbook to another (or to the
 * registry of check kinds). They run on a runbook that already passed the schema.
 */
import type { CheckKind } from '../engine/checks/kind.ts';
import { checkKindFindings } from './rule-check-kinds.ts';
import { parameterFindings } from './rule-parameters.ts';
import { quotingFindings } from './rule-quoting.ts';
import { referenceFindings } from './rule-references.ts';
import { regexFindings } from './rule-regexes.ts';
import { templateFindings } from './rule-templates.ts';
import type { RunbookSpec } from './schema.ts';
import type { Finding } from './yaml-source.ts';

/** Every semantic problem in a schema-valid runbook. */
export function semanticFindings(
  spec: RunbookSpec,
  kinds: ReadonlyMap<string, CheckKind<unknown>>,
): Finding[] {
  return [
    ...parameterFindings(spec),
    ...referenceFindings(spec),
    ...checkKindFindings(spec, kinds),
    ...regexFindings(spec),
    ...templateFindings(spec),
    ...quotingFindings(spec),
  ];
}
