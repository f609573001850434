/** `s3:` blocks in runbooks: validation (fields, templates) and the dry-run plan. */
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/runbook/load.ts';
import { runScenario } from '../engine/harness.ts';

const head = `
title: S3 runbook
system: test
summary: checks s3 blocks
source: { document: test }
parameters:
  bucket: { description: the bucket }
steps:
`;

function problems(steps: string): string[] {
  const parsed = parseRunbook(head + steps, '/runbooks/test/s3.yaml');
  return parsed.ok ? [] : parsed.problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
}

describe('s3 blocks in runbooks', () => {
  it('accepts a valid block and reports unknown variables inside it', () => {
    const ok = `  - id: up
    title: Up
    explain: up
    risk: changes
    s3: { op: upload, from: /tmp/x, to: "s3://{{ bucket }}/x" }
`;
    expect(problems(ok)).toEqual([]);
    expect(problems(ok.replace('{{ bucket }}', '{{ bukket }}'))).toEqual([
      expect.stringMatching(/^13:\d+: steps\[0\]\.s3\.to: unknown variable \{\{ bukket \}\}/),
    ]);
  });

  it('rejects a block without the operands of its op, and a step with both run and s3', () => {
    expect(
      problems(`  - id: ls
    title: List
    explain: list
    risk: read-only
    s3: { op: ls }
`),
    ).toEqual([expect.stringMatching(/op ls needs `url`/)]);
    expect(
      problems(`  - id: both
    title: Both
    explain: both
    risk: read-only
    run: "true"
    s3: { op: mb, url: s3://b }
`),
    ).toEqual([
      expect.stringMatching(
        /a step has one of `run`, `manual`, `s3`, `copy` or `loom`, not several/,
      ),
    ]);
  });

  it('plans an s3 step in a dry run as a description, without touching S3', async () => {
    const result = await runScenario({
      yaml: `${head}  - id: up
    title: Up
    explain: up
    risk: changes
    s3: { op: sync, from: /srv/backups, to: "s3://{{ bucket }}/daily", delete: true, endpoint: "http://127.0.0.1:9" }
`,
      sets: { bucket: 'loom' },
      options: { dryRun: true },
    });
    expect(result.outcome).toBe('succeeded');
    expect(result.events.filter((e) => e.type === 'step-planned')).toMatchObject([
      {
        step: 'up',
        host: 'local',
        phase: 'run',
        command: 's3 sync /srv/backups → s3://loom/daily --delete (endpoint http://127.0.0.1:9)',
      },
    ]);
  });
});
