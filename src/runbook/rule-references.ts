/**
 * Rules about names that point at other parts of the runbook: unique step and check ids, the
 * checks a step `requires`, and the roles a target runs `on`.
 */
import { LOCAL_TARGET } from './builtins.ts';
import type { RunbookSpec, Target } from './schema.ts';
import { type Finding, pathPrefix } from './yaml-source.ts';

/** Duplicate ids, unknown `requires`, unknown roles, `confirm` where it has no effect. */
export function referenceFindings(spec: RunbookSpec): Finding[] {
  return [
    ...duplicateIds(spec.steps, 'steps', 'step'),
    ...duplicateIds(spec.checks, 'checks', 'check'),
    ...unknownRequires(spec),
    ...unknownRoles(spec),
    ...misplacedConfirm(spec),
  ];
}

function duplicateIds(items: readonly { id: string }[], list: string, what: string): Finding[] {
  const first = new Map<string, number>();
  const findings: Finding[] = [];
  for (const [i, item] of items.entries()) {
    const seen = first.get(item.id);
    if (seen === undefined) first.set(item.id, i);
    else {
      const at = [list, i, 'id'];
      findings.push({
        at,
        message: `${pathPrefix(at)}duplicate ${what} id "${item.id}" (already used by ${list}[${seen}])`,
      });
    }
  }
  return findings;
}

function unknownRequires(spec: RunbookSpec): Finding[] {
  const ids = [...new Set(spec.checks.map((c) => c.id))];
  const known = ids.length > 0 ? `checks are: ${ids.join(', ')}` : 'this runbook has no checks';
  return spec.steps.flatMap((step, i) =>
    step.requires.flatMap((name, j): Finding[] => {
      if (ids.includes(name)) return [];
      const at = ['steps', i, 'requires', j];
      return [{ at, message: `${pathPrefix(at)}unknown check "${name}" (${known})` }];
    }),
  );
}

/** Every place a runbook names a target, with its path. */
function targets(spec: RunbookSpec): { at: PropertyKey[]; target: Target | undefined }[] {
  return [
    ...spec.checks.map((c, i) => ({ at: ['checks', i, 'on'], target: c.on })),
    ...spec.steps.flatMap((s, i) => [
      { at: ['steps', i, 'on'], target: s.on },
      { at: ['steps', i, 'choose', 'on'], target: s.choose?.on },
      ...s.verify.map((v, k) => ({ at: ['steps', i, 'verify', k, 'on'], target: v.on })),
    ]),
  ];
}

function unknownRoles(spec: RunbookSpec): Finding[] {
  const roles = Object.keys(spec.roles);
  const findings: Finding[] = [];
  if (roles.includes(LOCAL_TARGET)) {
    findings.push({
      at: ['roles', LOCAL_TARGET],
      key: true,
      message: `roles: "${LOCAL_TARGET}" is reserved for the operator's machine; name the role after what its hosts do`,
    });
  }
  const declared =
    roles.length > 0 ? `declared roles: ${roles.join(', ')}` : 'this runbook declares no roles';
  for (const { at, target } of targets(spec)) {
    if (target === undefined) continue;
    const role = typeof target === 'string' ? target : target.role;
    if (typeof target === 'string' && role === LOCAL_TARGET) continue;
    if (roles.includes(role)) continue;
    const where = typeof target === 'string' ? at : [...at, 'role'];
    const also = typeof target === 'string' ? `; or "${LOCAL_TARGET}"` : '';
    findings.push({
      at: where,
      message: `${pathPrefix(where)}unknown role "${role}" (${declared}${also})`,
    });
  }
  return findings;
}

// The schema rejects `confirm` on read-only steps; on `changes` it would be silently ignored.
function misplacedConfirm(spec: RunbookSpec): Finding[] {
  return spec.steps.flatMap((step, i): Finding[] => {
    if (step.confirm === undefined || step.risk === 'destructive') return [];
    const at = ['steps', i, 'confirm'];
    return [
      {
        at,
        message: `${pathPrefix(at)}\`confirm\` is only for destructive steps (this one is "${step.risk}")`,
      },
    ];
  });
}
