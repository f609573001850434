/**
 * Pure parsing and comparison behind `elasticsearch.path-repo`: the `path.repo` a node has LIVE
 * (what `GET /_nodes/_local/settings` reports, i.e. what elasticsearch.yml said when the node
 * started) against the one its elasticsearch.yml says now. No I/O here, so every verdict can be
 * tested on plain strings.
 */
import { parse as parseYamlText } from 'yaml';
import type { Evidence, Verdict } from '../events.ts';

/** The repo paths of a node, or why they could not be read. */
export type RepoSetting = { kind: 'set'; paths: string[] } | { kind: 'unset' };

/** What was read from one node. */
export interface EsNodeFacts {
  host: string;
  /** The settings URL asked, for messages. */
  url: string;
  /** The node's answer, or why there was none (curl's error, an HTTP error body). */
  live: RepoSetting | { kind: 'error'; message: string };
  /** elasticsearch.yml as read now, or why it could not be read. */
  configured: RepoSetting | { kind: 'error'; message: string };
  /** Where elasticsearch.yml was read from, for messages. */
  configPath: string;
}

/** One host's verdict. */
export interface PathRepoVerdict {
  host: string;
  status: Exclude<Verdict, 'waiting'>;
  message: string;
  evidence: Evidence;
}

/**
 * ES reads a list setting from a YAML list, a `[a, b]` list, or a string it splits on commas,
 * and shows it back as given: a string or an array.
 */
function toPaths(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items
    .flatMap((v) => (typeof v === 'string' ? v.split(',') : v == null ? [] : [String(v)]))
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

function fromSettings(settings: Record<string, unknown>): RepoSetting {
  // Nested (`settings.path.repo`), or `?flat_settings=true` (`path.repo`, or `path.repo.0`…
  // as ES 1.x and 2.x flatten arrays).
  const nested = (settings.path as Record<string, unknown> | undefined)?.repo;
  const flat = settings['path.repo'];
  const numbered = Object.keys(settings)
    .filter((k) => /^path\.repo\.\d+$/.test(k))
    .sort((a, b) => Number(a.slice(10)) - Number(b.slice(10)))
    .map((k) => settings[k]);
  const value = nested ?? flat ?? (numbered.length > 0 ? numbered : undefined);
  const paths = toPaths(value);
  return paths.length > 0 ? { kind: 'set', paths } : { kind: 'unset' };
}

/**
 * The live path.repo from the body of `GET /_nodes/_local/settings` (one node) or
 * `GET /_nodes/settings` with `nodeName` to pick one. An ES error body becomes its reason.
 */
export function parseNodeSettings(
  body: string,
  nodeName?: string,
): RepoSetting | { kind: 'error'; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    const text = body.trim();
    return {
      kind: 'error',
      message: text === '' ? 'empty answer' : `not JSON: ${text.slice(0, 120)}`,
    };
  }
  const obj = json as {
    error?: { reason?: string; type?: string } | string;
    nodes?: Record<string, { name?: string; settings?: Record<string, unknown> }>;
  };
  if (obj.error !== undefined) {
    const e = obj.error;
    return {
      kind: 'error',
      message: typeof e === 'string' ? e : `${e.type ?? 'error'}: ${e.reason ?? ''}`,
    };
  }
  const nodes = Object.values(obj.nodes ?? {});
  const node = nodeName ? nodes.find((n) => n.name === nodeName) : nodes[0];
  if (!node) {
    return {
      kind: 'error',
      message: nodeName ? `no node named ${nodeName} in the answer` : 'the answer lists no node',
    };
  }
  return fromSettings(node.settings ?? {});
}

/** path.repo in the text of elasticsearch.yml (`path.repo:` or `path:` → `repo:`). */
export function parseElasticsearchYml(
  text: string,
): RepoSetting | { kind: 'error'; message: string } {
  let doc: unknown;
  try {
    doc = parseYamlText(text);
  } catch (error) {
    return { kind: 'error', message: `not valid YAML: ${(error as Error).message.split('\n')[0]}` };
  }
  if (doc === null || doc === undefined) return { kind: 'unset' };
  if (typeof doc !== 'object') return { kind: 'error', message: 'not a YAML map' };
  return fromSettings(doc as Record<string, unknown>);
}

function norm(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/** Whether a repository at `location` is allowed by these path.repo entries (ES: at or under one). */
export function allows(setting: EsNodeFacts['live'], location: string): boolean {
  if (setting.kind !== 'set') return false;
  const loc = norm(location);
  return setting.paths.map(norm).some((r) => loc === r || loc.startsWith(r === '/' ? r : `${r}/`));
}

function show(setting: EsNodeFacts['live']): string {
  if (setting.kind === 'set') return setting.paths.join(', ');
  if (setting.kind === 'unset') return '(not set)';
  return `(unknown: ${setting.message})`;
}

/** The verdict for one node: is `expected` (the repository location) live in path.repo? */
export function judgePathRepo(node: EsNodeFacts, expected: string): PathRepoVerdict {
  const base: Evidence = {
    host: node.host,
    expected,
    found: show(node.live),
    configured: show(node.configured),
  };
  if (node.live.kind === 'error') {
    return {
      host: node.host,
      status: 'fail',
      message: `Elasticsearch on ${node.host} did not give its settings at ${node.url}: ${node.live.message}`,
      evidence: { ...base, url: node.url },
    };
  }
  const configured = node.configured;
  if (allows(node.live, expected)) {
    if (configured.kind !== 'error' && !allows(configured, expected)) {
      return {
        host: node.host,
        status: 'warn',
        message: `path.repo on ${node.host} is live (${show(node.live)}) but ${node.configPath} no longer has ${expected}: the next restart of Elasticsearch drops it`,
        evidence: base,
      };
    }
    return {
      host: node.host,
      status: 'pass',
      message: `path.repo on ${node.host} is live: ${show(node.live)}`,
      evidence: base,
    };
  }
  const live = node.live.kind === 'set' ? `live: ${show(node.live)}` : 'live: not set';
  if (allows(configured, expected)) {
    return {
      host: node.host,
      status: 'fail',
      message: `path.repo on ${node.host} is configured in elasticsearch.yml but not active until ES restarts (${live})`,
      evidence: base,
    };
  }
  const file =
    configured.kind === 'error'
      ? `${node.configPath} could not be read: ${configured.message}`
      : `${node.configPath}: ${show(configured)}`;
  return {
    host: node.host,
    status: 'fail',
    message: `path.repo on ${node.host} does not include ${expected} (${live}; ${file})`,
    evidence: base,
  };
}
