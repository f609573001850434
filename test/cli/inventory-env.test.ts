/** `$STEPWISE_INVENTORY` is the inventory when `-i` is not given, as ANSIBLE_INVENTORY is for Ansible. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLI_TIMEOUT,
  cleanupWorkspaces,
  events,
  localInventory,
  ofType,
  workspace,
} from './helpers.ts';

afterEach(cleanupWorkspaces);

describe('STEPWISE_INVENTORY', { timeout: CLI_TIMEOUT }, () => {
  const book = {
    roles: { nodes: { description: 'the nodes' } },
    steps: [{ id: 'hello', on: 'nodes', run: 'echo hello from {{ host }}' }],
  };

  it('names the inventory when -i is not given, and -i still wins', async () => {
    const ws = workspace();
    ws.writeRunbook('t/hello', book);
    const fromEnv = ws.write('env.yml', localInventory(['alpha', 'beta']));
    const given = ws.write('given.yml', localInventory(['gamma']));
    const env = { STEPWISE_INVENTORY: fromEnv };
    const a = await ws.run(['run', 't/hello', '--json'], { env });
    expect(a.code, a.stderr).toBe(0);
    expect(ofType(events(a.stdout), 'step-started')[0]).toMatchObject({ hosts: ['alpha', 'beta'] });
    const b = await ws.run(['run', 't/hello', '--json', '-i', given], { env });
    expect(b.code, b.stderr).toBe(0);
    expect(ofType(events(b.stdout), 'step-started')[0]).toMatchObject({ hosts: ['gamma'] });
  });
});
