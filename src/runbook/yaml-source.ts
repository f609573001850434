/**
 * A YAML file parsed with node positions kept, so a problem found in the plain data (by zod or
 * by a semantic rule) can be pinned to the line and column of the node it is about.
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  type YAMLMap,
} from 'yaml';
import type { Problem } from './problem.ts';

/** A parsed YAML file. `data` is the plain value; `problems` are syntax errors, if any. */
export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  data: unknown;
  problems: Problem[];
}

/** Something wrong at a path into the data; `key` points at the map key instead of its value. */
export interface Finding {
  at: readonly PropertyKey[];
  key?: boolean;
  message: string;
}

/** Parses YAML; syntax errors come back as problems positioned by the yaml package. */
export function parseYaml(text: string, file: string): YamlSource {
  const lines = new LineCounter();
  // Merge keys (`<<: *defaults`) are common in hand-written YAML; duplicate keys are an error.
  const doc = parseDocument(text, { lineCounter: lines, merge: true, prettyErrors: false });
  const problems = doc.errors.map((e): Problem => {
    const { line, col } = lines.linePos(e.pos[0]);
    return { file, line, col, message: `invalid YAML: ${e.message}` };
  });
  const data = problems.length === 0 ? doc.toJS({ maxAliasCount: 1000 }) : undefined;
  return { file, doc, lines, data, problems };
}

/** Turns a finding into a problem at the position of the node its path leads to. */
export function toProblem(source: YamlSource, finding: Finding): Problem {
  const { line, col } = positionOf(source, finding.at, finding.key ?? false);
  return { file: source.file, line, col, message: finding.message };
}

/**
 * The 1-based position of the node at `path`. When the path leads nowhere (a missing field, or
 * a value that came through a merge key), the deepest node that exists stands in for it.
 */
export function positionOf(
  source: YamlSource,
  path: readonly PropertyKey[],
  key = false,
): { line: number; col: number } {
  let node: unknown = source.doc.contents;
  let best: Ranged | undefined = hasRange(node) ? node : undefined;
  for (const [i, segment] of path.entries()) {
    node = deref(node, source.doc);
    if (isMap(node)) {
      const pair = findPair(node, segment, source.doc);
      if (pair === undefined) break;
      if (hasRange(pair.key)) best = pair.key;
      if (key && i === path.length - 1) break;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else {
      break;
    }
    // `key:` with nothing after it is an empty scalar at the end of the line; the key reads better.
    if (!hasRange(node) || (isScalar(node) && node.range[0] === node.range[1])) break;
    best = node;
  }
  return best === undefined ? { line: 1, col: 1 } : source.lines.linePos(best.range[0]);
}

/** `steps[2].verify[0].run`: a path as an operator reads it. */
export function pathString(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(segment))) {
      out += out === '' ? String(segment) : `.${String(segment)}`;
    } else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** `steps[2].risk: ` or nothing for the document itself. */
export function pathPrefix(path: readonly PropertyKey[]): string {
  const s = pathString(path);
  return s === '' ? '' : `${s}: `;
}

type Ranged = Node & { range: [number, number, number] };

function hasRange(node: unknown): node is Ranged {
  return typeof node === 'object' && node !== null && 'range' in node && Array.isArray(node.range);
}

function deref(node: unknown, doc: Document.Parsed): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function findPair(map: YAMLMap, segment: PropertyKey, doc: Document.Parsed): Pair | undefined {
  const wanted = String(segment);
  const merged: unknown[] = [];
  for (const pair of map.items) {
    const k = isScalar(pair.key) ? pair.key.value : pair.key;
    if (String(k) === wanted) return pair;
    if (k === '<<') merged.push(pair.value);
  }
  // A key that came in through `<<:` lives in the merged map; later sources lose, as in YAML.
  for (const source of merged) {
    const value = deref(source, doc);
    const maps = isSeq(value) ? value.items.map((v) => deref(v, doc)) : [value];
    for (const m of maps) {
      if (!isMap(m)) continue;
      const pair = findPair(m, segment, doc);
      if (pair !== undefined) return pair;
    }
  }
  return undefined;
}
