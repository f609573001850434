/** Turns a parameter's raw value (from YAML, the inventory or `--set`) into its string form. */
import type { ParameterSpec } from './schema.ts';

/** The coerced value, or why it does not fit and what would. */
export type Coerced = { ok: true; value: string } | { ok: false; reason: string; allowed: string };

/** What a parameter of this spec accepts, in words (for messages and prompts). */
export function allowedValues(spec: Pick<ParameterSpec, 'type' | 'values'>): string {
  switch (spec.type) {
    case 'int':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'bool':
      return 'true, false, yes or no';
    case 'enum':
      return `one of ${(spec.values ?? []).join(', ')}`;
    default:
      return 'a single value';
  }
}

/**
 * Coerces a raw value. Booleans become `true`/`false` whatever their spelling (yes/no too), and
 * numbers their canonical form, so templates and saved parameters see one spelling.
 */
export function coerceParam(spec: Pick<ParameterSpec, 'type' | 'values'>, raw: unknown): Coerced {
  const allowed = allowedValues(spec);
  const bad = (what: string): Coerced => ({
    ok: false,
    reason: `${what} is not ${allowed}`,
    allowed,
  });
  if (typeof raw === 'object' && raw !== null) {
    return bad(Array.isArray(raw) ? 'a list' : 'a map');
  }
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
    return bad(String(raw));
  }
  const text = String(raw).trim();
  const shown = JSON.stringify(String(raw));
  switch (spec.type) {
    case 'int':
      if (typeof raw === 'boolean' || !/^[+-]?\d+$/.test(text)) return bad(shown);
      return { ok: true, value: BigInt(text).toString() };
    case 'number': {
      const n = typeof raw === 'number' ? raw : Number(text);
      const numeric = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text);
      if (typeof raw === 'boolean' || !numeric || !Number.isFinite(n)) return bad(shown);
      return { ok: true, value: String(n) };
    }
    case 'bool': {
      const word = text.toLowerCase();
      if (raw === true || word === 'true' || word === 'yes') return { ok: true, value: 'true' };
      if (raw === false || word === 'false' || word === 'no') return { ok: true, value: 'false' };
      return bad(shown);
    }
    case 'enum':
      return (spec.values ?? []).includes(String(raw))
        ? { ok: true, value: String(raw) }
        : bad(shown);
    default:
      return { ok: true, value: String(raw) };
  }
}
