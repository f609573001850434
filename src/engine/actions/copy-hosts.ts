/** Finds the other host of a `copy` by name: an inventory host, a group of one host, or `local`. */
import { OperatorError } from '../../errors.ts';
import type { Host, Inventory } from '../../inventory/types.ts';
import type { StepSpec } from '../../runbook/schema.ts';
import { LOCAL_HOST } from '../hosts.ts';
import { parseEndpoint } from './copy-schema.ts';

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

/**
 * The hosts named by the `from:`/`to:` of copy steps (written literally, not from a template),
 * so that a run connects them, and asks about their host keys, before anything runs.
 */
export function copyPeers(steps: readonly StepSpec[], inventory: Inventory | undefined): Host[] {
  const peers: Host[] = [];
  for (const step of steps) {
    for (const end of step.copy ? [step.copy.from, step.copy.to] : []) {
      const name = parseEndpoint(end).host;
      if (name === undefined || name.includes('{{')) continue;
      try {
        peers.push(hostNamed(name, inventory));
      } catch {
        // An unknown name fails in its step, with its own message.
      }
    }
  }
  return peers;
}
