/** Resolves a runbook target (`local`, a role, or `{role, hosts, serial}`) to hosts. */
import { OperatorError } from '../errors.ts';
import type { Host, Inventory } from '../inventory/types.ts';
import type { Target } from '../runbook/schema.ts';

/** The operator's machine, for `on: local`. */
export const LOCAL_HOST: Host = {
  name: 'local',
  address: '127.0.0.1',
  connection: 'local',
  env: {},
  vars: {},
  groups: [],
};

/** A target's hosts and how many may run at once. */
export interface Resolved {
  hosts: Host[];
  serial: number | undefined;
}

export function resolveTarget(target: Target, inventory: Inventory | undefined): Resolved {
  const role = typeof target === 'string' ? target : target.role;
  if (role === 'local') return { hosts: [LOCAL_HOST], serial: undefined };
  const names = inventory?.groups.get(role);
  if (!names || names.length === 0) {
    throw new OperatorError(
      `the inventory has no hosts in group "${role}"`,
      inventory?.path
        ? `add a "${role}" group to ${inventory.path}, or pick another inventory with -i`
        : `pass an inventory with -i INVENTORY that defines the "${role}" group`,
    );
  }
  const hosts = names.map((n) => inventory!.hosts.get(n)!);
  if (typeof target === 'string') return { hosts, serial: undefined };
  return { hosts: target.hosts === 'one' ? hosts.slice(0, 1) : hosts, serial: target.serial };
}
