/**
 * Connects every SSH host of a run before its preflight, so that all unknown host keys are asked
 * about in one `host-keys` decision (no prompt per host) and a changed key stops the run before
 * anything runs anywhere. Hosts that are merely unreachable are left to fail where they are used,
 * per host, like any lost connection.
 */
import type { RequestOf, Settled } from '../../engine/decisions.ts';
import { DEFAULT_FORKS } from '../../engine/fan-out.ts';
import { OperatorError } from '../../errors.ts';
import type { Host } from '../../inventory/types.ts';
import type { Transport } from '../transport.ts';
import type { NewHostKey } from './connect.ts';
import { UnknownHostKeyError } from './connect.ts';
import { knownHostsName } from './known-hosts.ts';
import { SshTransport } from './ssh-transport.ts';

/** Asks the engine's decider (with its events) about the unknown keys. */
export type AskHostKeys = (request: RequestOf<'host-keys'>) => Promise<Settled<'host-keys'>>;

/** Rounds of asking: a jump host's key, then the keys of the hosts behind it. */
const MAX_ROUNDS = 4;

export async function connectHosts(
  hosts: readonly Host[],
  transportOf: (host: Host) => Transport,
  ask: AskHostKeys,
  /** At most this many handshakes at once: `--forks`, else its default. */
  limit: number = DEFAULT_FORKS,
): Promise<void> {
  let pending = hosts.map(transportOf).filter((t): t is SshTransport => t instanceof SshTransport);
  // Every host's ssh config first, all at once: `ssh -G` is batched per tick (ssh-g-batch.ts), so
  // resolving inside each capped handshake split 50 hosts into many small batches (measured:
  // --forks 10 connected 1.20x slower than all at once, with 1.18x the CPU). A host whose
  // resolution fails reports it from open(), below, like any other.
  await Promise.allSettled(pending.map((t) => t.resolve()));
  for (let round = 0; round < MAX_ROUNDS && pending.length > 0; round++) {
    const outcomes = await settleAll(
      pending.map((t) => () => t.open()),
      limit,
    );
    const unknown: { transport: SshTransport; found: NewHostKey }[] = [];
    outcomes.forEach((o, i) => {
      if (o.status === 'rejected' && o.reason instanceof UnknownHostKeyError) {
        unknown.push({ transport: pending[i]!, found: o.reason.found });
      }
    });
    // A changed or revoked key, a refused login, a wrong passphrase: stop before anything runs.
    const refused = outcomes.find(
      (o): o is PromiseRejectedResult =>
        o.status === 'rejected' &&
        o.reason instanceof OperatorError &&
        !(o.reason instanceof UnknownHostKeyError),
    );
    if (refused) throw refused.reason;
    if (unknown.length === 0) return;

    // One entry per key (a jump host shared by several hosts is asked about once).
    const byKey = new Map<
      string,
      { transport: SshTransport; found: NewHostKey; hosts: string[] }
    >();
    for (const u of unknown) {
      const id = `${knownHostsName(u.found.endpoint.hostname, u.found.endpoint.port)} ${u.found.key.toString('base64')}`;
      const entry = byKey.get(id) ?? { ...u, hosts: [] };
      entry.hosts.push(u.transport.host.name);
      byKey.set(id, entry);
    }
    const entries = [...byKey.values()];
    const knownHostsFile = await entries[0]!.transport.knownHostsFile();
    const answer = await ask({
      kind: 'host-keys',
      hosts: entries.map((e) => ({
        host: e.found.endpoint.label,
        address: knownHostsName(e.found.endpoint.hostname, e.found.endpoint.port),
        keyType: e.found.keyType,
        fingerprint: e.found.fingerprint,
      })),
      knownHostsFile,
    });
    const accepted = answer.action === 'accept' ? new Set(answer.accepted) : new Set<string>();
    const rejected = entries.filter((e) => !accepted.has(e.found.endpoint.label));
    if (rejected.length > 0) {
      throw new OperatorError(
        `host key${rejected.length > 1 ? 's' : ''} not accepted: ${rejected
          .map((e) => `${e.found.endpoint.label} ${e.found.keyType} ${e.found.fingerprint}`)
          .join('; ')}`,
        `check the fingerprints with the hosts' owner, then add them to ${knownHostsFile} (ssh-keyscan) or accept them when asked`,
      );
    }
    for (const e of entries) await e.transport.trust(e.found);
    pending = unknown.map((u) => u.transport);
  }
}

/** Promise.allSettled over thunks, at most `limit` running at once, results in order. */
async function settleAll(
  tasks: (() => Promise<void>)[],
  limit: number,
): Promise<PromiseSettledResult<void>[]> {
  const results: PromiseSettledResult<void>[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await tasks[i]!() };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  return results;
}
