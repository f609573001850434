/**
 * Pure logic behind `loom: { op: rebuild-peers }`, the procedure's NODE_KEYS fix: a node's
 * `--peers` rebuilt from the cluster's CURRENT addresses (the inventory) and the node keys the
 * other nodes have after their config was restored (`loom nodekey`), each node leaving itself
 * out. Only the peer list inside the effective `ExecStart=` changes; every other byte of the
 * unit stays as restored. No I/O here, so every case is tested on plain strings.
 */
import { abbreviate, type PeerEntry, parseNodekey, parsePeerList } from '../checks/loom-peers.ts';

/** Tendermint's P2P port, used when the restored unit names no port to keep. */
export const DEFAULT_P2P_PORT = 46656;

/** Another node of the cluster, as it is now. */
export interface PeerSource {
  /** Inventory name. */
  name: string;
  /** Inventory address: where the other nodes reach it now. */
  address: string;
  /** Stdout of `loom nodekey` on it, from its working directory. */
  nodekeyOutput: string;
}

/** One entry of the rebuilt list, with what it replaced (if anything). */
export interface RebuiltEntry {
  node: string;
  id: string;
  address: string;
  port: number;
  /** The entry of the restored list for the same key or address, if there was one. */
  was?: PeerEntry;
}

/** The rebuilt unit, or the news that the restored one is already right. */
export interface PeersRebuild {
  changed: boolean;
  oldExecStart: string;
  newExecStart: string;
  /** The whole unit with only the peer list replaced (the restored text when unchanged). */
  unitText: string;
  oldList: string;
  newList: string;
  entries: RebuiltEntry[];
  /** Restored entries that name no node of the cluster (dropped from the new list). */
  dropped: PeerEntry[];
}

/** An operator-fixable reason the list cannot be rebuilt. */
export class RebuildError extends Error {
  readonly hint: string;
  constructor(message: string, hint: string) {
    super(message);
    this.hint = hint;
  }
}

/** A text span [start, end) of the unit. */
interface Span {
  start: number;
  end: number;
}

/**
 * Where the effective `ExecStart=` of the [Service] section is in the raw text (the last
 * non-empty one, backslash continuations included), as {@link parsePeerList} reads it.
 */
export function execStartSpan(unitText: string): Span | undefined {
  let section = '';
  let found: Span | undefined;
  let at = 0;
  const lines = unitText.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = at;
    let end = start + lines[i]!.length;
    at = end + 1;
    const first = lines[i]!.replace(/\r$/, '');
    // A logical line runs on while a physical one ends with a backslash.
    let last = first;
    while (last.endsWith('\\') && i + 1 < lines.length) {
      i++;
      end = at + lines[i]!.length;
      at = end + 1;
      last = lines[i]!.replace(/\r$/, '');
    }
    const trimmed = first.trim();
    const header = /^\[(.+)\]$/.exec(trimmed);
    if (header) {
      section = header[1]!;
      continue;
    }
    if (section !== 'Service') continue;
    const m = /^\s*ExecStart\s*=\s*/.exec(first);
    if (!m) continue;
    const body = unitText.slice(start + m[0].length, end).trim();
    found = body === '' ? undefined : { start: start + m[0].length, end };
  }
  return found;
}

/** The token holding the peer list inside an ExecStart span: the part to replace. */
function peerListToken(unitText: string, span: Span): Span | undefined {
  const text = unitText.slice(span.start, span.end);
  const tokens = [...text.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)].map((m) => {
    const quoted = m[1] !== undefined || m[2] !== undefined;
    const value = m[1] ?? m[2] ?? m[3] ?? '';
    const start = span.start + m.index + (quoted ? 1 : 0);
    return { value, start, end: start + value.length };
  });
  let list: Span | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const eq = /^--(?:persistent-)?peers=/.exec(t.value);
    if (eq) list = { start: t.start + eq[0].length, end: t.end };
    else if (/^--(?:persistent-)?peers$/.test(t.value) && tokens[i + 1]) {
      list = { start: tokens[i + 1]!.start, end: tokens[i + 1]!.end };
    }
  }
  const last = tokens.at(-1);
  if (list === undefined && last?.value.includes('@')) list = { start: last.start, end: last.end };
  return list;
}

const entryText = (e: { id: string; address: string; port: number }) =>
  `tcp://${e.id}@${e.address}:${e.port}`;

const sameAddresses = (a: readonly PeerEntry[], b: readonly PeerSource[]) => {
  const left = new Set(a.map((e) => e.address));
  return left.size === a.length && left.size === b.length && b.every((o) => left.has(o.address));
};

/**
 * The unit of `self` with its `--peers` rebuilt from `others` (the other nodes of the cluster,
 * in inventory order), when the restored list names other addresses than the nodes have now.
 * When the addresses are the ones backed up, the list is left alone even if a key in it
 * differs: on the hosts the backup came from, the units say which identity lives where, so a
 * mismatch means a wrong node_key.json or unit was restored, which the peers-match gate stops
 * and the operator must look at (rebuilding would hide, say, two nodes' keys swapped). Each entry keeps the port the restored list gave that node (matched by
 * key, then by address), else the list's first port, else 46656. Throws a {@link RebuildError}
 * when a key or the list cannot be read.
 */
export function rebuildPeers(
  self: { name: string; unitText: string; unitPath?: string },
  others: readonly PeerSource[],
): PeersRebuild {
  const unit = self.unitPath ?? 'the unit';
  const ids = others.map((o) => {
    const key = parseNodekey(o.nodekeyOutput);
    if ('error' in key) {
      throw new RebuildError(
        `loom nodekey on ${o.name} ${key.error}: its key is needed for ${self.name}'s --peers`,
        `restore chaindata/config/node_key.json on ${o.name} from its config backup first (the restore-config step), then run this step again`,
      );
    }
    return key.id;
  });
  const list = parsePeerList(self.unitText);
  const span = execStartSpan(self.unitText);
  if (list.kind === 'no-exec-start' || span === undefined) {
    throw new RebuildError(
      `${unit} on ${self.name} has no ExecStart= in its [Service] section`,
      `restore the unit from ${self.name}'s config backup (the restore-unit step) first`,
    );
  }
  if (list.kind === 'no-peers') {
    if (others.length === 0) {
      return unchanged(self.unitText, list.execStart, '', []);
    }
    throw new RebuildError(
      `${self.name}'s ExecStart in ${unit} has no --peers list to rebuild`,
      `add --peers (or a last argument tcp://<id>@<ip>:46656,…) to ExecStart by hand, as the node was deployed`,
    );
  }
  const token = peerListToken(self.unitText, span);
  if (token === undefined) {
    throw new RebuildError(
      `could not find the peer list inside ${self.name}'s ExecStart in ${unit}`,
      'put the peer list in --peers or as the last argument of ExecStart',
    );
  }
  const firstPort = list.peers[0]?.port ?? DEFAULT_P2P_PORT;
  const entries: RebuiltEntry[] = others.map((o, i) => {
    const id = ids[i]!;
    const was =
      list.peers.find((p) => p.id === id) ??
      list.peers.find((p) => p.address === o.address || p.address === o.name);
    return {
      node: o.name,
      id,
      address: o.address,
      port: was?.port ?? firstPort,
      ...(was ? { was } : {}),
    };
  });
  const used = new Set(entries.flatMap((e) => (e.was ? [e.was] : [])));
  const dropped = list.peers.filter((p) => !used.has(p));
  const oldList = self.unitText.slice(token.start, token.end);
  if (list.malformed.length === 0 && sameAddresses(list.peers, others)) {
    return unchanged(self.unitText, list.execStart, oldList, entries);
  }
  const newList = entries.map(entryText).join(',');
  const unitText = self.unitText.slice(0, token.start) + newList + self.unitText.slice(token.end);
  const after = parsePeerList(unitText);
  return {
    changed: true,
    oldExecStart: list.execStart,
    newExecStart: after.kind === 'no-exec-start' ? '' : after.execStart,
    unitText,
    oldList,
    newList,
    entries,
    dropped,
  };
}

function unchanged(
  unitText: string,
  execStart: string,
  list: string,
  entries: RebuiltEntry[],
): PeersRebuild {
  return {
    changed: false,
    oldExecStart: execStart,
    newExecStart: execStart,
    unitText,
    oldList: list,
    newList: list,
    entries,
    dropped: [],
  };
}

/** One line per entry saying what changed, for the step's output. */
export function describeRebuild(self: string, r: PeersRebuild): string[] {
  if (!r.changed) {
    const lines = [
      `${self}: --peers already names ${r.entries.map((e) => `${e.node} (${e.address})`).join(', ') || 'no other node'} at their current addresses; nothing to rebuild`,
    ];
    for (const e of r.entries) {
      if (e.was && e.was.id !== e.id) {
        lines.push(
          `${self}: but it lists ${e.node} as ${abbreviate(e.was.id)} while ${e.node}'s loom nodekey is ${abbreviate(e.id)}: a node_key.json or unit from another backup? The peers-match gate stops the start until they agree.`,
        );
      }
    }
    return lines;
  }
  const lines = r.entries.map((e) => {
    const now = `${abbreviate(e.id)}@${e.address}:${e.port}`;
    if (!e.was) return `${self}: + ${e.node} ${now} (not in the restored list)`;
    const before = `${abbreviate(e.was.id)}@${e.was.address}:${e.was.port}`;
    return before === now
      ? `${self}:   ${e.node} ${now} (unchanged)`
      : `${self}: ~ ${e.node} ${before} → ${now}`;
  });
  for (const d of r.dropped) {
    lines.push(`${self}: - ${abbreviate(d.id)}@${d.address}:${d.port} (no node of this cluster)`);
  }
  lines.push(`${self}: - ExecStart=${r.oldExecStart}`, `${self}: + ExecStart=${r.newExecStart}`);
  return lines;
}
