/**
 * Fingerprints of each step, so a resumed run can tell which steps changed in the runbook since
 * the run started. Keys are sorted, so reordering fields in the YAML changes nothing.
 */
import { createHash } from 'node:crypto';
import type { StepSpec } from './schema.ts';

/** JSON with object keys sorted at every level. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** sha256 (hex) of some bytes or text. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Step id → sha256 of the step's parsed spec (defaults applied) as stable JSON. */
export function stepHashes(steps: readonly StepSpec[]): Record<string, string> {
  return Object.fromEntries(steps.map((s) => [s.id, sha256(stableJson(s))]));
}
