/**
 * `{{ name }}` templating. In commands every value is shell-quoted, with no way to opt out, so
 * a value such as `'; touch /tmp/pwned #` reaches the shell as one literal word.
 */

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g;

/**
 * POSIX single-quote quoting. zx's `quote` emits bash-only `$'…'` strings, which dash (`/bin/sh`
 * on Debian, and many remote login shells) does not understand, so we quote the portable way.
 */
export function shellQuote(value: string): string {
  if (value !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Variable names a template refers to, in order of first use. */
export function templateVars(template: string): string[] {
  const names = new Set<string>();
  for (const m of template.matchAll(PLACEHOLDER)) names.add(m[1]!);
  return [...names];
}

/** Raised when a template names a variable that has no value. */
export class MissingVariableError extends Error {
  override readonly name = 'MissingVariableError';
  readonly variable: string;
  constructor(variable: string) {
    super(`no value for {{ ${variable} }}`);
    this.variable = variable;
  }
}

/** Looks a variable up; `undefined` means it has no value (yet). */
export type Lookup = (name: string) => string | undefined;

function render(template: string, lookup: Lookup, quote: (v: string) => string): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = lookup(name);
    if (value === undefined) throw new MissingVariableError(name);
    return quote(value);
  });
}

/** Renders a shell command: every value is shell-quoted. */
export function renderCommand(template: string, lookup: Lookup): string {
  return render(template, lookup, shellQuote);
}

/** Renders text shown to the operator (titles, phrases, arguments of check kinds): no quoting. */
export function renderText(template: string, lookup: Lookup): string {
  return render(template, lookup, (v) => v);
}
