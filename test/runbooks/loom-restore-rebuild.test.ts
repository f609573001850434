/**
 * The NODE_KEYS rebuild and the config-archive matching of loom/restore, on plain strings: what
 * `loom: { op: rebuild-peers }` and `loom: { op: config-archive }` decide before touching a host.
 */
import { describe, expect, it } from 'vitest';
import { loomAction } from '../../src/engine/actions/loom-action.ts';
import {
  closestArchive,
  datePrefixes,
  parseArchiveName,
} from '../../src/engine/actions/loom-archives.ts';
import {
  describeRebuild,
  RebuildError,
  rebuildPeers,
} from '../../src/engine/actions/loom-rebuild-peers.ts';
import { parsePeerList } from '../../src/engine/checks/loom-peers.ts';
import { Redactor } from '../../src/engine/redact.ts';
import type { Transport } from '../../src/transports/transport.ts';

const id = (c: string) => c.repeat(40);
const [A, B, C, D] = [id('a'), id('b'), id('c'), id('d')];

const unit = (peers: string, extra = '') => `[Unit]
Description=Loom
After=network.target

[Service]
Type=simple
User=ubuntu
WorkingDirectory=/home/ubuntu
ExecStart=/usr/bin/loom run${extra} --peers ${peers}
Restart=always

[Install]
WantedBy=multi-user.target
`;

const node = (name: string, address: string, key: string) => ({
  name,
  address,
  nodekeyOutput: `${key}\n`,
});

describe('rebuildPeers', () => {
  it('says nothing changes when the restored list already names the current addresses and keys', () => {
    const text = unit(`tcp://${B}@10.0.0.2:46656,tcp://${C}@10.0.0.3:46656`);
    const r = rebuildPeers({ name: 'node1', unitText: text }, [
      node('node2', '10.0.0.2', B),
      node('node3', '10.0.0.3', C),
    ]);
    expect(r.changed).toBe(false);
    expect(r.unitText).toBe(text);
    expect(describeRebuild('node1', r)[0]).toMatch(
      /at their current addresses; nothing to rebuild$/,
    );
  });

  it('ignores the order of the entries', () => {
    const text = unit(`tcp://${C}@10.0.0.3:46656,tcp://${B}@10.0.0.2:46656`);
    const r = rebuildPeers({ name: 'node1', unitText: text }, [
      node('node2', '10.0.0.2', B),
      node('node3', '10.0.0.3', C),
    ]);
    expect(r.changed).toBe(false);
  });

  it('moves every peer to its new address, keeping keys, ports and the rest of the unit', () => {
    const text = unit(`tcp://${B}@10.0.0.2:46656,tcp://${C}@10.0.0.3:46999`, ' --log debug');
    const r = rebuildPeers({ name: 'node1', unitText: text }, [
      node('node2', '192.168.5.2', B),
      node('node3', '192.168.5.3', C),
    ]);
    expect(r.changed).toBe(true);
    expect(r.newList).toBe(`tcp://${B}@192.168.5.2:46656,tcp://${C}@192.168.5.3:46999`);
    expect(r.unitText).toBe(
      unit(`tcp://${B}@192.168.5.2:46656,tcp://${C}@192.168.5.3:46999`, ' --log debug'),
    );
    const lines = describeRebuild('node1', r);
    expect(lines).toContain(
      `node1: ~ node2 bbbbbb…bbbb@10.0.0.2:46656 → bbbbbb…bbbb@192.168.5.2:46656`,
    );
    expect(lines.at(-1)).toBe(
      `node1: + ExecStart=/usr/bin/loom run --log debug --peers ${r.newList}`,
    );
  });

  it('leaves a stale key alone when the addresses are the backed-up ones, and says so', () => {
    const text = unit(`tcp://${D}@10.0.0.2:46656,tcp://${C}@10.0.0.3:46656`);
    const r = rebuildPeers({ name: 'node1', unitText: text }, [
      node('node2', '10.0.0.2', B),
      node('node3', '10.0.0.3', C),
    ]);
    expect(r.changed).toBe(false);
    expect(r.unitText).toBe(text);
    expect(describeRebuild('node1', r)[1]).toMatch(
      /lists node2 as dddddd…dddd while node2's loom nodekey is bbbbbb…bbbb.*peers-match gate/,
    );
  });

  it('takes the keys from loom nodekey, not from the restored list, and leaves itself out', () => {
    // Moved hosts, and node2 was restored with a different identity than the unit remembers.
    const text = unit(`tcp://${D}@10.0.0.2:46656,tcp://${C}@10.0.0.3:46656`);
    const r = rebuildPeers({ name: 'node1', unitText: text }, [
      node('node2', '10.1.0.2', B),
      node('node3', '10.1.0.3', C),
    ]);
    expect(r.changed).toBe(true);
    const list = parsePeerList(r.unitText);
    expect(list.kind === 'peers' && list.peers.map((p) => `${p.id[0]}@${p.address}`)).toEqual([
      'b@10.1.0.2',
      'c@10.1.0.3',
    ]);
    expect(r.newList).not.toContain(A);
  });

  it('drops entries for hosts that are no node of the cluster and adds missing ones', () => {
    const text = unit(`tcp://${B}@10.0.0.2:46656,tcp://${D}@10.0.0.9:46656`);
    const r = rebuildPeers({ name: 'node1', unitText: text }, [
      node('node2', '10.0.0.2', B),
      node('node3', '10.0.0.3', C),
    ]);
    expect(r.newList).toBe(`tcp://${B}@10.0.0.2:46656,tcp://${C}@10.0.0.3:46656`);
    expect(r.dropped.map((d) => d.address)).toEqual(['10.0.0.9']);
    const lines = describeRebuild('node1', r).join('\n');
    expect(lines).toMatch(/\+ node3 cccccc…cccc@10\.0\.0\.3:46656 \(not in the restored list\)/);
    expect(lines).toMatch(/- dddddd…dddd@10\.0\.0\.9:46656 \(no node of this cluster\)/);
  });

  it('rewrites --peers=LIST, a quoted list and a list continued on the next line', () => {
    const others = [node('node2', '10.1.0.2', B)];
    const eq = rebuildPeers(
      {
        name: 'n1',
        unitText: `[Service]\nExecStart=/usr/bin/loom run --peers=tcp://${B}@10.0.0.2:46656 --x\n`,
      },
      others,
    );
    expect(eq.unitText).toBe(
      `[Service]\nExecStart=/usr/bin/loom run --peers=tcp://${B}@10.1.0.2:46656 --x\n`,
    );
    const quoted = rebuildPeers(
      {
        name: 'n1',
        unitText: `[Service]\nExecStart=/usr/bin/loom run "tcp://${B}@10.0.0.2:46656"\n`,
      },
      others,
    );
    expect(quoted.unitText).toBe(
      `[Service]\nExecStart=/usr/bin/loom run "tcp://${B}@10.1.0.2:46656"\n`,
    );
    const continued = rebuildPeers(
      {
        name: 'n1',
        unitText: `[Service]\nExecStart=/usr/bin/loom run \\\n  --peers tcp://${B}@10.0.0.2:46656\nRestart=always\n`,
      },
      others,
    );
    expect(continued.unitText).toBe(
      `[Service]\nExecStart=/usr/bin/loom run \\\n  --peers tcp://${B}@10.1.0.2:46656\nRestart=always\n`,
    );
  });

  it('only touches the effective ExecStart of [Service]', () => {
    const text = `[Unit]\nExecStart=ignored tcp://${B}@10.0.0.2:46656\n[Service]\nExecStart=/old tcp://${B}@10.0.0.2:46656\nExecStart=\nExecStart=/usr/bin/loom run tcp://${B}@10.0.0.2:46656\n`;
    const r = rebuildPeers({ name: 'n1', unitText: text }, [node('node2', '10.9.9.9', B)]);
    expect(r.unitText).toBe(
      `[Unit]\nExecStart=ignored tcp://${B}@10.0.0.2:46656\n[Service]\nExecStart=/old tcp://${B}@10.0.0.2:46656\nExecStart=\nExecStart=/usr/bin/loom run tcp://${B}@10.9.9.9:46656\n`,
    );
  });

  it('refuses when another node has no key to give, naming it', () => {
    const text = unit(`tcp://${B}@10.0.0.2:46656`);
    const err = (() => {
      try {
        rebuildPeers({ name: 'node1', unitText: text }, [
          { name: 'node2', address: '10.0.0.2', nodekeyOutput: 'Error in determining Node Key\n' },
        ]);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(RebuildError);
    expect((err as RebuildError).message).toMatch(
      /loom nodekey on node2 Error in determining Node Key/,
    );
    expect((err as RebuildError).hint).toMatch(/node_key\.json on node2/);
  });

  it('refuses a unit without ExecStart or without a peer list', () => {
    const others = [node('node2', '10.0.0.2', B)];
    expect(() =>
      rebuildPeers({ name: 'n1', unitText: '[Service]\nType=simple\n' }, others),
    ).toThrow(/no ExecStart=/);
    expect(() =>
      rebuildPeers({ name: 'n1', unitText: '[Service]\nExecStart=/usr/bin/loom run\n' }, others),
    ).toThrow(/no --peers list to rebuild/);
    // A lone node has nothing to list.
    const alone = rebuildPeers(
      { name: 'n1', unitText: '[Service]\nExecStart=/usr/bin/loom run\n' },
      [],
    );
    expect(alone.changed).toBe(false);
  });
});

describe('config archives', () => {
  const keys = [
    '2026-11-21--095502-node1.tar.bz2',
    '2026-11-21--095503-node2.tar.bz2',
    '2026-11-21--095559-node3.tar.bz2',
    '2026-11-21--085501-node2.tar.bz2',
    '2026-11-21--095510-loom-backup.tar.bz2',
    'notes.txt',
  ];

  it('reads backup.sh names', () => {
    expect(parseArchiveName('backups/2026-11-21--095503-loom-backup.tar.bz2')).toMatchObject({
      stamp: '2026-11-21--095503',
      hostname: 'loom-backup',
      time: Date.UTC(2026, 10, 21, 9, 55, 3),
    });
    expect(parseArchiveName('2026-11-21-095503-node1.tar.bz2')).toBeUndefined();
  });

  it("finds each node's archive of the chosen run, seconds apart", () => {
    const chosen = parseArchiveName(keys[0]!)!;
    const window = 15 * 60_000;
    expect(closestArchive(keys, chosen, 'node2', window)?.key).toBe(keys[1]);
    expect(closestArchive(keys, chosen, 'node3', window)?.key).toBe(keys[2]);
    expect(closestArchive(keys, chosen, 'node4', window)).toBeUndefined();
    // An hour earlier is another run.
    const earlier = parseArchiveName(keys[3]!)!;
    expect(closestArchive(keys, earlier, 'node1', window)).toBeUndefined();
  });

  it('lists the neighbouring day when the window crosses midnight', () => {
    expect(datePrefixes(Date.UTC(2026, 10, 21, 23, 55), 15 * 60_000)).toEqual([
      '2026-11-21',
      '2026-11-22',
    ]);
    expect(datePrefixes(Date.UTC(2026, 10, 21, 12, 0), 15 * 60_000)).toEqual(['2026-11-21']);
  });
});

describe('loom: { op: rebuild-peers } on many nodes at once', () => {
  it('reads every key, writes only changed units through sudo, and keeps ≤ 4 probes per connection', async () => {
    const count = 12;
    const names = Array.from({ length: count }, (_, i) => `n${i + 1}`);
    const ids = names.map((_, i) => i.toString(16).padStart(40, '0'));
    const live = new Map<string, number>();
    let most = 0;
    const writes: { host: string; command: string; stdin?: string }[] = [];
    const transports = names.map((name, i) => {
      const t: Transport = {
        async exec(request, sink) {
          const out = (text: string) => sink('stdout', Buffer.from(text));
          if (request.command.endsWith('nodekey')) {
            live.set(name, (live.get(name) ?? 0) + 1);
            most = Math.max(most, live.get(name)!);
            await new Promise((r) => setTimeout(r, 5));
            live.set(name, live.get(name)! - 1);
            out(`${ids[i]}\n`);
          } else if (request.command.startsWith('cat -- ')) {
            // The restored units name the old addresses 10.0.0.N.
            const peers = names
              .map((_, j) => j)
              .filter((j) => j !== i)
              .map((j) => `tcp://${ids[j]}@10.0.0.${j + 1}:46656`);
            out(unit(peers.join(',')));
          } else {
            writes.push({ host: name, command: request.command, stdin: request.stdin });
          }
          return { exitCode: 0, signal: null, timedOut: false, durationMs: 1 };
        },
        async close() {},
      };
      return t;
    });
    const hosts = names.map((name, i) => ({
      name,
      address: `10.1.0.${i + 1}`,
      connection: 'ssh' as const,
      env: {},
      vars: {},
      groups: ['loom_nodes'],
    }));
    const block = {
      op: 'rebuild-peers',
      role: 'loom_nodes',
      workdir: '/home/ubuntu',
      unit: '/etc/systemd/system/loom.service',
      stage: '/etc/systemd/system/loom.service.stepwise-r1',
    };
    const args = loomAction.args.parse(block);
    const output: string[] = [];
    await Promise.all(
      hosts.map((host, i) =>
        loomAction.run(
          {
            host,
            transport: transports[i]!,
            files: undefined,
            signal: new AbortController().signal,
            redactor: new Redactor(),
            output: (line) => output.push(line),
            progress: () => {},
            hostNamed: () => {
              throw new Error('unused');
            },
            hostsOf: () => hosts.map((h, j) => ({ host: h, transport: transports[j]!, block })),
          },
          args,
        ),
      ),
    );
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(4);
    // One staged unit per node, written as root, naming the others at their new addresses.
    expect(writes.map((w) => w.host).sort()).toEqual([...names].sort());
    for (const w of writes) {
      expect(w.command).toMatch(/^sudo -n sh -c /);
      expect(w.command).toContain('loom.service.stepwise-r1');
      const i = names.indexOf(w.host);
      expect(w.stdin).toContain(
        `tcp://${ids[(i + 1) % count]}@10.1.0.${((i + 1) % count) + 1}:46656`,
      );
      expect(w.stdin).not.toContain('@10.0.0.');
    }
    expect(output.filter((l) => l.startsWith('n1: ~ n2 '))).toHaveLength(1);
  });
});
