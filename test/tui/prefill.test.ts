/** The overview's form: the inventory's values win over the last run's, which fill in the rest. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { stateHome } from '../../src/store/state-home.ts';
import { Store } from '../../src/store/store.ts';
import { cleanupWorlds, world } from './harness.ts';

afterEach(cleanupWorlds);

it('prefers the inventory to the last run, and the last run to the runbook default', async () => {
  const w = world();
  Store.open(stateHome(w.io.env)).saveLastParams(
    'tuitest/drill',
    { workdir: '/srv/last-time', token: 'never-kept' },
    ['token'],
  );
  const withVar = path.join(w.dir, 'with-var.yml');
  fs.writeFileSync(
    withVar,
    stringify({
      all: {
        vars: { workdir: '/srv/from-inventory' },
        children: { nodes: { hosts: { n1: { ansible_connection: 'local' } } } },
      },
    }),
  );
  const value = (o: { fields: { name: string; value: string }[] }, name: string) =>
    o.fields.find((f) => f.name === name)?.value;

  const a = await w.backend.overview('tuitest/drill', withVar, {});
  expect(value(a, 'workdir')).toBe('/srv/from-inventory');
  const b = await w.backend.overview('tuitest/drill', w.inventory, {});
  expect(value(b, 'workdir')).toBe('/srv/last-time');
  // Set per host: the form shows the default, not last time's value, which sent back as --set
  // would override every host's own directory.
  const perHost = path.join(w.dir, 'per-host.yml');
  fs.writeFileSync(
    perHost,
    stringify({
      all: {
        children: {
          nodes: {
            hosts: {
              n1: { ansible_connection: 'local', workdir: '/srv/n1' },
              n2: { ansible_connection: 'local', workdir: '/srv/n2' },
            },
          },
        },
      },
    }),
  );
  const d = await w.backend.overview('tuitest/drill', perHost, {});
  expect(value(d, 'workdir')).toBe('');
  // --set beats both; a secret is never prefilled.
  const c = await w.backend.overview('tuitest/drill', withVar, { workdir: '/srv/given' });
  expect(value(c, 'workdir')).toBe('/srv/given');
  expect(value(c, 'token')).toBe('');
});
