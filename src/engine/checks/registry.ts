/** Every named check kind, by name. Runbooks reference them with `kind:`. */
import type { CheckKind } from './kind.ts';
import { loomPeersMatchNodekeys } from './loom-peers-match-nodekeys.ts';

// biome-ignore lint/suspicious/noExplicitAny: each kind validates its own args with zod.
const kinds: CheckKind<any>[] = [loomPeersMatchNodekeys];

export const checkKinds: ReadonlyMap<string, CheckKind<unknown>> = new Map(
  kinds.map((k) => [k.name, k]),
);
