import { loadInventory } from '../src/inventory/load.ts';

try {
  const inv = await loadInventory(process.argv[2]!);
  console.log(inv.groups, inv.vars);
  for (const h of inv.hosts.values()) console.log(JSON.stringify(h));
} catch (e) {
  console.log((e as Error).message, '\nHINT', (e as any).hint);
}
