/** `s3.object-exists`: a named object exists, optionally with an expected size in bytes. */
import { z } from 'zod';
import { describeS3Error } from '../../s3/errors.ts';
import { sdk } from '../../s3/transfer.ts';
import { parseS3Url } from '../../s3/url.ts';
import type { CheckKind } from './kind.ts';
import { perHost, probeS3, s3CheckShape } from './s3-common.ts';

const args = z.strictObject({
  ...s3CheckShape,
  /** Bytes, or a template such as `{{ backup_size }}`. */
  size: z.union([z.number().int().nonnegative(), z.string()]).optional(),
});

export const s3ObjectExists: CheckKind<z.infer<typeof args>> = {
  name: 's3.object-exists',
  description: 'The object at `url` exists (with `size` bytes, if given).',
  args,
  run: (ctx, a, check) =>
    perHost(ctx, check.id, async (host) => {
      const url = ctx.text(a.url, host);
      const at = parseS3Url(url);
      const want =
        a.size === undefined
          ? undefined
          : Number(typeof a.size === 'string' ? ctx.text(a.size, host) : a.size);
      const expected = want === undefined ? `${url} exists` : `${url} with ${want} bytes`;
      const head = await probeS3(ctx, host, a, async (client, endpoint, signal) => {
        const { HeadObjectCommand } = await sdk();
        return client
          .send(new HeadObjectCommand({ Bucket: at.bucket, Key: at.key }), { abortSignal: signal })
          .catch((e: unknown) => ({ error: describeS3Error(e, url, endpoint).message }));
      });
      if ('error' in head)
        return { ok: false, message: head.error, evidence: { expected, found: head.error } };
      const size = head.ContentLength ?? 0;
      const ok = want === undefined || size === want;
      return {
        ok,
        message: ok
          ? `${url} exists (${size} bytes)`
          : `${url} has ${size} bytes, expected ${want}`,
        evidence: { expected, found: `${size} bytes` },
      };
    }),
};
