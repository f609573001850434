import { describe, expect, it } from 'vitest';
import {
  comparePeers,
  execStart,
  type LoomNodeFacts,
  NODEKEY_ERROR,
  parseNodekey,
  parsePeerList,
  verdictsByHost,
} from '../../src/engine/checks/loom-peers.ts';

const KEY = {
  node1: '9c0a3b1e2d4f5a6b7c8d9e0f1a2b3c4d5e6f7004',
  node2: '1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d02',
  node3: '3f5a09d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4c2a1',
  stale: '3f0000000000000000000000000000000000c2a1',
  outsider: 'abcdefabcdefabcdefabcdefabcdefabcdefabcd',
} as const;

const ADDR = { node1: '10.0.0.1', node2: '10.0.0.2', node3: '10.0.0.3' } as const;
type Name = keyof typeof ADDR;

function unit(peers: string): string {
  return [
    '[Unit]',
    'Description=Loom',
    '',
    '[Service]',
    'WorkingDirectory=/home/ubuntu',
    `ExecStart=/usr/bin/loom run --peers ${peers}`,
    'Restart=always',
    '',
  ].join('\n');
}

const entry = (name: Name, key: string = KEY[name]) => `tcp://${key}@${ADDR[name]}:46656`;

/** A healthy three-node cluster; `change` edits one node's facts. */
function cluster(change: Partial<Record<Name, Partial<LoomNodeFacts>>> = {}): LoomNodeFacts[] {
  const names: Name[] = ['node1', 'node2', 'node3'];
  return names.map((name) => ({
    name,
    address: ADDR[name],
    nodekeyOutput: `${KEY[name]}\n`,
    nodekeyExit: 0,
    unitText: unit(
      names
        .filter((n) => n !== name)
        .map((n) => entry(n))
        .join(','),
    ),
    unitPath: '/etc/systemd/system/loom.service',
    ...change[name],
  }));
}

function verdicts(nodes: LoomNodeFacts[]) {
  return Object.fromEntries(verdictsByHost(nodes, comparePeers(nodes)).map((v) => [v.host, v]));
}

describe('parseNodekey', () => {
  it('accepts a 40-hex ID with its newline', () => {
    expect(parseNodekey(`${KEY.node1}\n`)).toEqual({ id: KEY.node1 });
  });
  it('recognises the error loom prints with exit 0', () => {
    expect(parseNodekey(NODEKEY_ERROR)).toEqual({ error: NODEKEY_ERROR });
  });
  it('rejects upper case, short IDs and silence', () => {
    expect(parseNodekey(KEY.node1.toUpperCase())).toHaveProperty('error');
    expect(parseNodekey(KEY.node1.slice(2))).toHaveProperty('error');
    expect(parseNodekey('')).toEqual({ error: 'printed nothing' });
  });
});

describe('parsePeerList', () => {
  it('reads --peers and every tcp:// entry', () => {
    const list = parsePeerList(unit(`${entry('node2')},${entry('node3')}`));
    expect(list.kind).toBe('peers');
    if (list.kind !== 'peers') return;
    expect(list.peers.map((p) => [p.id, p.address, p.port])).toEqual([
      [KEY.node2, '10.0.0.2', 46656],
      [KEY.node3, '10.0.0.3', 46656],
    ]);
    expect(list.malformed).toEqual([]);
  });

  it('reads --peers=, continuation lines and a bare last argument', () => {
    const eq = parsePeerList(
      `[Service]\nExecStart=/usr/bin/loom run \\\n  --peers=${entry('node2')}\n`,
    );
    expect(eq.kind === 'peers' && eq.peers.map((p) => p.address)).toEqual(['10.0.0.2']);
    const bare = parsePeerList(`[Service]\nExecStart=/usr/bin/loom run ${entry('node3')}\n`);
    expect(bare.kind === 'peers' && bare.peers.map((p) => p.address)).toEqual(['10.0.0.3']);
  });

  it('takes the last ExecStart of [Service], ignoring comments and other sections', () => {
    const text = [
      '[Unit]',
      'ExecStart=/bin/false --peers nope',
      '[Service]',
      `# ExecStart=/usr/bin/loom run --peers ${entry('node1')}`,
      `ExecStart=/usr/bin/loom run --peers ${entry('node1')}`,
      'ExecStart=',
      `ExecStart=/usr/bin/loom run --peers ${entry('node2')}`,
    ].join('\n');
    expect(execStart(text)).toBe(`/usr/bin/loom run --peers ${entry('node2')}`);
  });

  it('says when there is no ExecStart or no peer list', () => {
    expect(parsePeerList('[Service]\nType=simple\n').kind).toBe('no-exec-start');
    expect(parsePeerList('[Service]\nExecStart=/usr/bin/loom run\n').kind).toBe('no-peers');
  });

  it('keeps entries it cannot read as malformed', () => {
    const list = parsePeerList(unit(`${entry('node2')},tcp://nothex@10.0.0.3:46656`));
    expect(list.kind === 'peers' && list.malformed).toEqual(['tcp://nothex@10.0.0.3:46656']);
  });
});

describe('comparePeers', () => {
  it('passes every node of a healthy cluster, naming the peers it verified', () => {
    const v = verdicts(cluster());
    for (const name of ['node1', 'node2', 'node3']) expect(v[name]?.status).toBe('pass');
    expect(v.node1?.message).toBe("node1's --peers lists node2, node3 with their current node IDs");
  });

  it('fails the node whose --peers holds a stale key, with both keys as evidence', () => {
    const v = verdicts(
      cluster({ node3: { unitText: unit(`${entry('node1', KEY.stale)},${entry('node2')}`) } }),
    );
    expect(v.node1?.status).toBe('pass');
    expect(v.node2?.status).toBe('pass');
    expect(v.node3).toEqual({
      host: 'node3',
      status: 'fail',
      message:
        "node3's --peers lists node1 (10.0.0.1) as 3f0000…c2a1, but node1's loom nodekey is 9c0a3b…7004",
      evidence: {
        host: 'node3',
        peer: 'node1',
        peerAddress: '10.0.0.1',
        expected: KEY.node1,
        found: KEY.stale,
      },
    });
  });

  it('finds exactly one stale pair among all findings', () => {
    const findings = comparePeers(
      cluster({ node3: { unitText: unit(`${entry('node1', KEY.stale)},${entry('node2')}`) } }),
    );
    const bad = findings.filter((f) => f.status !== 'pass');
    expect(bad.map((f) => [f.host, f.evidence.peer])).toEqual([['node3', 'node1']]);
  });

  it('fails a node that lists itself', () => {
    const v = verdicts(
      cluster({
        node2: { unitText: unit([entry('node1'), entry('node2'), entry('node3')].join(',')) },
      }),
    );
    expect(v.node2?.status).toBe('fail');
    expect(v.node2?.message).toBe(
      "node2's --peers lists itself (10.0.0.2); each node lists only the others",
    );
    expect(v.node2?.evidence).toMatchObject({
      host: 'node2',
      peer: 'node2',
      peerAddress: '10.0.0.2',
    });
  });

  it('fails a node that lists its own ID under another address', () => {
    const v = verdicts(
      cluster({
        node2: {
          unitText: unit(`${entry('node1')},${entry('node3')},tcp://${KEY.node2}@10.9.9.9:46656`),
        },
      }),
    );
    expect(v.node2?.status).toBe('fail');
    expect(v.node2?.message).toContain('its own node ID');
  });

  it('fails a node whose loom nodekey printed the error, even though it exited 0', () => {
    const v = verdicts(cluster({ node1: { nodekeyOutput: NODEKEY_ERROR, nodekeyExit: 0 } }));
    expect(v.node1?.status).toBe('fail');
    expect(v.node1?.message).toBe(
      'loom nodekey on node1 printed "Error in determining Node Key" (and exited 0, so its exit code cannot be trusted)',
    );
    expect(v.node1?.evidence).toMatchObject({ found: NODEKEY_ERROR, exitCode: '0' });
    // The others list node1, but there is nothing to compare their entry with.
    expect(v.node2?.status).toBe('warn');
    expect(v.node2?.message).toContain('cannot be compared');
  });

  it('warns about a peer that is no host of the role', () => {
    const v = verdicts(
      cluster({
        node1: {
          unitText: unit(
            `${entry('node2')},${entry('node3')},tcp://${KEY.outsider}@10.0.0.99:46656`,
          ),
        },
      }),
    );
    expect(v.node1?.status).toBe('warn');
    expect(v.node1?.message).toBe(
      "node1's --peers lists 10.0.0.99 (abcdef…abcd), which is no host of this role",
    );
  });

  it('warns about a host of the role that a node does not list', () => {
    const v = verdicts(cluster({ node1: { unitText: unit(entry('node2')) } }));
    expect(v.node1?.status).toBe('warn');
    expect(v.node1?.message).toBe(
      "node1's --peers does not list node3 (10.0.0.3), which is right only if node3 is the backup node",
    );
    expect(v.node1?.evidence).toMatchObject({ peer: 'node3', peerAddress: '10.0.0.3' });
  });

  it('fails on a unit it could not read or that has no ExecStart, and on malformed entries', () => {
    const v = verdicts(
      cluster({
        node1: {
          unitText: null,
          unitError: 'cat: /etc/systemd/system/loom.service: No such file or directory',
        },
        node2: { unitText: '[Service]\nType=simple\n' },
        node3: { unitText: unit(`${entry('node1')},${entry('node2')},garbage`) },
      }),
    );
    expect(v.node1?.status).toBe('fail');
    expect(v.node1?.message).toContain('No such file or directory');
    expect(v.node2?.message).toContain('has no ExecStart=');
    expect(v.node3?.status).toBe('fail');
    expect(v.node3?.evidence.found).toBe('garbage');
  });

  it('puts the failure first and counts the problems when a node has several', () => {
    const v = verdicts(cluster({ node3: { unitText: unit(entry('node1', KEY.stale)) } }));
    expect(v.node3?.status).toBe('fail');
    expect(v.node3?.message.split('; ')).toHaveLength(2);
    expect(v.node3?.message).toMatch(/^node3's --peers lists node1/);
    expect(v.node3?.evidence.problems).toBe('2');
  });

  it('matches peers by inventory name as well as by address', () => {
    const nodes = cluster().map((n) => ({
      ...n,
      unitText: n.unitText?.replaceAll(/@10\.0\.0\.(\d)/g, '@node$1') ?? null,
    }));
    for (const v of verdictsByHost(nodes, comparePeers(nodes))) expect(v.status).toBe('pass');
  });
});
