/** `s3.bucket-reachable`: the bucket answers with these credentials (a HEAD of the bucket). */
import { z } from 'zod';
import { describeS3Error, S3Error } from '../../s3/errors.ts';
import { sdk } from '../../s3/transfer.ts';
import { parseS3Url } from '../../s3/url.ts';
import type { CheckKind } from './kind.ts';
import { perHost, probeS3, s3CheckShape } from './s3-common.ts';

const args = z.strictObject(s3CheckShape);

export const s3BucketReachable: CheckKind<z.infer<typeof args>> = {
  name: 's3.bucket-reachable',
  description: 'The bucket of `url` is reachable with these credentials.',
  args,
  run: (ctx, a, check) =>
    perHost(ctx, check.id, async (host) => {
      const url = ctx.text(a.url, host);
      const { bucket } = parseS3Url(url);
      try {
        await probeS3(ctx, host, a, async (client, endpoint, signal) => {
          const { HeadBucketCommand } = await sdk();
          await client
            .send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal })
            .catch((e: unknown) => {
              throw new S3Error(describeS3Error(e, `s3://${bucket}`, endpoint));
            });
        });
        return {
          ok: true,
          message: `s3://${bucket} is reachable`,
          evidence: { found: 'reachable' },
        };
      } catch (error) {
        const e = error as S3Error;
        return {
          ok: false,
          message: `${e.message}${e.hint ? ` (${e.hint})` : ''}`,
          evidence: {
            expected: `s3://${bucket} reachable with these credentials`,
            found: e.message,
          },
        };
      }
    }),
};
