/**
 * runbooks/loom/backup-node-setup.yaml walked headless end to end over the Loom cluster on real
 * sshd: its checks (including loom.backup-peers and loom.not-referenced) on the real hosts, the
 * script, settings and cron entries it installs (read back over SSH), one backup uploaded by
 * the nodes' own aws CLI into s3rver, and a second run that changes nothing twice.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ofType } from '../cli/helpers.ts';
import {
  BUCKET,
  type LoomRun,
  type LoomWorld,
  onHost,
  runLoom,
  startLoomWorld,
} from '../fixtures/loom-ssh.ts';

// Real sshd, SSH and s3rver on 2 shared cores: every step is slower than a unit test's.
vi.setConfig({ testTimeout: 60_000 });

/** What a step's preview printed: its output before the step's confirmation. */
function previewOf(run: LoomRun, step: string): string {
  const asked = run.events.findIndex((e) => e.type === 'decision' && e.step === step);
  expect(asked).toBeGreaterThan(0);
  return ofType(run.events.slice(0, asked), 'output')
    .filter((e) => e.step === step)
    .map((e) => e.data)
    .join('');
}

let world: LoomWorld;
let first: LoomRun;

beforeAll(async () => {
  world = await startLoomWorld({ backupLag: { blocks: 8, catchUpMs: 4000 } });
  first = await runLoom(world, 'backup-node-setup');
}, 120_000);

afterAll(async () => {
  await world?.stop();
}, 30_000);

describe('loom/backup-node-setup over real sshd', () => {
  it('passes every preflight check on a healthy cluster and succeeds', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(ofType(first.events, 'run-finished')[0]?.status).toBe('succeeded');
    const backupPeers = first.results('backup-peers');
    expect(backupPeers.find((r) => r.host === 'loom-backup')).toMatchObject({
      status: 'pass',
      evidence: { found: '4 of 4 verified' },
    });
    expect(first.results('not-referenced').every((r) => r.status === 'pass')).toBe(true);
    expect(first.results('not-referenced').map((r) => r.host)).toEqual([
      'node1',
      'node2',
      'node3',
      'node4',
      'loom-backup',
    ]);
    for (const id of ['sudo-stop-start', 'tools', 'bucket-reachable', 'nodes-reach-bucket']) {
      expect(first.results(id).length, id).toBeGreaterThan(0);
      expect(
        first.results(id).every((r) => r.status === 'pass'),
        id,
      ).toBe(true);
    }
  });

  it('installs the cron entry for ubuntu with MAILTO="" and the data settings on the backup node', async () => {
    const cron = await onHost(world.loom, 'loom-backup', 'crontab -l');
    expect(cron.stdout).toBe(
      [
        '# BEGIN stepwise loom backup (runbook loom/backup-node-setup)',
        'MAILTO=""',
        '55 * * * * /home/ubuntu/backup.sh >> /home/ubuntu/backup.log 2>&1',
        '# END stepwise loom backup',
        '',
      ].join('\n'),
    );
    const settings = await onHost(world.loom, 'loom-backup', 'cat ~/.backup_config');
    expect(settings.stdout).toContain(`S3BUCKET=${BUCKET}\n`);
    expect(settings.stdout).toContain(
      'STUFF_TO_BACKUP=chaindata app.db\nSHOULD_STOP_SERVICE=true\n',
    );
    expect(settings.stdout).toContain(`RPC=${world.loom.host('loom-backup').rpc}\n`);
  });

  it('schedules config-only backups on the live nodes, before the data backup', async () => {
    const cron = await onHost(world.loom, 'node3', 'crontab -l && cat ~/.backup_config');
    expect(cron.stdout).toContain(
      '\n50 * * * * /home/ubuntu/backup.sh >> /home/ubuntu/backup.log 2>&1\n',
    );
    expect(cron.stdout).toContain(
      'STUFF_TO_BACKUP=genesis.json loom.yml /etc/systemd/system/loom.service chaindata/config\nSHOULD_STOP_SERVICE=false\n',
    );
  });

  it('shows a diff of the crontab before changing it', () => {
    const text = previewOf(first, 'cron-backup-node');
    expect(text).toContain('--- crontab now');
    expect(text).toContain('+55 * * * * /home/ubuntu/backup.sh >> /home/ubuntu/backup.log 2>&1');
  });

  it('takes one backup now: loom stopped and started again, and a new object of the reported size in the bucket', async () => {
    const captures = ofType(first.events, 'capture');
    const key = captures.find((c) => c.name === 'backup_key')?.value;
    const size = Number(captures.find((c) => c.name === 'backup_size')?.value);
    expect(key).toMatch(/^\d{4}-\d\d-\d\d--\d{6}-loom-backup\.tar\.bz2$/);
    expect(first.results('backup-object')[0]).toMatchObject({ status: 'pass' });
    expect(first.results('backup-is-fresh')[0]).toMatchObject({ status: 'pass' });
    // The object is really there, as large as the script said, and holds the data.
    const listed = await onHost(world.loom, 'node1', `aws s3 ls s3://${BUCKET}/${key}`);
    expect(listed.stdout).toMatch(new RegExp(`\\s${size} ${key!.replaceAll('.', '\\.')}\\n$`));
    const members = await onHost(
      world.loom,
      'node1',
      `cd /tmp && curl -sf ${world.s3.endpoint}/${BUCKET}/${key} | tar -tjf - | grep -c -x -e chaindata/ -e app.db/`,
    );
    expect(members.stdout).toBe('2\n');
    // Stopped for the copy, running again now, and nothing left in /tmp.
    const started = await onHost(world.loom, 'loom-backup', 'cat /run/loom-sim/loom.started');
    expect(started.code).toBe(0);
    expect(await world.loom.serviceState('loom-backup')).toBe('active');
    const tmp = await onHost(world.loom, 'loom-backup', 'ls /tmp/*.tar.bz2 2>/dev/null | wc -l');
    expect(tmp.stdout).toBe('0\n');
  });

  it("installs a script that backs up a live node's config without stopping it", async () => {
    const r = await onHost(world.loom, 'node1', '~/backup.sh');
    expect(r.code, r.stderr).toBe(0);
    const m = /uploaded s3:\/\/[^/]+\/(\S+) (\d+) bytes/.exec(r.stdout);
    expect(m?.[1]).toMatch(/^\d{4}-\d\d-\d\d--\d{6}-node1\.tar\.bz2$/);
    expect(r.stdout).not.toContain('caught up');
    const members = await onHost(
      world.loom,
      'node1',
      `curl -sf ${world.s3.endpoint}/${BUCKET}/${m![1]} | tar -tjf -`,
    );
    for (const member of [
      'genesis.json',
      'loom.yml',
      'etc/systemd/system/loom.service',
      'chaindata/config/node_key.json',
    ]) {
      expect(members.stdout).toContain(`${member}\n`);
    }
    expect(members.stdout).not.toMatch(/^app\.db/m);
    // Never stopped: no start was ever recorded on node1.
    const started = await onHost(
      world.loom,
      'node1',
      'test -e /run/loom-sim/loom.started; echo $?',
    );
    expect(started.stdout).toBe('1\n');
  });

  it('leaves one cron block when run a second time', async () => {
    const again = await runLoom(world, 'backup-node-setup');
    expect(again.code, again.stderr).toBe(0);
    const cron = await onHost(world.loom, 'loom-backup', 'crontab -l | grep -c "^MAILTO="');
    expect(cron.stdout).toBe('1\n');
    expect(previewOf(again, 'cron-backup-node')).toBe('');
  }, 120_000);
});
