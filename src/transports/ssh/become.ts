/**
 * The sudo password an inventory gives for a host (`ansible_become_password`), as Ansible reads
 * it. It feeds sudo exactly like the operator's answer to the sudo-password question: on stdin,
 * never in a command line, an event or the journal.
 */
import type { Host, Inventory } from '../../inventory/types.ts';

/** Ansible's name first, then the spellings it still accepts. */
const NAMES = ['ansible_become_password', 'ansible_become_pass', 'ansible_sudo_pass'] as const;

/** The host's become password and the variable it came from, if the inventory sets one. */
export function becomePassword(host: Host): { value: string; variable: string } | undefined {
  for (const variable of NAMES) {
    const value = host.vars[variable];
    if (typeof value === 'string' && value !== '') return { value, variable };
    if (typeof value === 'number') return { value: String(value), variable };
  }
  return undefined;
}

/**
 * Every become password in the inventory, so the run's redactor masks them wherever they would
 * show (a command echoing its stdin, an error quoting a line).
 */
export function inventorySecrets(inventory: Inventory | undefined): string[] {
  const found = new Set<string>();
  for (const host of inventory?.hosts.values() ?? []) {
    const p = becomePassword(host);
    if (p) found.add(p.value);
  }
  return [...found];
}
