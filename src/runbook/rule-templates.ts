/**
 * Every `{{ name }}` must resolve when it is rendered. A step sees the parameters, the builtins
 * and what earlier steps captured or chose; a check may also use what any step provides, since
 * the engine defers such a check until the value exists.
 */
import { builtinVars } from './builtins.ts';
import type { RunbookSpec, StepSpec } from './schema.ts';
import { templateVars } from './template.ts';
import { type Finding, pathPrefix } from './yaml-source.ts';

/** A templated string and where it is. */
interface Text {
  at: PropertyKey[];
  text: string | undefined;
}

/** Templates that name a variable that will have no value when they are rendered. */
export function templateFindings(spec: RunbookSpec): Finding[] {
  const producers = variableProducers(spec.steps);
  const base = new Set([...Object.keys(spec.parameters), ...builtinVars]);
  const findings: Finding[] = [];
  const report = (texts: Text[], available: ReadonlySet<string>, current?: number) => {
    for (const { at, text } of texts) {
      for (const name of templateVars(text ?? '')) {
        if (available.has(name)) continue;
        const why = unavailable(name, producers, spec, current);
        findings.push({ at, message: `${pathPrefix(at)}${why}` });
      }
    }
  };

  const everything = new Set([...base, ...producers.keys()]);
  for (const [i, check] of spec.checks.entries()) {
    const at = ['checks', i];
    report(
      [
        { at: [...at, 'title'], text: check.title },
        { at: [...at, 'explain'], text: check.explain },
        { at: [...at, 'hint'], text: check.hint },
        { at: [...at, 'run'], text: check.run },
        ...stringsIn(check.with, [...at, 'with']),
      ],
      everything,
    );
  }

  const earlier = new Set(base);
  for (const [i, step] of spec.steps.entries()) {
    const at = ['steps', i];
    // Shown before the operator picks anything, so this step's own choice is not there yet.
    report(
      [
        { at: [...at, 'title'], text: step.title },
        { at: [...at, 'explain'], text: step.explain },
        { at: [...at, 'note'], text: step.note },
        { at: [...at, 'choose', 'prompt'], text: step.choose?.prompt },
        { at: [...at, 'choose', 'run'], text: step.choose?.run },
        ...stringsIn(step.choose?.s3, [...at, 'choose', 's3']),
      ],
      earlier,
      i,
    );
    // The choice comes first in a step, so what runs after it may use the chosen value.
    const afterChoice = new Set(earlier);
    if (step.choose) afterChoice.add(step.choose.var);
    report(
      [
        { at: [...at, 'run'], text: step.run },
        { at: [...at, 'preview'], text: step.preview },
        { at: [...at, 'manual'], text: step.manual },
        ...stringsIn(step.s3, [...at, 's3']),
        ...stringsIn(step.copy, [...at, 'copy']),
        { at: [...at, 'confirm'], text: step.confirm },
        ...step.verify.flatMap((v, k) => [
          { at: [...at, 'verify', k, 'title'], text: v.title },
          { at: [...at, 'verify', k, 'run'], text: v.run },
        ]),
      ],
      afterChoice,
      i,
    );
    for (const name of provides(step)) earlier.add(name);
  }
  return findings;
}

/** Names a step makes available to later ones: its choice and its captures. */
function provides(step: StepSpec): string[] {
  return [...(step.choose ? [step.choose.var] : []), ...step.capture.map((c) => c.name)];
}

function variableProducers(steps: readonly StepSpec[]): Map<string, number> {
  const producers = new Map<string, number>();
  for (const [i, step] of steps.entries()) {
    for (const name of provides(step)) if (!producers.has(name)) producers.set(name, i);
  }
  return producers;
}

function unavailable(
  name: string,
  producers: Map<string, number>,
  spec: RunbookSpec,
  current: number | undefined,
): string {
  const i = producers.get(name);
  const step = i === undefined ? undefined : spec.steps[i];
  const own = current === undefined ? undefined : spec.steps[current];
  if (own?.choose?.var === name) {
    return `{{ ${name} }} is not set yet here: this step's choice sets it, after its title and explanation are shown`;
  }
  if (own?.capture.some((c) => c.name === name)) {
    return `{{ ${name} }} is not set yet here: it is captured from this step's output, after the step runs`;
  }
  if (step !== undefined) {
    return `{{ ${name} }} is not set yet here: it comes from step "${step.id}" (steps[${i}]), which runs later`;
  }
  return (
    `unknown variable {{ ${name} }}: not a parameter, a builtin (${builtinVars.join(', ')}) ` +
    'or a value an earlier step captures or chooses'
  );
}

/** Every string inside a `with:` block, however deeply nested. */
function stringsIn(value: unknown, at: PropertyKey[]): Text[] {
  if (typeof value === 'string') return [{ at, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsIn(v, [...at, i]));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => stringsIn(v, [...at, k]));
  }
  return [];
}
