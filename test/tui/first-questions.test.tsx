/**
 * Questions asked while connecting (unknown host keys, a key's passphrase) come before the
 * preflight has a result: they are on screen at once and answered there, never hidden behind the
 * matrix's "press Enter to go on", which only works once the preflight is done.
 */
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { expect, it } from 'vitest';
import type { DecisionRequest } from '../../src/engine/decisions.ts';
import type { RunHandle } from '../../src/tui/backend.ts';
import { TuiDecider } from '../../src/tui/decider.ts';
import { RunView } from '../../src/tui/run-view.ts';
import { RunScreen } from '../../src/tui/screens/run.tsx';

const tick = () => new Promise((r) => setTimeout(r, 20));

function screen(request: DecisionRequest) {
  const view = new RunView('Restore', [
    { id: 'stop', title: 'Stop loom', risk: 'changes', explain: 'Stops it.' },
  ]);
  const decider = new TuiDecider('tester');
  const answer = decider.decide(request as never);
  const handle: RunHandle = {
    view,
    decider,
    done: new Promise(() => {}),
    cancel: () => {},
    runId: () => 'r1',
    recheck: () => {},
  };
  const r = render(
    createElement(RunScreen, {
      handle,
      width: 100,
      height: 30,
      active: true,
      onOpenOutput: () => {},
      onQuit: () => {},
      onHelp: () => {},
    }),
  );
  return { r, answer };
}

it('shows unknown host keys before the preflight and accepts them with y', async () => {
  const { r, answer } = screen({
    kind: 'host-keys',
    knownHostsFile: '/root/.ssh/known_hosts',
    hosts: [
      { host: 'node1', address: '127.9.9.1', keyType: 'ssh-ed25519', fingerprint: 'SHA256:aaa' },
    ],
  });
  await tick();
  const frame = r.lastFrame() ?? '';
  expect(frame).toContain('node1 127.9.9.1 ssh-ed25519 SHA256:aaa');
  expect(frame).not.toContain('press Enter to go on');
  r.stdin.write('y');
  expect(await answer).toEqual({ action: 'accept', accepted: ['node1'], by: 'tester' });
  r.unmount();
});

it('takes a passphrase typed over the matrix, q and r included, without quitting', async () => {
  const { r, answer } = screen({ kind: 'passphrase', host: 'node1', keyFile: '/root/.ssh/id' });
  await tick();
  expect(r.lastFrame()).toContain('Passphrase for /root/.ssh/id (node1)');
  for (const c of 'qr1') {
    r.stdin.write(c);
    await tick();
  }
  r.stdin.write('\r');
  expect(await answer).toEqual({ action: 'value', value: 'qr1', by: 'tester' });
  r.unmount();
});
