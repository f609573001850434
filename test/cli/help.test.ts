/** `--help` and `--version`. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_TIMEOUT, cleanupWorkspaces, REPO, workspace } from './helpers.ts';

afterEach(cleanupWorkspaces);

describe('help and version', { timeout: CLI_TIMEOUT }, () => {
  it('`stepwise --help` lists the commands and global flags', async () => {
    const r = await workspace().run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: stepwise \[options\] \[command\]/);
    for (const command of [
      'list',
      'show',
      'validate',
      'check',
      'run',
      'runs',
      'resume',
      'report',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    for (const flag of ['--runbooks <dir>', '--version', '--help'])
      expect(r.stdout).toContain(flag);
  });

  it('`stepwise run --help` lists the run flags', async () => {
    const r = await workspace().run(['run', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: stepwise run \[options\] <runbook>/);
    for (const flag of [
      '-i, --inventory <file>',
      '--dry-run',
      '--set <name=value>',
      '-y, --yes',
      '--allow-destructive',
      '--override <check=reason>',
      '--on-interrupted <action>',
      '--manual-done <step>',
      '--forks <n>',
      '--json',
      '--plain',
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });

  it('`stepwise resume --help` lists the flags that answer questions', async () => {
    const r = await workspace().run(['resume', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--set', '--yes', '--on-interrupted', '--manual-done', '--json']) {
      expect(r.stdout).toContain(flag);
    }
  });

  it('`--version` prints the version of package.json', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      version: string;
    };
    const ws = workspace();
    for (const flag of ['--version', '-V']) {
      const r = await ws.run([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
  });
});
