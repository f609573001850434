/**
 * Turns zod issues into findings an operator can act on: the path of the offending node and a
 * message in plain words ("missing required field", "unknown field", "expected one of …").
 */
import type { z } from 'zod';
import { type Finding, pathPrefix } from './yaml-source.ts';

type Issue = z.core.$ZodIssue;

/** Findings for zod issues about `input`; `base` is where `input` sits in the whole file. */
export function zodFindings(
  issues: readonly Issue[],
  input: unknown,
  base: readonly PropertyKey[] = [],
): Finding[] {
  return issues.flatMap((issue) => findingsFor(issue, input, base));
}

function findingsFor(issue: Issue, input: unknown, base: readonly PropertyKey[]): Finding[] {
  const at = [...base, ...issue.path];
  const value = valueAt(input, issue.path);
  const prefix = pathPrefix(at);
  const missing = value === undefined && at.length > 0 && issue.path.length > 0;
  const typeIssue = ['invalid_type', 'invalid_value', 'invalid_union'].includes(issue.code);
  if (missing && typeIssue) {
    const parent = at.slice(0, -1);
    return [
      { at: parent, message: `${pathPrefix(parent)}missing required field "${String(at.at(-1))}"` },
    ];
  }
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => ({
        at: [...at, k],
        key: true,
        message: `${prefix}unknown field "${k}"`,
      }));
    case 'invalid_type':
      return [
        { at, message: `${prefix}expected ${typeName(issue.expected)}, got ${describe(value)}` },
      ];
    case 'invalid_value':
      return [{ at, message: `${prefix}${expectedValues(issue.values)} (got ${describe(value)})` }];
    case 'invalid_format':
      return [{ at, message: `${prefix}${formatMessage(issue)} (got ${describe(value)})` }];
    case 'too_small':
    case 'too_big':
      return [{ at, message: `${prefix}${sizeMessage(issue)}` }];
    case 'invalid_union':
      return unionFindings(issue, value, at);
    case 'invalid_key': {
      const parent = at.slice(0, -1);
      const why = issue.issues.map((i) => i.message).join('; ');
      return [
        {
          at,
          key: true,
          message: `${pathPrefix(parent)}"${String(at.at(-1))}" is not a valid name: ${why}`,
        },
      ];
    }
    default:
      return [{ at, message: `${prefix}${issue.message}` }];
  }
}

/**
 * zod already narrows a union to the branch the input was meant for when it can; when every
 * branch rejected the input's type outright, name the types that would do.
 */
function unionFindings(
  issue: Extract<Issue, { code: 'invalid_union' }>,
  value: unknown,
  at: readonly PropertyKey[],
): Finding[] {
  const isTypeMismatch = (i: Issue) => i.code === 'invalid_type' && i.path.length === 0;
  const near = issue.errors.filter((branch) => !branch.every(isTypeMismatch));
  if (near[0] !== undefined) return zodFindings(near[0], value, at);
  const expected = issue.errors.flatMap((branch) =>
    branch.filter(isTypeMismatch).map((i) => typeName((i as { expected: string }).expected)),
  );
  const unique = [...new Set(expected)];
  const list =
    unique.length > 1 ? `${unique.slice(0, -1).join(', ')} or ${unique.at(-1)}` : unique[0];
  return [
    {
      at,
      message: `${pathPrefix(at)}expected ${list ?? 'something else'}, got ${describe(value)}`,
    },
  ];
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const segment of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[segment];
  }
  return v;
}

function typeName(expected: string): string {
  const names: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    object: 'a map',
    record: 'a map',
    array: 'a list',
  };
  return names[expected] ?? expected;
}

function expectedValues(values: readonly unknown[]): string {
  const shown = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return shown.length === 1 ? `expected ${shown[0]}` : `expected one of ${shown.join(', ')}`;
}

function formatMessage(issue: Extract<Issue, { code: 'invalid_format' }>): string {
  // Our schema gives regexes a message in words; zod's default one only repeats the pattern.
  if (issue.format === 'regex' && issue.message.startsWith('Invalid string')) {
    return `must match ${issue.pattern ?? 'the expected pattern'}`;
  }
  return issue.message;
}

function sizeMessage(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>): string {
  const small = issue.code === 'too_small';
  const limit = Number(small ? issue.minimum : issue.maximum);
  switch (issue.origin) {
    case 'string':
      if (small && limit === 1) return 'must not be empty';
      return `must be ${small ? 'at least' : 'at most'} ${limit} characters long`;
    case 'array':
      if (small && limit === 1) return 'needs at least one item';
      return `needs ${small ? 'at least' : 'at most'} ${limit} items`;
    default: {
      const op = small ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      return `must be ${op} ${limit}`;
    }
  }
}

/** A value as the operator wrote it, briefly. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value);
  }
  return String(value);
}
