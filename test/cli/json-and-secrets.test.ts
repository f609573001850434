/** `--json` output is one event per line, and secret parameters never leave the process. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLI_TIMEOUT,
  cleanupWorkspaces,
  events,
  journalFile,
  localInventory,
  MASK,
  ofType,
  runIdOf,
  workspace,
} from './helpers.ts';

afterEach(cleanupWorkspaces);

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

describe('--json', { timeout: CLI_TIMEOUT }, () => {
  it('prints one event per line, each with a type and the run id, ending with run-finished', async () => {
    const ws = workspace();
    const inv = ws.write('inventory.yaml', localInventory(['n1', 'n2']));
    ws.writeRunbook('t/json', {
      roles: { nodes: { description: 'the nodes' } },
      checks: [{ id: 'up', title: 'up', on: 'nodes', run: 'echo up', expect: { stdout: 'up' } }],
      steps: [
        { id: 'hello', on: 'nodes', run: 'echo hello from {{ host }}' },
        {
          id: 'count',
          run: 'echo 42',
          capture: [{ name: 'n', regex: '(\\d+)' }],
        },
        { id: 'use', run: 'echo n is {{ n }}', verify: [{ run: 'test {{ n }} -eq 42' }] },
      ],
    });
    const r = await ws.run(['run', 't/json', '-i', inv, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.endsWith('\n')).toBe(true);
    const lines = r.stdout.trimEnd().split('\n');
    const list = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const runId = list[0]?.runId;
    expect(runId).toMatch(/^\d{8}-\d{6}-t-json-[0-9a-f]{4}$/);
    for (const e of list) {
      expect(typeof e.type).toBe('string');
      expect(e.runId).toBe(runId);
      expect(Number.isNaN(Date.parse(String(e.at)))).toBe(false);
    }
    expect(list[0]?.type).toBe('run-started');
    expect(list.at(-1)).toEqual({
      type: 'run-finished',
      status: 'succeeded',
      runId,
      at: expect.any(String),
    });
    expect(ofType(events(r.stdout), 'capture')).toMatchObject([
      { step: 'count', name: 'n', value: '42', secret: false },
    ]);
    expect(ofType(events(r.stdout), 'verify-result')).toMatchObject([
      { step: 'use', status: 'pass' },
    ]);
    const hello = ofType(events(r.stdout), 'output').filter((e) => e.step === 'hello');
    expect(hello.map((e) => `${e.host}:${e.data}`).sort()).toEqual([
      'n1:hello from n1\n',
      'n2:hello from n2\n',
    ]);
    // Human messages go to stderr, and there are none in a run that went well.
    expect(r.stderr).toBe('');
  });

  it('keeps stdout pure JSON when the run fails', async () => {
    const ws = workspace();
    ws.writeRunbook('t/fail', { steps: [{ id: 'nope', run: 'echo out; echo err >&2; exit 7' }] });
    const r = await ws.run(['run', 't/fail', '--json']);
    expect(r.code).toBe(1);
    const list = events(r.stdout);
    expect(list.at(-1)).toMatchObject({ type: 'run-finished', status: 'failed' });
    expect(ofType(list, 'host-finished')).toMatchObject([{ exitCode: 7, status: 'failed' }]);
  });
});

describe('secret parameters', { timeout: CLI_TIMEOUT }, () => {
  it('never appear in stdout, the journal, the store or the report, even when echoed', async () => {
    const ws = workspace();
    // A quote makes the rendered command carry the shell-quoted form, which must go too.
    const token = `tok'en-${randomBytes(8).toString('hex')}`;
    const bare = token.split("'")[1]!;
    ws.writeRunbook('t/secret', {
      parameters: {
        token: { description: 'API token', secret: true },
        user: { description: 'user name' },
      },
      checks: [
        {
          id: 'token-set',
          title: 'the token is set',
          run: 'echo checking {{ token }}; test -n {{ token }}',
        },
      ],
      steps: [
        { id: 'echo-token', run: 'echo {{ token }}' },
        { id: 'stderr-token', run: 'echo as {{ user }} {{ token }} >&2' },
        {
          id: 'capture',
          run: 'echo got {{ token }}',
          capture: [{ name: 'got', regex: 'got (.*)' }],
        },
      ],
    });
    const sets = ['--set', `token=${token}`, '--set', 'user=alice'];
    const r = await ws.run(['run', 't/secret', '--json', ...sets]);
    expect(r.code).toBe(0);
    const runId = runIdOf(r.stdout);
    const list = events(r.stdout);
    const out = (step: string) =>
      ofType(list, 'output')
        .filter((e) => e.step === step)
        .map((e) => e.data)
        .join('');
    expect(out('echo-token')).toBe(`${MASK}\n`);
    expect(out('stderr-token')).toBe(`as alice ${MASK}\n`);
    expect(ofType(list, 'run-started')[0]?.params).toEqual({ token: MASK, user: 'alice' });
    expect(ofType(list, 'host-started').find((e) => e.step === 'echo-token')?.command).toBe(
      `echo ${MASK}`,
    );

    const plain = await ws.run(['run', 't/secret', ...sets]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain(`  $ local: echo ${MASK}\n${MASK}\n`);

    const md = await ws.run(['report', runId]);
    const json = await ws.run(['report', runId, '--format', 'json']);
    expect(md.code).toBe(0);
    expect(json.code).toBe(0);
    expect(json.stdout).toContain(MASK);

    const journal = fs.readFileSync(journalFile(ws, runId), 'utf8');
    expect(journal).toContain(MASK);
    const texts: [string, string][] = [
      ['--json stdout', r.stdout],
      ['--json stderr', r.stderr],
      ['plain stdout', plain.stdout],
      ['plain stderr', plain.stderr],
      ['report md', md.stdout],
      ['report json', json.stdout],
      ...filesUnder(ws.home).map((f): [string, string] => [f, fs.readFileSync(f, 'utf8')]),
    ];
    expect(texts.map(([name]) => name)).toContain(journalFile(ws, runId));
    expect(texts.map(([name]) => name)).toContain(path.join(ws.home, 'stepwise.json'));
    for (const [name, text] of texts) {
      expect(text.includes(bare), `${name} holds the secret`).toBe(false);
    }
  });
});
