/** The `s3:` step action and the `choose: { s3: … }` list source, over src/s3. */

import { resolveS3Config, s3Client } from '../../s3/config.ts';
import { choiceLabel, listObjects, newestFirst } from '../../s3/objects.ts';
import { describeOperation, runOperation, type S3Operation } from '../../s3/operation.ts';
import {
  connectionConfig,
  parseSize,
  type S3ChooseArgs,
  type S3StepArgs,
  s3ChooseSchema,
  s3StepSchema,
} from '../../s3/step-schema.ts';
import { UploadRecords } from '../../s3/upload-record.ts';
import { dirPrefix, formatS3Url, parseS3Url } from '../../s3/url.ts';
import type { ActionContext, StepAction } from './action.ts';

function operation(a: S3StepArgs): S3Operation {
  return {
    op: a.op,
    ...(a.from === undefined ? {} : { from: a.from }),
    ...(a.to === undefined ? {} : { to: a.to }),
    ...(a.url === undefined ? {} : { url: a.url }),
    recursive: a.recursive,
    delete: a.delete,
    ...(a.part_size === undefined ? {} : { partSize: parseSize(a.part_size) }),
    ...(a.concurrency === undefined ? {} : { concurrency: a.concurrency }),
    config: connectionConfig(a),
  };
}

function filesOf(ctx: ActionContext) {
  if (ctx.files) return ctx.files;
  throw Object.assign(new Error(`the transport of ${ctx.host.name} cannot move files`), {
    hint: 'run the step on a host whose connection supports files (local or ssh)',
  });
}

export const s3Action: StepAction<S3StepArgs> = {
  name: 's3',
  description: 'upload, download, sync, list or make a bucket, on the step’s hosts',
  args: s3StepSchema,
  describe: (a) => describeOperation(operation(a)),
  async run(ctx, a) {
    const o = operation(a);
    // ls and mb never touch the host's files.
    const summary = await runOperation(o, {
      ...(a.op === 'ls' || a.op === 'mb' ? {} : { files: filesOf(ctx) }),
      signal: ctx.signal,
      output: ctx.output,
      progress: ctx.progress,
      // A failed upload is kept for the step's next attempt (retry, `stepwise resume`).
      ...(ctx.runDir === undefined
        ? {}
        : { resume: { records: new UploadRecords(ctx.runDir), host: ctx.host.name } }),
    });
    return { summary };
  },
};

/** Items for a `choose` from the objects under a URL, newest first, labelled with size and age. */
export const s3ChoiceSource: StepAction<S3ChooseArgs> = {
  name: 's3',
  description: 'the objects under an s3:// URL, newest first',
  args: s3ChooseSchema,
  describe: (a) => `s3 ls ${a.url}`,
  async run(ctx, a) {
    const config = connectionConfig(a);
    const client = await s3Client(config);
    try {
      const at = parseS3Url(a.url);
      const { objects } = await listObjects(client, resolveS3Config(config).endpoint, at, {
        signal: ctx.signal,
      });
      const match = a.match === undefined ? undefined : new RegExp(a.match);
      const base = at.key.endsWith('/') ? at.key : at.key.slice(0, at.key.lastIndexOf('/') + 1);
      const now = ctx.now?.() ?? new Date();
      const items = newestFirst(objects)
        .filter((o) => !o.key.endsWith('/') && (!match || match.test(o.key)))
        .map((o) => ({
          value:
            a.value === 'url'
              ? formatS3Url({ bucket: at.bucket, key: o.key })
              : a.value === 'name'
                ? o.key.slice(dirPrefix(base).length)
                : o.key,
          label: choiceLabel(o, now),
        }));
      for (const i of items) ctx.output(i.label);
      return { summary: `${items.length} object(s)`, items };
    } finally {
      client.destroy();
    }
  },
};
