/**
 * Pure comparisons behind the checks that involve Loom's backup node: the extra node whose
 * `--peers` lists every live node while no live node lists it (so it follows the chain without
 * ever being a peer the validators rely on). No I/O here; every verdict is tested on strings.
 */
import type { Evidence } from '../events.ts';
import {
  abbreviate,
  type LoomNodeFacts,
  NODEKEY_ERROR,
  type PeerFinding,
  parseNodekey,
  parsePeerList,
} from './loom-peers.ts';

/** A node's ID, or why there is none, from its `loom nodekey` output. */
function keyOf(node: LoomNodeFacts): { id: string } | { error: string } {
  return parseNodekey(node.nodekeyOutput);
}

function nodekeyProblem(node: LoomNodeFacts, role: string): PeerFinding | undefined {
  const key = keyOf(node);
  if ('id' in key) return undefined;
  return {
    host: node.name,
    status: 'fail',
    message: `loom nodekey on ${role} ${node.name} ${key.error === NODEKEY_ERROR ? `printed "${NODEKEY_ERROR}"` : key.error}${node.nodekeyExit === 0 ? ' (and exited 0, so its exit code cannot be trusted)' : ''}`,
    evidence: {
      host: node.name,
      expected: 'a 40-character hex node ID',
      found: node.nodekeyOutput.trim().split('\n', 1)[0] || '(nothing)',
      ...(node.nodekeyExit === undefined ? {} : { exitCode: String(node.nodekeyExit) }),
    },
  };
}

function unitProblem(node: LoomNodeFacts): PeerFinding | undefined {
  if (node.unitText !== null) return undefined;
  return {
    host: node.name,
    status: 'fail',
    message: `could not read ${node.unitPath ?? 'the unit file'} on ${node.name}${node.unitError ? `: ${node.unitError}` : ''}`,
    evidence: { host: node.name, unit: node.unitPath, found: node.unitError },
  };
}

const matchesHost = (address: string, node: LoomNodeFacts) =>
  address === node.address || address === node.name;

/**
 * The backup node's `--peers` must list every live node at its address under the key that
 * node's `loom nodekey` prints, and nothing else. One finding per problem, or a pass.
 */
export function backupPeerFindings(
  backup: LoomNodeFacts,
  live: readonly LoomNodeFacts[],
): PeerFinding[] {
  const out: PeerFinding[] = [];
  const unreadable = unitProblem(backup);
  if (unreadable) return [unreadable];
  const list = parsePeerList(backup.unitText!);
  if (list.kind !== 'peers') {
    return [
      {
        host: backup.name,
        status: 'fail',
        message:
          list.kind === 'no-exec-start'
            ? `${backup.unitPath ?? 'the unit'} on backup node ${backup.name} has no ExecStart=`
            : `backup node ${backup.name}'s ExecStart has no --peers, so it follows none of ${live.map((n) => n.name).join(', ')}`,
        evidence: {
          host: backup.name,
          expected: `--peers listing ${live.map((n) => n.name).join(', ')}`,
          found: list.kind === 'no-peers' ? list.execStart : 'no ExecStart=',
        },
      },
    ];
  }
  for (const raw of list.malformed) {
    out.push({
      host: backup.name,
      status: 'fail',
      message: `backup node ${backup.name}'s --peers has an entry that is not tcp://<40-hex id>@<address>:<port>: ${raw}`,
      evidence: { host: backup.name, expected: 'tcp://<40-hex id>@<address>:<port>', found: raw },
    });
  }
  const backupKey = keyOf(backup);
  let verified = 0;
  for (const node of live) {
    const entries = list.peers.filter((p) => matchesHost(p.address, node));
    const key = keyOf(node);
    const base = { host: backup.name, peer: node.name, peerAddress: node.address };
    if (entries.length === 0) {
      const byKey = 'id' in key ? list.peers.find((p) => p.id === key.id) : undefined;
      out.push({
        host: backup.name,
        status: 'fail',
        message: byKey
          ? `backup node ${backup.name}'s --peers lists ${node.name}'s key ${abbreviate(byKey.id)} at ${byKey.address}, but ${node.name} is at ${node.address}`
          : `backup node ${backup.name}'s --peers does not list live node ${node.name} (${node.address})`,
        evidence: {
          ...base,
          expected:
            'id' in key ? `tcp://${key.id}@${node.address}:46656` : `an entry for ${node.address}`,
          found: byKey ? byKey.raw : 'no entry',
        },
      });
      continue;
    }
    if ('error' in key) {
      out.push({
        host: backup.name,
        status: 'fail',
        message: `cannot verify backup node ${backup.name}'s entry for ${node.name} (${entries[0]!.id}): loom nodekey on ${node.name} gave no node ID`,
        evidence: { ...base, found: entries[0]!.id, expected: `${node.name}'s node ID` },
      });
      continue;
    }
    const right = entries.find((e) => e.id === key.id);
    for (const wrong of entries.filter((e) => e.id !== key.id)) {
      out.push({
        host: backup.name,
        status: 'fail',
        message: `backup node ${backup.name}'s --peers lists ${node.name} (${node.address}) as ${abbreviate(wrong.id)}, but ${node.name}'s loom nodekey is ${abbreviate(key.id)}`,
        evidence: { ...base, expected: key.id, found: wrong.id },
      });
    }
    if (right) verified++;
  }
  for (const entry of list.peers) {
    if (live.some((n) => matchesHost(entry.address, n))) continue;
    const self =
      matchesHost(entry.address, backup) || ('id' in backupKey && backupKey.id === entry.id);
    if (self) {
      out.push({
        host: backup.name,
        status: 'fail',
        message: `backup node ${backup.name}'s --peers lists itself (${entry.raw})`,
        evidence: { host: backup.name, expected: 'only the live nodes', found: entry.raw },
      });
    } else if (
      !live.some((n) => {
        const k = keyOf(n);
        return 'id' in k && k.id === entry.id;
      })
    ) {
      out.push({
        host: backup.name,
        status: 'warn',
        message: `backup node ${backup.name}'s --peers lists ${entry.address} (${abbreviate(entry.id)}), which is no live node of the inventory`,
        evidence: { host: backup.name, peerAddress: entry.address, found: entry.raw },
      });
    }
  }
  if (out.length === 0) {
    out.push({
      host: backup.name,
      status: 'pass',
      message: `backup node ${backup.name}'s --peers lists ${live.map((n) => n.name).join(', ')} with their current node IDs`,
      evidence: {
        host: backup.name,
        peers: live.map((n) => n.name).join(','),
        found: `${verified} of ${live.length} verified`,
      },
    });
  }
  return out;
}

/**
 * No live node's `--peers` may reference the backup node, by its key or by its address: the
 * procedure keeps the backup node out of the live nodes' peer lists.
 */
export function referenceFindings(
  live: readonly LoomNodeFacts[],
  backups: readonly LoomNodeFacts[],
): PeerFinding[] {
  const out: PeerFinding[] = [];
  for (const node of live) {
    const unreadable = unitProblem(node);
    if (unreadable) {
      out.push(unreadable);
      continue;
    }
    const list = parsePeerList(node.unitText!);
    const peers = list.kind === 'peers' ? list.peers : [];
    let found = false;
    for (const backup of backups) {
      const key = keyOf(backup);
      for (const entry of peers) {
        const byAddress = matchesHost(entry.address, backup);
        const byKey = 'id' in key && key.id === entry.id;
        if (!byAddress && !byKey) continue;
        found = true;
        const how =
          byAddress && byKey
            ? `by key ${abbreviate(entry.id)} and address ${entry.address}`
            : byKey
              ? `by its key ${abbreviate(entry.id)} (at ${entry.address})`
              : `by its address ${entry.address} (as ${abbreviate(entry.id)})`;
        out.push({
          host: node.name,
          status: 'fail',
          message: `live node ${node.name}'s --peers references backup node ${backup.name} ${how}; no live node may list the backup node`,
          evidence: {
            host: node.name,
            peer: backup.name,
            peerAddress: backup.address,
            ...('id' in key ? { peerKey: key.id } : {}),
            expected: `no entry for ${backup.name}`,
            found: entry.raw,
          },
        });
      }
    }
    if (!found) {
      out.push({
        host: node.name,
        status: 'pass',
        message: `${node.name}'s --peers does not reference ${backups.map((b) => b.name).join(', ')}`,
        evidence: { host: node.name, found: `${peers.length} entries, none for the backup node` },
      });
    }
  }
  // Without the backup node's key only its address can be compared: say so on its own line.
  for (const backup of backups) {
    const problem = nodekeyProblem(backup, 'backup node');
    if (problem) {
      out.push({
        ...problem,
        status: 'warn',
        message: `${problem.message}: live nodes were checked by its address only`,
      });
    } else {
      const key = keyOf(backup) as { id: string };
      out.push({
        host: backup.name,
        status: 'pass',
        message: `backup node ${backup.name} is ${abbreviate(key.id)} at ${backup.address}`,
        evidence: { host: backup.name, found: key.id },
      });
    }
  }
  return out;
}

/** What `/status` of Tendermint's RPC said, or why it could not be read. */
export type NodeStatus = { height: number; id: string; catchingUp: boolean } | { error: string };

/** Reads `curl -s <rpc>/status`: Tendermint writes the height as a string. */
export function parseStatus(stdout: string, exitCode: number | null): NodeStatus {
  if (exitCode !== 0) return { error: curlError(exitCode) };
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    return { error: `answered something that is not JSON: ${JSON.stringify(stdout.slice(0, 80))}` };
  }
  const result = (
    json as { result?: { sync_info?: Record<string, unknown>; node_info?: { id?: unknown } } }
  )?.result;
  const height = result?.sync_info?.latest_block_height;
  if (typeof height !== 'string' && typeof height !== 'number') {
    return { error: 'answered JSON without result.sync_info.latest_block_height' };
  }
  const n = Number(height);
  if (!Number.isSafeInteger(n))
    return { error: `latest_block_height ${JSON.stringify(height)} is not a number` };
  return {
    height: n,
    id: typeof result?.node_info?.id === 'string' ? result.node_info.id : '',
    catchingUp: result?.sync_info?.catching_up === true,
  };
}

function curlError(code: number | null): string {
  switch (code) {
    case 7:
      return 'connection refused (curl exit 7): is loom running?';
    case 28:
      return 'timed out (curl exit 28)';
    case 6:
      return 'host not resolved (curl exit 6)';
    case 52:
      return 'empty reply (curl exit 52)';
    case 127:
      return 'curl is not installed (exit 127)';
    case null:
      return 'curl was killed';
    default:
      return `curl exited ${code}`;
  }
}

/** One verdict per host: the backup node against the highest live height. */
export function caughtUpFindings(
  backups: readonly { name: string; rpc: string; status: NodeStatus }[],
  live: readonly { name: string; rpc: string; status: NodeStatus }[],
): PeerFinding[] {
  const out: PeerFinding[] = [];
  const heights = live.flatMap((n) =>
    'height' in n.status ? [{ name: n.name, height: n.status.height }] : [],
  );
  for (const n of live) {
    out.push(
      'height' in n.status
        ? {
            host: n.name,
            status: 'pass',
            message: `${n.name} is at block ${n.status.height}`,
            evidence: { host: n.name, rpc: n.rpc, found: String(n.status.height) },
          }
        : {
            host: n.name,
            status: 'warn',
            message: `could not read ${n.name}'s height at ${n.rpc}: ${n.status.error}`,
            evidence: { host: n.name, rpc: n.rpc, found: n.status.error },
          },
    );
  }
  const top = heights.reduce<{ name: string; height: number } | undefined>(
    (a, b) => (a === undefined || b.height > a.height ? b : a),
    undefined,
  );
  for (const b of backups) {
    const evidence: Evidence = { host: b.name, rpc: b.rpc };
    if ('error' in b.status) {
      out.push({
        host: b.name,
        status: 'fail',
        message: `could not read backup node ${b.name}'s height at ${b.rpc}: ${b.status.error}`,
        evidence: { ...evidence, expected: 'a latest_block_height', found: b.status.error },
      });
      continue;
    }
    if (!top) {
      out.push({
        host: b.name,
        status: 'fail',
        message: `backup node ${b.name} is at block ${b.status.height}, but no live node answered, so there is nothing to compare with`,
        evidence: { ...evidence, expected: "a live node's height", found: String(b.status.height) },
      });
      continue;
    }
    const behind = top.height - b.status.height;
    out.push({
      host: b.name,
      status: behind <= 0 ? 'pass' : 'fail',
      message:
        behind <= 0
          ? `backup node ${b.name} is at block ${b.status.height}, caught up with ${top.name} (${top.height})`
          : `backup node ${b.name} is at block ${b.status.height}, ${behind} behind ${top.name} (${top.height})`,
      evidence: {
        ...evidence,
        peer: top.name,
        expected: `at least ${top.height} (${top.name})`,
        found: String(b.status.height),
        ...(b.status.catchingUp ? { catchingUp: 'true' } : {}),
      },
    });
  }
  return out;
}

export { nodekeyProblem };
