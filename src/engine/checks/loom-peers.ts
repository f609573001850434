/**
 * Pure parsing and comparison behind `loom.peers-match-nodekeys`: what `loom nodekey` printed
 * on each node against the `--peers` list in every other node's systemd unit. No I/O here, so
 * every verdict can be tested on plain strings.
 */
import type { Evidence, Verdict } from '../events.ts';

/** A Tendermint node ID: the first 20 bytes of SHA-256 of the ed25519 public key, in hex. */
export const NODE_ID = /^[0-9a-f]{40}$/;

/** What `loom nodekey` prints when it cannot read the key. It still exits 0. */
export const NODEKEY_ERROR = 'Error in determining Node Key';

/** What was read from one node. */
export interface LoomNodeFacts {
  /** Inventory name. */
  name: string;
  /** Inventory address (`ansible_host`), as the other nodes' `--peers` should name it. */
  address: string;
  /** Stdout of `loom nodekey`, run from the node's working directory. */
  nodekeyOutput: string;
  /** Its exit code: reported as evidence, never trusted (errors exit 0 too). */
  nodekeyExit?: number | null;
  /** The unit file's text, or null when it could not be read. */
  unitText: string | null;
  /** Where the unit was read from, for messages. */
  unitPath?: string;
  /** Why the unit could not be read (the tail of stderr). */
  unitError?: string;
}

/** One entry of a `--peers` list. */
export interface PeerEntry {
  /** The entry as written, e.g. `tcp://<id>@10.0.0.2:46656`. */
  raw: string;
  id: string;
  address: string;
  port: number;
}

/** The peer list of a unit's ExecStart, or why there is none. */
export type PeerList =
  | { kind: 'peers'; execStart: string; peers: PeerEntry[]; malformed: string[] }
  | { kind: 'no-exec-start' }
  | { kind: 'no-peers'; execStart: string };

/** A problem (or the all-clear) found for one host. */
export interface PeerFinding {
  host: string;
  status: Exclude<Verdict, 'waiting'>;
  message: string;
  evidence: Evidence;
}

/** One verdict per host: the worst finding decides, the message names every problem. */
export interface HostVerdict {
  host: string;
  status: Exclude<Verdict, 'waiting'>;
  message: string;
  evidence: Evidence;
}

/** The node ID printed by `loom nodekey`, or why the output is not one. */
export function parseNodekey(stdout: string): { id: string } | { error: string } {
  const text = stdout.trim();
  if (NODE_ID.test(text)) return { id: text };
  if (text.includes(NODEKEY_ERROR)) return { error: NODEKEY_ERROR };
  if (text === '') return { error: 'printed nothing' };
  return { error: `printed ${JSON.stringify(firstLine(text))}, not a 40-character hex node ID` };
}

/**
 * The effective `ExecStart=` of a unit's [Service] section: the last non-empty one, with
 * backslash continuations joined (an empty `ExecStart=` resets the list, as in drop-ins).
 */
export function execStart(unitText: string): string | undefined {
  const lines = joinContinuations(unitText);
  let section = '';
  let found: string | undefined;
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(trimmed);
    if (header) {
      section = header[1]!;
      continue;
    }
    if (section !== 'Service') continue;
    const m = /^ExecStart\s*=\s*(.*)$/.exec(trimmed);
    if (!m) continue;
    const value = m[1]!.trim();
    found = value === '' ? undefined : value;
  }
  return found;
}

/**
 * The peer list of a unit: the value of `--peers` (or `--persistent-peers`), else the last
 * argument of ExecStart when it holds `tcp://` entries, which is where Loom's own scripts
 * look for it.
 */
export function parsePeerList(unitText: string): PeerList {
  const line = execStart(unitText);
  if (line === undefined) return { kind: 'no-exec-start' };
  const args = splitArgs(line);
  let list: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = /^--(?:persistent-)?peers=(.*)$/.exec(arg);
    if (eq) list = eq[1]!;
    else if (arg === '--peers' || arg === '--persistent-peers') list = args[i + 1] ?? '';
  }
  const last = args.at(-1);
  if (list === undefined && last !== undefined && last.includes('@')) list = last;
  if (list === undefined || list.trim() === '') return { kind: 'no-peers', execStart: line };
  const peers: PeerEntry[] = [];
  const malformed: string[] = [];
  for (const raw of list.split(',').map((s) => s.trim())) {
    if (raw === '') continue;
    const m = /^(?:tcp:\/\/)?([^@]+)@(\[[^\]]+\]|[^:]+):(\d+)$/.exec(raw);
    if (m && NODE_ID.test(m[1]!)) {
      peers.push({ raw, id: m[1]!, address: m[2]!, port: Number(m[3]) });
    } else {
      malformed.push(raw);
    }
  }
  return { kind: 'peers', execStart: line, peers, malformed };
}

/** `3f5a09…c2a1`: enough of a 40-hex ID to tell two apart at a glance. */
export function abbreviate(id: string): string {
  return id.length <= 12 ? id : `${id.slice(0, 6)}…${id.slice(-4)}`;
}

/**
 * Compares every node's `--peers` with every other node's `loom nodekey`. Returns every
 * finding, including one `pass` per host whose peer list is right.
 */
export function comparePeers(nodes: readonly LoomNodeFacts[]): PeerFinding[] {
  const findings: PeerFinding[] = [];
  const keys = new Map<string, { id: string } | { error: string }>();
  for (const node of nodes) keys.set(node.name, parseNodekey(node.nodekeyOutput));

  for (const node of nodes) {
    const key = keys.get(node.name)!;
    if ('error' in key) {
      findings.push({
        host: node.name,
        status: 'fail',
        message: `loom nodekey on ${node.name} ${key.error === NODEKEY_ERROR ? `printed "${NODEKEY_ERROR}"` : key.error}${exitNote(node.nodekeyExit)}`,
        evidence: {
          host: node.name,
          expected: 'a 40-character hex node ID',
          found: firstLine(node.nodekeyOutput.trim()) || '(nothing)',
          exitCode: node.nodekeyExit === undefined ? undefined : String(node.nodekeyExit),
        },
      });
    }
    findings.push(...peerFindings(node, nodes, keys));
  }
  return findings;
}

/** One verdict per host, in the order given: the worst finding wins, messages are joined. */
export function verdictsByHost(
  nodes: readonly LoomNodeFacts[],
  findings: readonly PeerFinding[],
): HostVerdict[] {
  return nodes.map((node) => {
    const own = findings.filter((f) => f.host === node.name);
    const problems = own.filter((f) => f.status !== 'pass');
    if (problems.length === 0) {
      const pass = own.find((f) => f.status === 'pass');
      return {
        host: node.name,
        status: 'pass',
        message: pass?.message ?? `${node.name}: nothing to compare`,
        evidence: pass?.evidence ?? { host: node.name },
      };
    }
    const worst = problems.find((f) => f.status === 'fail') ?? problems[0]!;
    const ordered = [worst, ...problems.filter((f) => f !== worst)];
    return {
      host: node.name,
      status: worst.status,
      message: ordered.map((f) => f.message).join('; '),
      evidence:
        problems.length > 1
          ? { ...worst.evidence, problems: String(problems.length) }
          : worst.evidence,
    };
  });
}

function peerFindings(
  node: LoomNodeFacts,
  nodes: readonly LoomNodeFacts[],
  keys: ReadonlyMap<string, { id: string } | { error: string }>,
): PeerFinding[] {
  const out: PeerFinding[] = [];
  const unit = node.unitPath ?? 'the unit file';
  if (node.unitText === null) {
    out.push({
      host: node.name,
      status: 'fail',
      message: `could not read ${unit} on ${node.name}${node.unitError ? `: ${node.unitError}` : ''}`,
      evidence: { host: node.name, unit: node.unitPath, found: node.unitError },
    });
    return out;
  }
  const others = nodes.filter((n) => n !== node);
  const list = parsePeerList(node.unitText);
  if (list.kind === 'no-exec-start') {
    out.push({
      host: node.name,
      status: 'fail',
      message: `${unit} on ${node.name} has no ExecStart= in its [Service] section`,
      evidence: { host: node.name, unit: node.unitPath, expected: 'ExecStart=… --peers tcp://…' },
    });
    return out;
  }
  if (list.kind === 'no-peers') {
    if (others.length > 0) {
      out.push({
        host: node.name,
        status: 'warn',
        message: `${node.name}'s ExecStart has no --peers list, so it lists none of ${others.map((n) => n.name).join(', ')}`,
        evidence: { host: node.name, unit: node.unitPath, found: list.execStart },
      });
    }
    return out;
  }

  for (const raw of list.malformed) {
    out.push({
      host: node.name,
      status: 'fail',
      message: `${node.name}'s --peers has an entry that is not tcp://<40-hex id>@<address>:<port>: ${raw}`,
      evidence: { host: node.name, expected: 'tcp://<40-hex id>@<address>:<port>', found: raw },
    });
  }

  const ownKey = keys.get(node.name);
  const listed = new Set<LoomNodeFacts>();
  const seen = new Map<string, PeerEntry>();
  let verified = 0;
  for (const entry of list.peers) {
    const earlier = seen.get(entry.address);
    seen.set(entry.address, entry);
    if (earlier) {
      out.push({
        host: node.name,
        status: 'warn',
        message: `${node.name}'s --peers lists ${entry.address} twice (${abbreviate(earlier.id)} and ${abbreviate(entry.id)})`,
        evidence: {
          host: node.name,
          peerAddress: entry.address,
          found: `${earlier.raw},${entry.raw}`,
        },
      });
    }
    if (entry.address === node.address || entry.address === node.name) {
      out.push({
        host: node.name,
        status: 'fail',
        message: `${node.name}'s --peers lists itself (${entry.address}); each node lists only the others`,
        evidence: {
          host: node.name,
          peer: node.name,
          peerAddress: entry.address,
          found: entry.raw,
        },
      });
      continue;
    }
    if (ownKey && 'id' in ownKey && ownKey.id === entry.id) {
      out.push({
        host: node.name,
        status: 'fail',
        message: `${node.name}'s --peers lists its own node ID ${abbreviate(entry.id)} at ${entry.address}`,
        evidence: {
          host: node.name,
          peerAddress: entry.address,
          expected: "another node's ID",
          found: entry.id,
        },
      });
      continue;
    }
    const peer = others.find((n) => n.address === entry.address || n.name === entry.address);
    if (!peer) {
      out.push({
        host: node.name,
        status: 'warn',
        message: `${node.name}'s --peers lists ${entry.address} (${abbreviate(entry.id)}), which is no host of this role`,
        evidence: { host: node.name, peerAddress: entry.address, found: entry.id },
      });
      continue;
    }
    listed.add(peer);
    const peerKey = keys.get(peer.name)!;
    const base = { host: node.name, peer: peer.name, peerAddress: entry.address };
    if ('error' in peerKey) {
      out.push({
        host: node.name,
        status: 'warn',
        message: `${node.name}'s --peers lists ${peer.name} (${entry.address}) as ${abbreviate(entry.id)}, which cannot be compared: loom nodekey on ${peer.name} gave no node ID`,
        evidence: { ...base, found: entry.id },
      });
    } else if (peerKey.id !== entry.id) {
      out.push({
        host: node.name,
        status: 'fail',
        message: `${node.name}'s --peers lists ${peer.name} (${entry.address}) as ${abbreviate(entry.id)}, but ${peer.name}'s loom nodekey is ${abbreviate(peerKey.id)}`,
        evidence: { ...base, expected: peerKey.id, found: entry.id },
      });
    } else {
      verified++;
    }
  }

  for (const other of others) {
    if (listed.has(other)) continue;
    out.push({
      host: node.name,
      status: 'warn',
      message: `${node.name}'s --peers does not list ${other.name} (${other.address}), which is right only if ${other.name} is the backup node`,
      evidence: {
        host: node.name,
        peer: other.name,
        peerAddress: other.address,
        expected: `an entry for ${other.address}`,
      },
    });
  }

  if (out.length === 0) {
    const names = others.map((n) => n.name);
    out.push({
      host: node.name,
      status: 'pass',
      message:
        names.length === 0
          ? `${node.name} is the only node; nothing to compare`
          : `${node.name}'s --peers lists ${names.join(', ')} with their current node IDs`,
      evidence: {
        host: node.name,
        peers: names.join(','),
        found: `${verified} of ${names.length} verified`,
      },
    });
  }
  return out;
}

function exitNote(code: number | null | undefined): string {
  if (code === 0) return ' (and exited 0, so its exit code cannot be trusted)';
  if (code === null) return ' (it was killed before it finished)';
  if (code === undefined) return '';
  return ` (exit code ${code})`;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

function joinContinuations(text: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const line of text.split(/\r?\n/)) {
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    out.push(pending + line);
    pending = '';
  }
  if (pending !== '') out.push(pending);
  return out;
}

/** Splits a command line on whitespace, honouring systemd's single and double quotes. */
function splitArgs(line: string): string[] {
  const args: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) {
    args.push(m[1] ?? m[2] ?? m[3] ?? '');
  }
  return args;
}
