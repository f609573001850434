/** A named check kind's default arguments are templates; the runbook must declare what they name. */
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/runbook/load.ts';

const runbook = (parameters: string, withBlock = '') => `title: t
system: loom
summary: s
source: { document: d }
roles:
  loom_nodes: { description: nodes }
parameters:
${parameters}
checks:
  - id: peers
    title: peers
    on: loom_nodes
    kind: loom.peers-match-nodekeys
${withBlock}steps:
  - id: a
    title: a
    explain: a
    run: echo ok
    risk: read-only
`;

describe('defaults of named check kinds', () => {
  it('are reported at the kind when they name an undeclared parameter', () => {
    const parsed = parseRunbook(
      runbook('  loom_dir: { description: d, default: /home/ubuntu }'),
      '/rb/loom/x.yaml',
    );
    expect(parsed.ok ? [] : parsed.problems).toEqual([
      {
        file: '/rb/loom/x.yaml',
        line: 13,
        col: 11,
        message:
          'checks[0].kind: loom.peers-match-nodekeys\'s default for `unit` is "{{ unit_file }}", and this runbook declares no parameter "unit_file": declare it, or set `with: { unit: … }`',
      },
    ]);
  });

  it('pass when the parameters are declared, or the argument is given', () => {
    const declared = runbook(
      '  loom_dir: { description: d, default: /home/ubuntu }\n  unit_file: { description: u, default: /etc/systemd/system/loom.service }',
    );
    expect(parseRunbook(declared, '/rb/loom/x.yaml').ok).toBe(true);
    const given = runbook(
      '  loom_dir: { description: d, default: /home/ubuntu }',
      '    with: { unit: /etc/systemd/system/loom.service }\n',
    );
    expect(parseRunbook(given, '/rb/loom/x.yaml').ok).toBe(true);
  });
});
