/**
 * Ansible host ranges: `web[01:03].example.com` is web01, web02 and web03; `db-[a:c]` is db-a,
 * db-b and db-c; an optional stride follows a second colon (`[0:10:5]`).
 */

const RANGE = /^(.*?)\[([^\]:]*):([^\]:]*)(?::([^\]]*))?\](.*)$/s;

/** The host names a pattern stands for, in order; throws an `Error` saying what is wrong. */
export function expandHostPattern(pattern: string): string[] {
  const m = RANGE.exec(pattern);
  if (m === null) return [pattern];
  const [, head = '', from = '', to = '', stride = '1', tail = ''] = m;
  const step = Number(stride);
  if (!/^\d+$/.test(stride) || step < 1) throw new Error(`bad stride "${stride}" in ${pattern}`);
  return rangeValues(from, to, step, pattern).flatMap((v) =>
    expandHostPattern(tail).map((rest) => `${head}${v}${rest}`),
  );
}

function rangeValues(from: string, to: string, step: number, pattern: string): string[] {
  const values: string[] = [];
  if (/^\d+$/.test(from) && /^\d+$/.test(to)) {
    // A leading zero fixes the width, as in Ansible: [01:10] gives 01 … 10.
    const width = from.startsWith('0') && from.length > 1 ? from.length : 0;
    for (let n = Number(from); n <= Number(to); n += step)
      values.push(String(n).padStart(width, '0'));
  } else if (/^[a-z]$/i.test(from) && /^[a-z]$/i.test(to)) {
    for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c += step) {
      values.push(String.fromCharCode(c));
    }
  } else {
    throw new Error(
      `bad range [${from}:${to}] in ${pattern}: use numbers ([01:09]) or letters ([a:f])`,
    );
  }
  if (values.length === 0) throw new Error(`empty range [${from}:${to}] in ${pattern}`);
  return values;
}
