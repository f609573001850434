/**
 * `stepwise validate` accepts the Loom backup runbooks (schema, templates, quoting, roles,
 * check kinds and their `with:`), and `stepwise show` lists their checks and steps.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupWorkspaces, REPO, workspace } from '../cli/helpers.ts';

afterEach(cleanupWorkspaces);

const RUNBOOKS = ['backup-node-setup', 'backup', 'diagnose-peers'].map((n) =>
  path.join(REPO, 'runbooks', 'loom', `${n}.yaml`),
);

describe('the Loom backup runbooks', () => {
  it('validate without a problem', async () => {
    const r = await workspace().run(['validate', ...RUNBOOKS]);
    expect(r.stderr + r.stdout).toContain('No problems found');
    expect(r.code).toBe(0);
  });

  it('are listed under loom', async () => {
    const r = await workspace().run(['list']);
    for (const id of ['loom/backup-node-setup', 'loom/backup', 'loom/diagnose-peers']) {
      expect(r.stdout).toContain(id);
    }
  });
});
