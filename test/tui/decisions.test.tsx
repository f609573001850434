/**
 * The questions that come from transports (host keys, passphrases, sudo passwords) and the
 * progress bar, rendered from the engine's request and event shapes.
 */
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import type { DecisionRequest } from '../../src/engine/decisions.ts';
import { Decision } from '../../src/tui/components/decision.tsx';
import { ProgressBar } from '../../src/tui/components/progress-bar.tsx';
import { TuiDecider } from '../../src/tui/decider.ts';
import { KEY } from './harness.ts';

const tick = () => new Promise((r) => setTimeout(r, 20));

/** Asks `request` through a real TuiDecider and renders its question. */
function ask(request: DecisionRequest) {
  const decider = new TuiDecider('tester');
  const answer = decider.decide(request as never);
  const pending = decider.getSnapshot();
  if (!pending) throw new Error('no question pending');
  const r = render(
    createElement(Decision, {
      pending,
      width: 100,
      active: true,
      onOpenOutput: () => {},
      onQuit: () => {},
    }),
  );
  return { r, answer };
}

describe('transport questions', () => {
  it('lists every unknown host key and accepts them all on y', async () => {
    const { r, answer } = ask({
      kind: 'host-keys',
      knownHostsFile: '/home/op/.ssh/known_hosts',
      hosts: [
        { host: 'node1', address: '10.0.0.1', keyType: 'ssh-ed25519', fingerprint: 'SHA256:aaa' },
        {
          host: 'node2',
          address: '[10.0.0.2]:2222',
          keyType: 'ssh-rsa',
          fingerprint: 'SHA256:bbb',
        },
      ],
    });
    expect(r.lastFrame()).toContain('node1 10.0.0.1 ssh-ed25519 SHA256:aaa');
    expect(r.lastFrame()).toContain('node2 [10.0.0.2]:2222 ssh-rsa SHA256:bbb');
    expect(r.lastFrame()).toContain('/home/op/.ssh/known_hosts');
    await tick();
    r.stdin.write('y');
    expect(await answer).toEqual({ action: 'accept', accepted: ['node1', 'node2'], by: 'tester' });
    r.unmount();
  });

  it('masks a sudo password as it is typed', async () => {
    const { r, answer } = ask({ kind: 'sudo-password', host: 'node1', user: 'ubuntu' });
    expect(r.lastFrame()).toContain('sudo password for ubuntu@node1');
    await tick();
    r.stdin.write('hunter2');
    await tick();
    expect(r.lastFrame()).not.toContain('hunter2');
    expect(r.lastFrame()).toContain('•••••••');
    r.stdin.write(KEY.enter);
    expect(await answer).toEqual({ action: 'value', value: 'hunter2', by: 'tester' });
    r.unmount();
  });

  it('aborts a passphrase question on Esc', async () => {
    const { r, answer } = ask({ kind: 'passphrase', host: 'node1', keyFile: '/k/id_ed25519' });
    expect(r.lastFrame()).toContain('Passphrase for /k/id_ed25519 (node1)');
    await tick();
    r.stdin.write(KEY.esc);
    expect(await answer).toEqual({ action: 'abort', by: 'tester' });
    r.unmount();
  });
});

describe('progress', () => {
  it('shows bytes, total, rate and time left', () => {
    const r = render(
      createElement(ProgressBar, {
        p: {
          host: 'node1',
          label: 'upload x.tar.bz2',
          bytes: 50 * 1024 * 1024,
          total: 100 * 1024 * 1024,
          rate: 10 * 1024 * 1024,
          done: false,
        },
        width: 100,
      }),
    );
    const f = r.lastFrame() ?? '';
    expect(f).toContain('50.0 MiB / 100 MiB');
    expect(f).toContain('10.0 MiB/s');
    expect(f).toContain('ETA 5.0s');
    expect(f).toContain('node1: upload x.tar.bz2');
    r.unmount();
  });
});
