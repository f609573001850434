/** Every named check kind, by name. Runbooks reference them with `kind:`. */
import { elasticsearchPathRepo } from './elasticsearch-path-repo.ts';
import type { CheckKind } from './kind.ts';
import { loomBackupPeers } from './loom-backup-peers.ts';
import { loomCaughtUp } from './loom-caught-up.ts';
import { loomNotReferenced } from './loom-not-referenced.ts';
import { loomPeerReport } from './loom-peer-report.ts';
import { loomPeersMatchNodekeys } from './loom-peers-match-nodekeys.ts';
import { loomRedisReachable } from './loom-redis-reachable.ts';
import { s3BucketReachable } from './s3-bucket-reachable.ts';
import { s3Fresh } from './s3-fresh.ts';
import { s3NewerThan } from './s3-newer-than.ts';
import { s3ObjectExists } from './s3-object-exists.ts';

// biome-ignore lint/suspicious/noExplicitAny: each kind validates its own args with zod.
const kinds: CheckKind<any>[] = [
  elasticsearchPathRepo,
  loomPeersMatchNodekeys,
  loomRedisReachable,
  loomBackupPeers,
  loomNotReferenced,
  loomCaughtUp,
  loomPeerReport,
  s3BucketReachable,
  s3Fresh,
  s3ObjectExists,
  s3NewerThan,
];

export const checkKinds: ReadonlyMap<string, CheckKind<unknown>> = new Map(
  kinds.map((k) => [k.name, k]),
);
