/** Damaged state is reported with the file (and line), and left byte for byte as it was. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_TIMEOUT, cleanupWorkspaces, events, journalFile, workspace } from './helpers.ts';

afterEach(cleanupWorkspaces);

describe('a damaged stepwise.json', { timeout: CLI_TIMEOUT }, () => {
  it('stops `runs` and `run` with a message naming the file, and is not rewritten', async () => {
    const ws = workspace();
    ws.writeRunbook('t/ok', { steps: [{ id: 'a', run: `touch ${ws.path('ran')}` }] });
    const store = path.join(ws.home, 'stepwise.json');
    fs.mkdirSync(ws.home, { recursive: true });
    const garbage = Buffer.from('{"version": 1, "runs": {\u0000 not json at all \xff');
    fs.writeFileSync(store, garbage);

    const runs = await ws.run(['runs']);
    expect(runs.code).toBe(1);
    expect(runs.stderr).toContain(`${store} is damaged`);
    expect(runs.stderr).toContain(`mv ${store} ${store}.damaged`);
    expect(runs.stdout).toBe('');
    expect(fs.readFileSync(store).equals(garbage)).toBe(true);

    const run = await ws.run(['run', 't/ok']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${store} is damaged`);
    expect(fs.existsSync(ws.path('ran'))).toBe(false);
    expect(fs.readFileSync(store).equals(garbage)).toBe(true);
  });

  it('with valid JSON of the wrong shape is reported too', async () => {
    const ws = workspace();
    const store = path.join(ws.home, 'stepwise.json');
    fs.mkdirSync(ws.home, { recursive: true });
    const wrong = '{"version": 1, "runs": {"x": {"runId": 42}}}\n';
    fs.writeFileSync(store, wrong);
    const r = await ws.run(['runs', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${store} is damaged at runs.x`);
    expect(fs.readFileSync(store, 'utf8')).toBe(wrong);
  });
});

describe('a damaged journal', { timeout: CLI_TIMEOUT }, () => {
  it('stops `resume` and `report` at journal.jsonl:LINE and is not rewritten', async () => {
    const ws = workspace();
    ws.writeRunbook('t/three', {
      steps: [
        { id: 'one', run: 'echo one' },
        { id: 'two', run: 'echo two; exit 1' },
        { id: 'three', run: 'echo three' },
      ],
    });
    const first = await ws.run(['run', 't/three', '--json']);
    expect(first.code).toBe(1);
    const runId = events(first.stdout)[0]!.runId;
    const file = journalFile(ws, runId);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    // The header is line 1 and the file ends with a newline; damage a line well inside.
    const damaged = Math.floor(lines.length / 2) + 1;
    expect(damaged).toBeGreaterThan(2);
    expect(damaged).toBeLessThan(lines.length - 1);
    lines[damaged - 1] = '{"type":"step-started","step":"on';
    const broken = lines.join('\n');
    fs.writeFileSync(file, broken);

    const resume = await ws.run(['resume', runId, '--yes']);
    expect(resume.code).toBe(1);
    expect(resume.stderr).toContain(`${file}:${damaged} is damaged: a line that is not valid JSON`);
    expect(resume.stderr).toMatch(/journal\.jsonl:\d+/);
    expect(fs.readFileSync(file, 'utf8')).toBe(broken);

    const report = await ws.run(['report', runId]);
    expect(report.code).toBe(1);
    expect(report.stderr).toContain(`journal.jsonl:${damaged}`);
    expect(fs.readFileSync(file, 'utf8')).toBe(broken);
  });

  it('lists a run whose journal is damaged with the problem, instead of failing', async () => {
    const ws = workspace();
    const runId = '20260101-000000-t-x-abcd';
    fs.mkdirSync(path.dirname(journalFile(ws, runId)), { recursive: true });
    fs.writeFileSync(journalFile(ws, runId), 'not a header\n');
    const r = await ws.run(['runs', '--json']);
    expect(r.code).toBe(0);
    const runs = JSON.parse(r.stdout) as { runId: string; status: string; problem: string }[];
    expect(runs).toMatchObject([{ runId, status: 'unknown' }]);
    expect(runs[0]?.problem).toContain('journal.jsonl:1 is damaged');
  });
});
