import { describe, expect, it } from 'vitest';
import type { CheckContext, ProbeResult } from '../../src/engine/checks/kind.ts';
import { loomPeersMatchNodekeys } from '../../src/engine/checks/loom-peers-match-nodekeys.ts';
import { checkKinds } from '../../src/engine/checks/registry.ts';
import type { Host } from '../../src/inventory/types.ts';
import { checkSchema } from '../../src/runbook/schema.ts';
import { renderText } from '../../src/runbook/template.ts';

const KEY1 = 'aa'.repeat(20);
const KEY2 = 'bb'.repeat(20);

function host(name: string, address: string, vars: Record<string, unknown>): Host {
  return { name, address, connection: 'local', env: {}, vars, groups: ['loom_nodes'] };
}

const hosts = [
  host('node1', '10.0.0.1', { loom_dir: '/srv/loom one', unit_file: '/etc/u1' }),
  host('node2', '10.0.0.2', { loom_dir: '/srv/loom2', unit_file: '/etc/u2' }),
];

/** A context over canned outputs, recording every command it was asked to run. */
function fakeContext(outputs: Record<string, ProbeResult>): CheckContext & { ran: string[] } {
  const ran: string[] = [];
  const lookup = (h: Host) => (name: string) => {
    const v = h.vars[name];
    return v === undefined ? undefined : String(v);
  };
  return {
    hosts,
    ran,
    now: () => new Date('2026-01-01T00:00:00Z'),
    async exec(h, command) {
      ran.push(`${h.name}: ${command}`);
      return outputs[`${h.name}: ${command}`] ?? { exitCode: 127, stdout: '', stderr: 'not found' };
    },
    command: () => {
      throw new Error('not used');
    },
    text: (template, h) => renderText(template, lookup(h)),
  };
}

const ok = (stdout: string): ProbeResult => ({ exitCode: 0, stdout, stderr: '' });
const unit = (peer: string) => `[Service]\nExecStart=/usr/bin/loom run --peers ${peer}\n`;

const spec = checkSchema.parse({
  id: 'peers-match',
  title: 't',
  on: 'loom_nodes',
  kind: 'loom.peers-match-nodekeys',
});

describe('loom.peers-match-nodekeys', () => {
  it('is registered by name', () => {
    expect(checkKinds.get('loom.peers-match-nodekeys')).toBe(loomPeersMatchNodekeys);
  });

  it('defaults its arguments to the loom_dir and unit_file variables', () => {
    expect(loomPeersMatchNodekeys.args.parse(undefined)).toEqual({
      workdir: '{{ loom_dir }}',
      unit: '{{ unit_file }}',
      loom: 'loom',
    });
    expect(() => loomPeersMatchNodekeys.args.parse({ wokrdir: '/x' })).toThrow();
  });

  it('runs quoted probes per host and returns one specific result per host', async () => {
    const ctx = fakeContext({
      "node1: cd '/srv/loom one' && loom nodekey": ok(`${KEY1}\n`),
      'node1: cat /etc/u1': ok(unit(`tcp://${KEY2}@10.0.0.2:46656`)),
      'node2: cd /srv/loom2 && loom nodekey': ok('Error in determining Node Key'),
      'node2: cat /etc/u2': ok(unit(`tcp://${KEY1}@10.0.0.1:46656`)),
    });
    const results = await loomPeersMatchNodekeys.run(
      ctx,
      loomPeersMatchNodekeys.args.parse({}),
      spec,
    );
    expect(ctx.ran).toContain("node1: cd '/srv/loom one' && loom nodekey");
    expect(results.map((r) => [r.check, r.host, r.status])).toEqual([
      ['peers-match', 'node1', 'warn'],
      ['peers-match', 'node2', 'fail'],
    ]);
    expect(results[1]?.message).toContain('Error in determining Node Key');
  });

  it('reports an unreadable unit with the tail of stderr', async () => {
    const ctx = fakeContext({
      "node1: cd '/srv/loom one' && loom nodekey": ok(`${KEY1}\n`),
      'node1: cat /etc/u1': {
        exitCode: 1,
        stdout: '',
        stderr: 'cat: /etc/u1: Permission denied\n',
      },
      'node2: cd /srv/loom2 && loom nodekey': ok(`${KEY2}\n`),
      'node2: cat /etc/u2': ok(unit(`tcp://${KEY1}@10.0.0.1:46656`)),
    });
    const [first, second] = await loomPeersMatchNodekeys.run(
      ctx,
      loomPeersMatchNodekeys.args.parse({}),
      spec,
    );
    expect(first).toMatchObject({ host: 'node1', status: 'fail' });
    expect(first?.message).toBe('could not read /etc/u1 on node1: cat: /etc/u1: Permission denied');
    expect(second?.status).toBe('pass');
  });
});
