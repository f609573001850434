/**
 * Parameters must be usable as declared: an enum lists its values, a default fits the type, and
 * no parameter, capture or choice hides a builtin or another parameter.
 */
import { builtinVars } from './builtins.ts';
import { coerceParam } from './param-value.ts';
import type { RunbookSpec } from './schema.ts';
import { type Finding, pathPrefix } from './yaml-source.ts';

/** Problems with the declared parameters and with names steps give to captured values. */
export function parameterFindings(spec: RunbookSpec): Finding[] {
  const findings: Finding[] = [];
  const add = (at: PropertyKey[], message: string, key = false) =>
    findings.push({ at, key, message: `${pathPrefix(at)}${message}` });

  for (const [name, param] of Object.entries(spec.parameters)) {
    const at = ['parameters', name];
    if (builtinVars.includes(name)) {
      add(at, `"${name}" is a builtin variable; give the parameter another name`, true);
    }
    if (param.type === 'enum' && (param.values ?? []).length === 0) {
      add([...at, 'type'], 'an enum parameter needs `values`, the list of allowed values');
    }
    if (param.type !== 'enum' && param.values !== undefined) {
      add(
        [...at, 'values'],
        `\`values\` is only for enum parameters (this one is "${param.type}")`,
      );
    }
    if (param.default !== undefined && (param.type !== 'enum' || param.values !== undefined)) {
      const coerced = coerceParam(param, param.default);
      if (!coerced.ok) add([...at, 'default'], `the default ${coerced.reason}`);
    }
  }

  // A capture named like a parameter would silently replace the operator's value mid-run.
  const taken = (name: string) =>
    builtinVars.includes(name)
      ? 'is a builtin variable'
      : name in spec.parameters
        ? 'is already a parameter'
        : undefined;
  for (const [i, step] of spec.steps.entries()) {
    const choice = step.choose === undefined ? undefined : taken(step.choose.var);
    if (choice)
      add(['steps', i, 'choose', 'var'], `"${step.choose?.var}" ${choice}; pick another name`);
    for (const [k, capture] of step.capture.entries()) {
      const clash = taken(capture.name);
      if (clash)
        add(['steps', i, 'capture', k, 'name'], `"${capture.name}" ${clash}; pick another name`);
    }
  }
  return findings;
}
