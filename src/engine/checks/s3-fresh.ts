/**
 * `s3.fresh`: the newest object under a prefix is younger than `max_age` — a backup's
 * recovery point objective (RPO), checked before anyone relies on the backup.
 */
import { z } from 'zod';
import { durationSchema } from '../../runbook/schema.ts';
import { listObjects, newestFirst } from '../../s3/objects.ts';
import { parseS3Url } from '../../s3/url.ts';
import { durationMs } from '../duration.ts';
import type { CheckKind } from './kind.ts';
import { hours, perHost, probeS3, s3CheckShape } from './s3-common.ts';

const args = z.strictObject({
  ...s3CheckShape,
  /** The oldest the newest object may be, e.g. `26h`. */
  max_age: durationSchema,
  /** Only keys matching this regex count (e.g. `\\.tar\\.bz2$`). */
  match: z.string().optional(),
});

export const s3Fresh: CheckKind<z.infer<typeof args>> = {
  name: 's3.fresh',
  description: 'The newest object under `url` is younger than `max_age`.',
  args,
  run: (ctx, a, check) =>
    perHost(ctx, check.id, async (host) => {
      const url = ctx.text(a.url, host);
      const limit = durationMs(a.max_age)!;
      const listing = await probeS3(ctx, host, a, (client, endpoint, signal) =>
        listObjects(client, endpoint, parseS3Url(url), { signal }),
      );
      const re = a.match === undefined ? undefined : new RegExp(a.match);
      const newest = newestFirst(listing.objects.filter((o) => !re || re.test(o.key)))[0];
      const expected = `newest object under ${url} younger than ${hours(limit)}`;
      if (!newest)
        return {
          ok: false,
          message: `nothing under ${url}`,
          evidence: { expected, found: 'no objects' },
        };
      const ageMs = ctx.now().getTime() - newest.lastModified.getTime();
      const found = `${newest.key}, ${hours(ageMs)} old (${newest.lastModified.toISOString()})`;
      return {
        ok: ageMs <= limit,
        message:
          ageMs <= limit ? `newest backup ${found}` : `the newest object is too old: ${found}`,
        evidence: { expected, found, key: newest.key },
      };
    }),
};
