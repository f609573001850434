/** A host from an Ansible-style inventory, with its variables already merged. */
export interface Host {
  /** The inventory name (`inventory_hostname` in Ansible). */
  name: string;
  /** `ansible_host`, or the name. */
  address: string;
  port?: number;
  user?: string;
  privateKeyFile?: string;
  /** `ansible_connection`: `local` runs on this machine, `ssh` (the default) over SSH. */
  connection: 'local' | 'ssh';
  /** Environment for every command on this host (`stepwise_env`). */
  env: Record<string, string>;
  /** Every variable: all < parent groups < child groups < host. */
  vars: Record<string, unknown>;
  /** Groups the host belongs to, including parents. */
  groups: string[];
}

/** A loaded inventory: hosts by name and the host names of every group, in inventory order. */
export interface Inventory {
  /** The file it came from, if any. */
  path?: string;
  hosts: Map<string, Host>;
  groups: Map<string, string[]>;
  /** Variables of the `all` group: what an `on: local` step sees of the inventory. */
  vars?: Record<string, unknown>;
}
