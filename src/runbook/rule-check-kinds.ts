/**
 * A check with `kind:` must name a registered check kind, and its `with:` block must satisfy
 * that kind's argument schema; a check with `run:` has no use for `with:`.
 */
import type { CheckKind } from '../engine/checks/kind.ts';
import { builtinVars } from './builtins.ts';
import type { RunbookSpec } from './schema.ts';
import { templateVars } from './template.ts';
import { type Finding, pathPrefix } from './yaml-source.ts';
import { zodFindings } from './zod-findings.ts';

/** Unknown kinds, bad `with:` arguments and blocks that do not belong to the kind of check. */
export function checkKindFindings(
  spec: RunbookSpec,
  kinds: ReadonlyMap<string, CheckKind<unknown>>,
): Finding[] {
  const names = [...kinds.keys()].sort();
  const known =
    names.length > 0 ? `known kinds: ${names.join(', ')}` : 'no check kinds are registered';
  return spec.checks.flatMap((check, i): Finding[] => {
    const at = ['checks', i];
    if (check.kind === undefined) {
      if (check.with === undefined) return [];
      const w = [...at, 'with'];
      return [
        { at: w, key: true, message: `${pathPrefix(w)}\`with\` is only for checks with \`kind\`` },
      ];
    }
    const findings: Finding[] = [];
    if (check.expect !== undefined) {
      const e = [...at, 'expect'];
      findings.push({
        at: e,
        key: true,
        message: `${pathPrefix(e)}\`expect\` is only for checks with \`run\``,
      });
    }
    const kind = kinds.get(check.kind);
    if (kind === undefined) {
      const k = [...at, 'kind'];
      findings.push({
        at: k,
        message: `${pathPrefix(k)}unknown check kind "${check.kind}" (${known})`,
      });
      return findings;
    }
    const args = check.with ?? {};
    const parsed = kind.args.safeParse(args);
    if (!parsed.success) {
      findings.push(...zodFindings(parsed.error.issues, args, [...at, 'with']));
      return findings;
    }
    // A kind's defaults are templates too (`{{ loom_dir }}`): the runbook must declare what
    // they name, or the check waits forever for a value that never comes.
    const declared = new Set([...Object.keys(spec.parameters), ...builtinVars, ...provided(spec)]);
    const given = new Set(Object.keys(check.with ?? {}));
    for (const [name, value] of Object.entries(parsed.data as Record<string, unknown>)) {
      if (given.has(name) || typeof value !== 'string') continue;
      for (const v of templateVars(value).filter((n) => !declared.has(n))) {
        const k = [...at, 'kind'];
        findings.push({
          at: k,
          message: `${pathPrefix(k)}${check.kind}'s default for \`${name}\` is "${value}", and this runbook declares no parameter "${v}": declare it, or set \`with: { ${name}: … }\``,
        });
      }
    }
    return findings;
  });
}

/** Names the steps provide: captures and choices. */
function provided(spec: RunbookSpec): string[] {
  return spec.steps.flatMap((s) => [
    ...s.capture.map((c) => c.name),
    ...(s.choose ? [s.choose.var] : []),
  ]);
}
