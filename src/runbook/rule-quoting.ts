/**
 * A `{{ name }}` inside quotes in a command defeats the quoting the renderer adds: in
 * `echo "{{ x }}"` a value `$(touch f)` is expanded by the shell inside the double quotes, and in
 * `echo '{{ x }}'` a value containing `'` closes the quotes. Values are already quoted, so a
 * placeholder must stand outside any quotes.
 */
import type { RunbookSpec } from './schema.ts';
import { type Finding, pathPrefix } from './yaml-source.ts';

const OPEN = '{{';

/** Names of placeholders that sit inside single or double quotes in a shell command. */
export function quotedPlaceholders(command: string): string[] {
  const found: string[] = [];
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (command.startsWith(OPEN, i)) {
      const end = command.indexOf('}}', i);
      if (end < 0) break;
      if (quote !== null) found.push(command.slice(i + 2, end).trim());
      i = end + 1;
      continue;
    }
    if (quote === "'") {
      if (c === "'") quote = null;
    } else if (c === '\\') {
      i++; // an escaped character never opens or closes quotes
    } else if (quote === '"') {
      if (c === '"') quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
    }
  }
  return found;
}

/** Every command template whose placeholders are wrapped in quotes. */
export function quotingFindings(spec: RunbookSpec): Finding[] {
  const commands: { at: PropertyKey[]; text: string | undefined }[] = [
    ...spec.checks.map((c, i) => ({ at: ['checks', i, 'run'], text: c.run })),
    ...spec.steps.flatMap((s, i) => [
      { at: ['steps', i, 'run'], text: s.run },
      { at: ['steps', i, 'preview'], text: s.preview },
      { at: ['steps', i, 'choose', 'run'], text: s.choose?.run },
      ...s.verify.map((v, k) => ({ at: ['steps', i, 'verify', k, 'run'], text: v.run })),
    ]),
  ];
  return commands.flatMap(({ at, text }) =>
    quotedPlaceholders(text ?? '').map((name) => ({
      at,
      message: `${pathPrefix(at)}{{ ${name} }} is inside quotes; values are shell-quoted for you, so remove the quotes around it`,
    })),
  );
}
