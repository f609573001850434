import { expect, it } from 'vitest';
import { recordedDecider } from '../../src/cli/recorded-decider.ts';
import type { Answer, Decider, RequestOf } from '../../src/engine/decisions.ts';
import type { DecisionKind, RunEvent } from '../../src/engine/events.ts';

const answering = (answer: object): Decider => ({
  async decide<K extends DecisionKind>(_r: RequestOf<K>): Promise<Answer<K>> {
    return { by: 'alice', ...answer } as Answer<K>;
  },
});

it('records a transport question and who answered it, never the secret typed', async () => {
  const events: RunEvent[] = [];
  const d = recordedDecider(answering({ action: 'value', value: 'hunter2-sudo' }), {
    runId: 'r1',
    clock: () => new Date('2026-11-21T03:00:00Z'),
    emit: (e) => events.push(e),
  });
  const a = await d.decide({ kind: 'sudo-password', host: 'db1', user: 'deploy' });
  expect(a).toEqual({ action: 'value', value: 'hunter2-sudo', by: 'alice' });
  expect(events).toEqual([
    {
      runId: 'r1',
      at: '2026-11-21T03:00:00.000Z',
      type: 'decision-requested',
      kind: 'sudo-password',
    },
    {
      runId: 'r1',
      at: '2026-11-21T03:00:00.000Z',
      type: 'decision',
      kind: 'sudo-password',
      answer: 'sudo-password given for db1',
      by: 'alice',
    },
  ]);
  expect(JSON.stringify(events)).not.toContain('hunter2');
});

it('records an abort as such', async () => {
  const events: RunEvent[] = [];
  const d = recordedDecider(answering({ action: 'abort' }), {
    runId: 'r1',
    clock: () => new Date(0),
    emit: (e) => events.push(e),
  });
  await d.decide({ kind: 'passphrase', host: 'db1', keyFile: '/k' });
  expect(events.at(-1)).toMatchObject({ kind: 'passphrase', answer: 'abort for db1' });
});
