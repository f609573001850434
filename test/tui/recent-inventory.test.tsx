/** ^N in the overview's inventory field cycles through the inventories used recently. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Store } from '../../src/store/store.ts';
import { cleanupWorlds, KEY, open, world } from './harness.ts';

afterEach(cleanupWorlds);

it('offers the recent inventories with ^N, newest first', async () => {
  const w = world();
  const staging = path.join(w.dir, 'staging.yml');
  const prod = path.join(w.dir, 'prod.yml');
  fs.copyFileSync(w.inventory, staging);
  fs.copyFileSync(w.inventory, prod);
  const store = Store.open(w.home);
  store.rememberInventory(staging);
  store.rememberInventory(prod);
  const s = open(w, { kind: 'overview', runbook: 'tuitest/drill', sets: {} });
  let f = await s.waitFor('Role nodes: no hosts (choose an inventory)');
  expect(f).toContain('recent inventory');
  await s.press('\u000e');
  f = await s.waitFor(`inventory     ${prod}`);
  expect(f).not.toContain(`inventory     ${staging}`);
  await s.press('\u000e');
  f = await s.waitFor(`inventory     ${staging}`);
  expect(f).not.toContain(`inventory     ${prod}`);
  // Leaving the field loads it: the roles show its hosts.
  await s.press(KEY.enter);
  await s.waitFor('Role nodes: n1, n2');
});
