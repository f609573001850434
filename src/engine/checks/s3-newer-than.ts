/**
 * `s3.newer-than`: one object was written after another. Loom's rule: the data backup must be
 * newer than the config backup, or a restore pairs new config with old chain data.
 */
import { z } from 'zod';
import { describeS3Error } from '../../s3/errors.ts';
import { sdk } from '../../s3/transfer.ts';
import { parseS3Url } from '../../s3/url.ts';
import type { CheckKind } from './kind.ts';
import { perHost, probeS3, s3CheckShape } from './s3-common.ts';

const args = z.strictObject({
  ...s3CheckShape,
  /** The object `url` must be newer than. */
  than: z.string().min(1),
});

export const s3NewerThan: CheckKind<z.infer<typeof args>> = {
  name: 's3.newer-than',
  description: 'The object at `url` was modified after the one at `than`.',
  args,
  run: (ctx, a, check) =>
    perHost(ctx, check.id, async (host) => {
      const urls = [ctx.text(a.url, host), ctx.text(a.than, host)] as const;
      const times = await probeS3(ctx, host, a, async (client, endpoint, signal) => {
        const { HeadObjectCommand } = await sdk();
        return Promise.all(
          urls.map((url) => {
            const at = parseS3Url(url);
            return client
              .send(new HeadObjectCommand({ Bucket: at.bucket, Key: at.key }), {
                abortSignal: signal,
              })
              .then(
                (h) => h.LastModified ?? new Date(0),
                (e: unknown) => describeS3Error(e, url, endpoint).message,
              );
          }),
        );
      });
      const [mine, theirs] = times;
      const expected = `${urls[0]} newer than ${urls[1]}`;
      const problem = [mine, theirs].find((t) => typeof t === 'string');
      if (typeof problem === 'string')
        return { ok: false, message: problem, evidence: { expected, found: problem } };
      const [m, t] = [mine as Date, theirs as Date];
      const found = `${m.toISOString()} vs ${t.toISOString()}`;
      return {
        ok: m > t,
        message:
          m > t
            ? `${urls[0]} is newer than ${urls[1]}`
            : `${urls[0]} is not newer than ${urls[1]} (${found})`,
        evidence: { expected, found },
      };
    }),
};
