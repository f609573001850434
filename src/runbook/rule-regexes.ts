/** Every regex in a runbook must compile, or the check or capture using it could never work. */
import type { Expect, RunbookSpec } from './schema.ts';
import { type Finding, pathPrefix } from './yaml-source.ts';

/** Regexes that JavaScript rejects, each at the field that holds it. */
export function regexFindings(spec: RunbookSpec): Finding[] {
  const regexes: { at: PropertyKey[]; source: string | undefined }[] = [
    ...spec.checks.flatMap((c, i) => inExpect(c.expect, ['checks', i, 'expect'])),
    ...spec.steps.flatMap((s, i) => [
      ...s.verify.flatMap((v, k) => inExpect(v.expect, ['steps', i, 'verify', k, 'expect'])),
      ...s.capture.map((c, k) => ({ at: ['steps', i, 'capture', k, 'regex'], source: c.regex })),
      { at: ['steps', i, 'choose', 'item'], source: s.choose?.item },
    ]),
  ];
  return regexes.flatMap(({ at, source }): Finding[] => {
    if (source === undefined) return [];
    try {
      new RegExp(source);
      return [];
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      return [{ at, message: `${pathPrefix(at)}not a valid regex: ${why}` }];
    }
  });
}

function inExpect(expect: Expect | undefined, at: PropertyKey[]) {
  return [
    { at: [...at, 'stdout'], source: expect?.stdout },
    { at: [...at, 'stdout_not'], source: expect?.stdout_not },
    { at: [...at, 'stderr'], source: expect?.stderr },
    { at: [...at, 'number', 'from'], source: expect?.number?.from },
  ];
}
