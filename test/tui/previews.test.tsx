/** A confirmation with previews: each host's diff (identical ones once), clipped to its budget. */
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { expect, it } from 'vitest';
import type { DecisionRequest } from '../../src/engine/decisions.ts';
import { Decision } from '../../src/tui/components/decision.tsx';
import { TuiDecider } from '../../src/tui/decider.ts';

const DIFF = (ip: string) =>
  `--- /etc/systemd/system/loom.service\n+++ new\n@@ -7 +7 @@\n-ExecStart=/usr/bin/loom run --peers tcp://aa@10.0.0.1:46656\n+ExecStart=/usr/bin/loom run --peers tcp://aa@${ip}:46656\n`;

function ask(request: DecisionRequest, previewLines?: number) {
  const decider = new TuiDecider('tester');
  const answer = decider.decide(request as never);
  const pending = decider.getSnapshot();
  if (!pending) throw new Error('no question pending');
  const opened: string[] = [];
  const r = render(
    createElement(Decision, {
      pending,
      width: 120,
      active: true,
      ...(previewLines === undefined ? {} : { previewLines }),
      onOpenOutput: (step: string) => opened.push(step),
      onQuit: () => {},
    }),
  );
  return { r, answer, opened };
}

const request = (previews: { host: string; text: string }[]): DecisionRequest => ({
  kind: 'confirm',
  step: 'rebuild-peers',
  title: 'Rebuild --peers',
  hosts: previews.map((p) => p.host),
  commands: previews.map((p) => ({ host: p.host, command: 'write the unit' })),
  previews: previews.map((p) => ({ ...p, exitCode: 1 })),
});

it('shows each host diff, hosts with the same diff together, unchanged hosts as such', async () => {
  const { r, answer, opened } = ask(
    request([
      { host: 'node1', text: DIFF('192.168.0.9') },
      { host: 'node2', text: DIFF('192.168.0.9') },
      { host: 'node3', text: DIFF('192.168.0.7') },
      { host: 'node4', text: '' },
    ]),
  );
  const frame = r.lastFrame() ?? '';
  expect(frame).toContain('Preview on node1, node2:');
  expect(frame).toContain('+ExecStart=/usr/bin/loom run --peers tcp://aa@192.168.0.9:46656');
  expect(frame).toContain('Preview on node3:');
  expect(frame).toContain('+ExecStart=/usr/bin/loom run --peers tcp://aa@192.168.0.7:46656');
  expect(frame).toContain('Preview on node4: nothing to change');
  expect(frame).toContain('o full preview');
  await new Promise((res) => setTimeout(res, 20));
  r.stdin.write('o');
  expect(opened).toEqual(['rebuild-peers']);
  r.stdin.write('y');
  expect(await answer).toEqual({ action: 'run', by: 'tester' });
  r.unmount();
});

it('draws at most its budget of preview lines and counts the rest', () => {
  const { r } = ask(request([{ host: 'node1', text: DIFF('192.168.0.9') }]), 3);
  const frame = r.lastFrame() ?? '';
  expect(frame).toContain('@@ -7 +7 @@');
  expect(frame).not.toContain('+ExecStart');
  expect(frame).toContain('… 2 more lines');
  r.unmount();
});
