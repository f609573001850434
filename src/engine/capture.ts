/** Extracts a step's captures from its output: a regex group or a JSONPath. */
import { JSONPath } from 'jsonpath-plus';
import type { CaptureSpec } from '../runbook/schema.ts';

/** The value captured, or why nothing was. */
export type Captured = { ok: true; value: string } | { ok: false; reason: string };

export function capture(spec: CaptureSpec, stdout: string, stderr: string): Captured {
  const text = spec.from === 'stderr' ? stderr : stdout;
  if (spec.regex !== undefined) {
    const m = new RegExp(spec.regex, 'm').exec(text);
    if (!m) return { ok: false, reason: `no line of ${spec.from} matches /${spec.regex}/` };
    return { ok: true, value: m.groups?.value ?? m[1] ?? m[0] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: `${spec.from} is not JSON` };
  }
  const found = JSONPath({ path: spec.json!, json: json as object, wrap: true }) as unknown[];
  if (found.length === 0) return { ok: false, reason: `nothing at ${spec.json}` };
  const value = found[0];
  return { ok: true, value: typeof value === 'string' ? value : JSON.stringify(value) };
}
