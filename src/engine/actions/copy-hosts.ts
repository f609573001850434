/** Finds the other host of a `copy` by name: an inventory host, a group of one host, or `local`. */
import { OperatorError } from '../../errors.ts';
import type { Host, Inventory } from '../../inventory/types.ts';
import { LOCAL_HOST } from '../hosts.ts';

export function hostNamed(name: string, inventory: Inventory | undefined): Host {
  if (name === 'local') return LOCAL_HOST;
  const host = inventory?.hosts.get(name);
  if (host) return host;
  const group = inventory?.groups.get(name);
  if (group?.length === 1) return inventory!.hosts.get(group[0]!)!;
  throw new OperatorError(
    group
      ? `"${name}" is a group of ${group.length} hosts; a copy needs one host at each end`
      : `the inventory has no host or group "${name}"`,
    group
      ? `name one host of ${name} (${group.join(', ')}), or run the step on: ${name} with a plain path`
      : `check the name against ${inventory?.path ?? 'the inventory (-i INVENTORY)'}`,
  );
}
