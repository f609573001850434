/**
 * The built CLI against a cluster of real sshd hosts: fan-out with one host failing, a host lost
 * in the middle of a step and the run resumed once it is back, and shell injection.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupWorkspaces,
  events,
  MASK,
  ofType,
  onlyRunId,
  until,
  workspace,
} from '../cli/helpers.ts';
import { type Cluster, cluster, hostOf, run, teardown, transports } from './helpers.ts';

let c: Cluster;
beforeAll(async () => {
  c = await cluster(4);
});
afterAll(() => teardown(c));
afterEach(cleanupWorkspaces);

const sshFlags = () => ['-i', c.inventory, '--known-hosts', c.knownHosts, '--json'];

describe('stepwise over ssh', { timeout: 60_000 }, () => {
  it('fans a step out over 4 hosts at once; one failing keeps the others results', async () => {
    const ws = workspace();
    ws.writeRunbook('t/fan', {
      roles: { cluster: { description: 'every host' } },
      steps: [
        {
          id: 'each',
          on: 'cluster',
          run: 'sleep 1; hostname; test "$(hostname)" != host3',
        },
      ],
    });
    const started = Date.now();
    const r = await ws.run(['run', 't/fan', ...sshFlags()]);
    const took = Date.now() - started;
    expect(r.code, r.stderr).toBe(1);
    const list = events(r.stdout);
    const finished = ofType(list, 'host-finished');
    expect(Object.fromEntries(finished.map((e) => [e.host, e.status]))).toEqual({
      host1: 'ok',
      host2: 'ok',
      host3: 'failed',
      host4: 'ok',
    });
    const out = ofType(list, 'output').filter((e) => e.stream === 'stdout');
    expect(out.map((e) => e.data).sort()).toEqual(['host1\n', 'host2\n', 'host3\n', 'host4\n']);
    // In parallel: every host started before any finished.
    const firstFinish = list.findIndex((e) => e.type === 'host-finished');
    expect(list.slice(0, firstFinish).filter((e) => e.type === 'host-started')).toHaveLength(4);
    expect(took).toBeLessThan(4 * 1000 + 3000);
  });

  it('reports a host lost in the middle of a step at once, and resumes once it is back', async () => {
    const ws = workspace();
    const inventory = ws.write(
      'inventory.yml',
      `${fs.readFileSync(c.inventory, 'utf8')}    first:\n      hosts:\n        host1:\n`,
    );
    ws.writeRunbook('t/lost', {
      roles: { first: { description: 'host1' } },
      steps: [
        { id: 'wait', on: 'first', run: 'echo started; sleep 3; echo finished >> /root/done' },
      ],
    });
    const running = ws.start([
      'run',
      't/lost',
      '-i',
      inventory,
      '--known-hosts',
      c.knownHosts,
      '--json',
    ]);
    await until(() => running.stdout.includes('started\\n'), 'the step to start', 20_000);
    const killedAt = Date.now();
    await c.kill('host1');
    const r = await running.done;
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    const lost = ofType(events(r.stdout), 'host-finished').find((e) => e.host === 'host1');
    expect(lost?.status).toBe('lost');
    expect(lost?.error).toContain('connection lost to host1 during step wait');

    await c.start('host1');
    const runId = onlyRunId(ws);
    const again = await ws.run([
      'resume',
      runId,
      '--known-hosts',
      c.knownHosts,
      '--yes',
      '--on-interrupted',
      'rerun',
      '--json',
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(ofType(events(again.stdout), 'run-finished')).toMatchObject([{ status: 'succeeded' }]);
    expect(fs.readFileSync(path.join(c.hosts[0]!.root, 'root/done'), 'utf8')).toBe('finished\n');
  });

  it("runs nothing a parameter carries: '; touch /tmp/pwned # stays a word", async () => {
    const value = "'; touch /tmp/pwned #";
    const onHost = path.join(c.hosts[1]!.root, 'tmp/pwned');
    // The payload is live: pasted into quotes as text, it creates the file on the host.
    const t = transports(c)(hostOf(c, 'host2'));
    await run(t, `echo '${value.replace('pwned', 'pwned-control')}'`);
    await t.close();
    expect(fs.existsSync(path.join(c.hosts[1]!.root, 'tmp/pwned-control'))).toBe(true);

    const ws = workspace();
    ws.writeRunbook('t/inject', {
      roles: { cluster: { description: 'every host' } },
      parameters: { value: { description: 'anything' } },
      steps: [{ id: 'say', on: 'cluster', run: 'echo {{ value }}', sudo: true }],
    });
    const r = await ws.run(['run', 't/inject', ...sshFlags(), '--set', `value=${value}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(onHost)).toBe(false);
    const said = ofType(events(r.stdout), 'output').filter((e) => e.host === 'host2');
    expect(said.map((e) => e.data).join('')).toBe(`${value}\n`);
  });

  it("runs sudo steps with the inventory's become password headless, and never shows it", async () => {
    const ws = workspace();
    const h = c.hosts[1]!;
    const inventory = ws.write(
      'become.yml',
      `all:\n  hosts:\n    host2:\n      ansible_host: ${h.address}\n      ansible_port: ${h.port}\n      ansible_user: operator\n      ansible_ssh_private_key_file: ${c.keyFile}\n      ansible_become_password: ${c.sudoPassword}\n  children:\n    cluster:\n      hosts:\n        host2:\n`,
    );
    ws.writeRunbook('t/become', {
      roles: { cluster: { description: 'host2' } },
      // The second command prints the password, as a careless script might: it is masked.
      steps: [{ id: 'root', on: 'cluster', run: `id -u; echo ${c.sudoPassword}`, sudo: true }],
    });
    const r = await ws.run([
      'run',
      't/become',
      '-i',
      inventory,
      '--known-hosts',
      c.knownHosts,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const said = ofType(events(r.stdout), 'output')
      .map((e) => e.data)
      .join('');
    expect(said).toBe(`0\n${MASK}\n`);
    const runDir = path.join(ws.home, 'runs', onlyRunId(ws));
    for (const f of fs.readdirSync(runDir)) {
      expect(fs.readFileSync(path.join(runDir, f), 'utf8'), f).not.toContain(c.sudoPassword);
    }
    expect(`${r.stdout}${r.stderr}`).not.toContain(c.sudoPassword);
  });

  it('refuses to start against a host whose key is unknown, headless', async () => {
    const ws = workspace();
    const empty = ws.write('known_hosts', '');
    ws.writeRunbook('t/unknown', {
      roles: { cluster: { description: 'every host' } },
      steps: [{ id: 'x', on: 'cluster', run: 'true' }],
    });
    const r = await ws.run(['run', 't/unknown', '-i', c.inventory, '--known-hosts', empty]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('unknown host keys: host1');
    expect(r.stderr).toContain('hint:');
    expect(fs.readFileSync(empty, 'utf8')).toBe('');
  });
});
