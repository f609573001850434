/** `--skip STEP=REASON`: a headless run passes over a step it must not run, and says why. */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLI_TIMEOUT,
  cleanupWorkspaces,
  events,
  journalEvents,
  ofType,
  workspace,
} from './helpers.ts';

afterEach(cleanupWorkspaces);

describe('--skip', { timeout: CLI_TIMEOUT }, () => {
  it('skips the named step with its reason recorded, and runs the rest', async () => {
    const ws = workspace();
    const stopped = ws.path('stopped');
    const restored = ws.path('restored');
    ws.writeRunbook('t/restore', {
      steps: [
        { id: 'stop-app', risk: 'changes', run: `touch ${stopped}` },
        { id: 'restore', risk: 'destructive', confirm: 'restore it', run: `touch ${restored}` },
      ],
    });
    const reason = 'embedded ES: cannot stop, the platform is left idle';
    const r = await ws.run([
      'run',
      't/restore',
      '--json',
      '--yes',
      '--allow-destructive',
      '--skip',
      `stop-app=${reason}`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(stopped)).toBe(false);
    expect(fs.existsSync(restored)).toBe(true);
    const runId = events(r.stdout)[0]!.runId;
    expect(ofType(journalEvents(ws, runId), 'step-finished')).toMatchObject([
      { step: 'stop-app', status: 'skipped', reason, confirmedBy: '--skip' },
      { step: 'restore', status: 'succeeded' },
    ]);
  });

  it('refuses a step id the runbook does not have, before anything runs', async () => {
    const ws = workspace();
    const ran = ws.path('ran');
    ws.writeRunbook('t/one', { steps: [{ id: 'go', risk: 'changes', run: `touch ${ran}` }] });
    const r = await ws.run(['run', 't/one', '--yes', '--skip', 'gone=typo']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--skip gone: t/one has no step gone');
    expect(r.stderr).toContain('its steps: go');
    expect(fs.existsSync(ran)).toBe(false);
  });
});
