/**
 * The backup-node comparisons on plain strings: loom.backup-peers, loom.not-referenced,
 * loom.caught-up and loom.peer-report, each verdict with its evidence, plus the kinds' split
 * of their hosts into live nodes and the backup node.
 */
import { describe, expect, it } from 'vitest';
import type { CheckContext, ProbeResult } from '../../src/engine/checks/kind.ts';
import {
  backupPeerFindings,
  caughtUpFindings,
  parseStatus,
  referenceFindings,
} from '../../src/engine/checks/loom-backup-node.ts';
import { loomBackupPeers } from '../../src/engine/checks/loom-backup-peers.ts';
import { loomCaughtUp } from '../../src/engine/checks/loom-caught-up.ts';
import { loomNotReferenced } from '../../src/engine/checks/loom-not-referenced.ts';
import { loomPeerReport, peerReport } from '../../src/engine/checks/loom-peer-report.ts';
import type { LoomNodeFacts } from '../../src/engine/checks/loom-peers.ts';
import { checkKinds } from '../../src/engine/checks/registry.ts';
import type { Host } from '../../src/inventory/types.ts';
import { checkSchema } from '../../src/runbook/schema.ts';
import { renderText } from '../../src/runbook/template.ts';

const K = { n1: '11'.repeat(20), n2: '22'.repeat(20), n3: '33'.repeat(20), b: 'bb'.repeat(20) };
const OLD = 'ee'.repeat(20);
const A = { n1: '10.0.0.1', n2: '10.0.0.2', n3: '10.0.0.3', b: '10.0.0.9' };
const entry = (id: string, address: string) => `tcp://${id}@${address}:46656`;
const unit = (...entries: string[]) =>
  `[Service]\nExecStart=/usr/bin/loom run --peers ${entries.join(',')}\n`;

function facts(name: string, address: string, key: string, unitText: string | null): LoomNodeFacts {
  return { name, address, nodekeyOutput: `${key}\n`, nodekeyExit: 0, unitText };
}

const live = (n2Unit = unit(entry(K.n1, A.n1), entry(K.n3, A.n3))) => [
  facts('node1', A.n1, K.n1, unit(entry(K.n2, A.n2), entry(K.n3, A.n3))),
  facts('node2', A.n2, K.n2, n2Unit),
  facts('node3', A.n3, K.n3, unit(entry(K.n1, A.n1), entry(K.n2, A.n2))),
];
const backup = (u = unit(entry(K.n1, A.n1), entry(K.n2, A.n2), entry(K.n3, A.n3))) =>
  facts('loom-backup', A.b, K.b, u);

describe('backupPeerFindings (loom.backup-peers)', () => {
  it('passes when the backup node lists every live node with its key', () => {
    expect(backupPeerFindings(backup(), live())).toEqual([
      {
        host: 'loom-backup',
        status: 'pass',
        message:
          "backup node loom-backup's --peers lists node1, node2, node3 with their current node IDs",
        evidence: { host: 'loom-backup', peers: 'node1,node2,node3', found: '3 of 3 verified' },
      },
    ]);
  });

  it('names the live node it misses, and one it knows only at another address', () => {
    const f = backupPeerFindings(backup(unit(entry(K.n1, A.n1), entry(K.n2, '10.9.9.9'))), live());
    expect(f.map((x) => [x.status, x.message])).toEqual([
      [
        'fail',
        `backup node loom-backup's --peers lists node2's key 222222…2222 at 10.9.9.9, but node2 is at ${A.n2}`,
      ],
      ['fail', `backup node loom-backup's --peers does not list live node node3 (${A.n3})`],
    ]);
    expect(f[1]!.evidence).toMatchObject({
      peer: 'node3',
      expected: entry(K.n3, A.n3),
      found: 'no entry',
    });
  });

  it('names both keys for a stale entry', () => {
    const f = backupPeerFindings(
      backup(unit(entry(K.n1, A.n1), entry(OLD, A.n2), entry(K.n3, A.n3))),
      live(),
    );
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      status: 'fail',
      evidence: {
        host: 'loom-backup',
        peer: 'node2',
        peerAddress: A.n2,
        expected: K.n2,
        found: OLD,
      },
    });
    expect(f[0]!.message).toBe(
      "backup node loom-backup's --peers lists node2 (10.0.0.2) as eeeeee…eeee, but node2's loom nodekey is 222222…2222",
    );
  });

  it('does not trust a live node whose loom nodekey printed its error with exit 0', () => {
    const nodes = live();
    nodes[2] = { ...nodes[2]!, nodekeyOutput: 'Error in determining Node Key' };
    const f = backupPeerFindings(backup(), nodes);
    expect(f.map((x) => x.status)).toEqual(['fail']);
    expect(f[0]!.message).toContain('loom nodekey on node3 gave no node ID');
  });

  it('flags itself and unknown entries, and a unit without --peers or unreadable', () => {
    const f = backupPeerFindings(
      backup(
        unit(
          entry(K.n1, A.n1),
          entry(K.n2, A.n2),
          entry(K.n3, A.n3),
          entry(K.b, A.b),
          entry(OLD, '10.7.7.7'),
        ),
      ),
      live(),
    );
    expect(f.map((x) => x.status)).toEqual(['fail', 'warn']);
    expect(f[0]!.message).toContain('lists itself');
    expect(f[1]!.message).toContain('10.7.7.7');
    expect(
      backupPeerFindings(backup('[Service]\nExecStart=/usr/bin/loom run\n'), live())[0]!.message,
    ).toBe(
      "backup node loom-backup's ExecStart has no --peers, so it follows none of node1, node2, node3",
    );
    const unreadable = { ...backup(), unitText: null, unitError: 'Permission denied' };
    expect(backupPeerFindings(unreadable, live())[0]).toMatchObject({ status: 'fail' });
  });
});

describe('referenceFindings (loom.not-referenced)', () => {
  it('passes every live node that leaves the backup node out, and names the backup key', () => {
    const f = referenceFindings(live(), [backup()]);
    expect(f.map((x) => [x.host, x.status])).toEqual([
      ['node1', 'pass'],
      ['node2', 'pass'],
      ['node3', 'pass'],
      ['loom-backup', 'pass'],
    ]);
    expect(f[3]!.evidence.found).toBe(K.b);
  });

  it.each([
    ['key and address', entry(K.b, A.b), /by key bbbbbb…bbbb and address 10\.0\.0\.9/],
    ['key only', entry(K.b, '10.20.30.40'), /by its key bbbbbb…bbbb \(at 10\.20\.30\.40\)/],
    ['address only', entry(OLD, A.b), /by its address 10\.0\.0\.9 \(as eeeeee…eeee\)/],
  ])('fails a live node that references it by %s', (_, extra, message) => {
    const f = referenceFindings(live(unit(entry(K.n1, A.n1), entry(K.n3, A.n3), extra)), [
      backup(),
    ]);
    const bad = f.filter((x) => x.status === 'fail');
    expect(bad).toHaveLength(1);
    expect(bad[0]!.host).toBe('node2');
    expect(bad[0]!.message).toMatch(message);
    expect(bad[0]!.evidence).toMatchObject({
      peer: 'loom-backup',
      peerAddress: A.b,
      peerKey: K.b,
      found: extra,
    });
  });

  it("warns that only addresses were compared when the backup node's nodekey fails", () => {
    const b = { ...backup(), nodekeyOutput: 'Error in determining Node Key' };
    const f = referenceFindings(live(unit(entry(K.n1, A.n1), entry(K.b, '10.20.30.40'))), [b]);
    // Its key is unknown, so the entry by key alone is not caught: the warning says so.
    expect(f.at(-1)).toMatchObject({ host: 'loom-backup', status: 'warn' });
    expect(f.at(-1)!.message).toContain('live nodes were checked by its address only');
  });
});

describe('parseStatus and caughtUpFindings (loom.caught-up)', () => {
  const status = (height: string | number, catching = false) =>
    JSON.stringify({
      jsonrpc: '2.0',
      id: '',
      result: {
        node_info: { id: K.n1 },
        sync_info: { latest_block_height: height, catching_up: catching },
      },
    });

  it("reads Tendermint's height (a string) and the node ID", () => {
    expect(parseStatus(status('1234'), 0)).toEqual({ height: 1234, id: K.n1, catchingUp: false });
    expect(parseStatus(status(77, true), 0)).toEqual({ height: 77, id: K.n1, catchingUp: true });
  });

  it('says why there is no height', () => {
    expect(parseStatus('', 7)).toEqual({
      error: 'connection refused (curl exit 7): is loom running?',
    });
    expect(parseStatus('<html>', 0)).toMatchObject({ error: expect.stringContaining('not JSON') });
    expect(parseStatus('{"result":{}}', 0)).toEqual({
      error: 'answered JSON without result.sync_info.latest_block_height',
    });
    expect(parseStatus(status('12a'), 0)).toMatchObject({ error: expect.stringContaining('12a') });
  });

  const at = (name: string, height: number) => ({
    name,
    rpc: `${name}:46657`,
    status: { height, id: '', catchingUp: false },
  });

  it('passes a backup node at or above the highest live node', () => {
    const f = caughtUpFindings([at('loom-backup', 1500)], [at('node1', 1499), at('node2', 1500)]);
    expect(f.at(-1)).toMatchObject({
      host: 'loom-backup',
      status: 'pass',
      message: 'backup node loom-backup is at block 1500, caught up with node2 (1500)',
    });
  });

  it('fails a backup node behind, naming the node it is behind and by how much', () => {
    const f = caughtUpFindings([at('loom-backup', 1460)], [at('node1', 1499), at('node2', 1500)]);
    expect(f.at(-1)).toMatchObject({
      status: 'fail',
      message: 'backup node loom-backup is at block 1460, 40 behind node2 (1500)',
      evidence: { expected: 'at least 1500 (node2)', found: '1460', peer: 'node2' },
    });
  });

  it('fails when the backup node or every live node does not answer', () => {
    const down = { name: 'loom-backup', rpc: 'x', status: { error: 'connection refused' } };
    expect(caughtUpFindings([down], [at('node1', 5)]).at(-1)).toMatchObject({ status: 'fail' });
    const noLive = caughtUpFindings([at('loom-backup', 5)], [{ ...down, name: 'node1' }]);
    expect(noLive.map((x) => x.status)).toEqual(['warn', 'fail']);
    expect(noLive[1]!.message).toContain('no live node answered');
  });
});

describe('peerReport (loom.peer-report)', () => {
  it('gives one line per problem and one pass per clean host', () => {
    const nodes = live(unit(entry(K.n1, A.n1), entry(OLD, A.n3), entry(K.b, A.b)));
    const f = peerReport(nodes, [backup(unit(entry(K.n1, A.n1), entry(K.n2, A.n2)))]);
    expect(f.map((x) => [x.host, x.status])).toEqual([
      ['node1', 'pass'],
      ['node2', 'fail'],
      ['node2', 'fail'],
      ['node3', 'pass'],
      ['loom-backup', 'fail'],
    ]);
    const messages = f.map((x) => x.message).join('\n');
    expect(messages).toContain("node2's --peers lists node3 (10.0.0.3) as eeeeee…eeee");
    expect(messages).toContain('references backup node loom-backup by key');
    expect(messages).toContain('does not list live node node3');
    // The backup node's entry in node2 is reported once, as a reference, not as "no host".
    expect(messages).not.toContain('no host of this role');
  });

  it('reports a self-reference, an unknown address and a node missing from a live list', () => {
    const nodes = live();
    // node1 lists itself (by address) and a stranger, and leaves node3 out.
    nodes[0] = {
      ...nodes[0]!,
      unitText: unit(entry(K.n2, A.n2), entry(OLD, A.n1), entry(OLD, '10.7.7.7')),
    };
    const f = peerReport(nodes, [backup()]).filter((x) => x.host === 'node1');
    expect(f.map((x) => x.status)).toEqual(['fail', 'warn', 'warn']);
    expect(f[0]!.message).toBe(
      "node1's --peers lists itself (10.0.0.1); each node lists only the others",
    );
    expect(f[1]!.message).toContain('10.7.7.7');
    expect(f[2]!.message).toContain('does not list node3');
  });

  it('works without a backup node', () => {
    expect(peerReport(live(), []).map((x) => x.status)).toEqual(['pass', 'pass', 'pass']);
  });
});

// ── the kinds, over canned probes ────────────────────────────────────────────

function host(name: string, address: string, groups: string[]): Host {
  return {
    name,
    address,
    connection: 'local',
    env: {},
    vars: { loom_rpc: `${address}:46657` },
    groups,
  };
}
const hosts = [
  host('node1', A.n1, ['loom', 'loom_nodes']),
  host('node2', A.n2, ['loom', 'loom_nodes']),
  host('loom-backup', A.b, ['loom', 'loom_backup']),
];

function ctx(
  outputs: Record<string, ProbeResult>,
  on: Host[] = hosts,
): CheckContext & { ran: string[] } {
  const ran: string[] = [];
  return {
    hosts: on,
    ran,
    now: () => new Date(0),
    async exec(h, command) {
      ran.push(`${h.name}: ${command}`);
      return (
        outputs[`${h.name}: ${command}`] ?? { exitCode: 1, stdout: '', stderr: 'no such probe' }
      );
    },
    command: () => {
      throw new Error('not used');
    },
    text: (t, h) =>
      renderText(t, (n) => {
        if (n === 'loom_dir') return '/home/ubuntu';
        if (n === 'unit_file') return '/etc/systemd/system/loom.service';
        const v = h.vars[n];
        return v === undefined ? undefined : String(v);
      }),
  };
}
const ok = (stdout: string): ProbeResult => ({ exitCode: 0, stdout, stderr: '' });
const nodekey = (h: string) => `${h}: cd /home/ubuntu && loom nodekey`;
const cat = (h: string) => `${h}: cat /etc/systemd/system/loom.service`;
const spec = (kind: string) => checkSchema.parse({ id: 'c', title: 't', on: 'loom', kind });

describe('the kinds', () => {
  it('are registered by name', () => {
    for (const k of [loomBackupPeers, loomNotReferenced, loomCaughtUp, loomPeerReport]) {
      expect(checkKinds.get(k.name)).toBe(k);
    }
  });

  const probes = {
    [nodekey('node1')]: ok(`${K.n1}\n`),
    [nodekey('node2')]: ok(`${K.n2}\n`),
    [nodekey('loom-backup')]: ok(`${K.b}\n`),
    [cat('node1')]: ok(unit(entry(K.n2, A.n2))),
    [cat('node2')]: ok(unit(entry(K.n1, A.n1), entry(K.b, A.b))),
    [cat('loom-backup')]: ok(unit(entry(K.n1, A.n1), entry(K.n2, A.n2))),
  };

  it('loom.backup-peers and loom.not-referenced tell the backup node apart by its group', async () => {
    const peers = await loomBackupPeers.run(ctx(probes), loomBackupPeers.args.parse({}), spec('x'));
    expect(peers.map((r) => [r.host, r.status])).toEqual([
      ['loom-backup', 'pass'],
      ['node1', 'pass'],
      ['node2', 'pass'],
    ]);
    const refs = await loomNotReferenced.run(
      ctx(probes),
      loomNotReferenced.args.parse({}),
      spec('x'),
    );
    expect(refs.filter((r) => r.status === 'fail').map((r) => [r.check, r.host])).toEqual([
      ['c', 'node2'],
    ]);
  });

  it('fail with a hint when run on a role without the backup node', async () => {
    const r = await loomNotReferenced.run(
      ctx(probes, hosts.slice(0, 2)),
      loomNotReferenced.args.parse({}),
      spec('x'),
    );
    expect(r.map((x) => x.status)).toEqual(['fail', 'fail']);
    expect(r[0]!.message).toContain('run it on a parent group of both');
  });

  it('loom.caught-up reads each node through its own loom_rpc, the backup node last', async () => {
    const st = (h: number) =>
      ok(JSON.stringify({ result: { sync_info: { latest_block_height: String(h) } } }));
    const c = ctx({
      [`node1: curl -sS --max-time 10 http://${A.n1}:46657/status`]: st(100),
      [`node2: curl -sS --max-time 10 http://${A.n2}:46657/status`]: st(101),
      [`loom-backup: curl -sS --max-time 10 http://${A.b}:46657/status`]: st(90),
    });
    const r = await loomCaughtUp.run(c, loomCaughtUp.args.parse({}), spec('x'));
    expect(c.ran.at(-1)).toMatch(/^loom-backup: /);
    expect(r.find((x) => x.host === 'loom-backup')).toMatchObject({
      status: 'fail',
      message: 'backup node loom-backup is at block 90, 11 behind node2 (101)',
    });
  });
});
