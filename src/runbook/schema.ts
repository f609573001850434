/**
 * The runbook format, written once in zod. Types are inferred from it, the JSON Schema for
 * editors is generated from it (`npm run schema`), and `stepwise validate` reports its issues
 * with file, line and column.
 */
import { z } from 'zod';
import { copyStepSchema } from '../engine/actions/copy-schema.ts';
import { loomStepSchema } from '../engine/actions/loom-schema.ts';
import { s3ChooseSchema, s3StepSchema } from '../s3/step-schema.ts';

const id = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]*$/,
    'ids are lowercase letters, digits and dashes (e.g. "stop-service")',
  );

const varName = z
  .string()
  .regex(/^[a-z_][a-z0-9_]*$/, 'variable names are lowercase letters, digits and underscores');

/** A duration such as `30s`, `10m`, `2h` or a number of seconds. */
export const durationSchema = z.union([
  z.number().positive(),
  z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'a duration like "30s", "10m" or "2h"'),
]);

/**
 * Where something runs: `local` (the operator's machine), a role name (all of its hosts), or
 * the long form naming a role with how to fan out over it.
 */
export const targetSchema = z.union([
  z.string().min(1),
  z.strictObject({
    role: z.string().min(1),
    /** `all` hosts of the role (default) or just `one` of them (the first in inventory order). */
    hosts: z.enum(['all', 'one']).default('all'),
    /** At most this many hosts at once; 1 makes a rolling, one-at-a-time step. */
    serial: z.number().int().positive().optional(),
  }),
]);

/**
 * Re-run a probe until it passes: for conditions that become true with time (a node catching
 * up, a service coming up after a restart). The last attempt's result is the one reported.
 */
export const waitSchema = z.strictObject({
  /** Give up after this long (counted from the first attempt). */
  timeout: durationSchema,
  /** Pause between attempts (default 5s). */
  interval: durationSchema.default('5s'),
});

const numberCompare = z
  .strictObject({
    /** A regex whose first group (or whole match) is the number; default: the whole output. */
    from: z.string().optional(),
    gt: z.union([z.number(), z.string()]).optional(),
    gte: z.union([z.number(), z.string()]).optional(),
    lt: z.union([z.number(), z.string()]).optional(),
    lte: z.union([z.number(), z.string()]).optional(),
    eq: z.union([z.number(), z.string()]).optional(),
  })
  .refine((n) => ['gt', 'gte', 'lt', 'lte', 'eq'].some((k) => k in n), {
    message: 'a number comparison needs one of gt, gte, lt, lte, eq',
  });

/** What a probe's result must look like to pass. Every listed condition must hold. */
export const expectSchema = z.strictObject({
  /** Accepted exit codes (default 0). */
  exit: z.union([z.number().int(), z.array(z.number().int())]).optional(),
  /** A regex stdout must match. */
  stdout: z.string().optional(),
  /** A regex stdout must not match. */
  stdout_not: z.string().optional(),
  /** A regex stderr must match. */
  stderr: z.string().optional(),
  number: numberCompare.optional(),
});

export const checkSchema = z
  .strictObject({
    id,
    title: z.string().min(1),
    /** Why the check matters, in the operator's words. */
    explain: z.string().optional(),
    on: targetSchema.default('local'),
    /** Declarative probe: a read-only command (templated, values shell-quoted). */
    run: z.string().optional(),
    expect: expectSchema.optional(),
    /** Named check kind implemented in TypeScript, e.g. `loom.peers-match-nodekeys`. */
    kind: z.string().optional(),
    /** Arguments for the named kind; strings are templates. */
    with: z.record(z.string(), z.unknown()).optional(),
    /** Verdict when the expectation does not hold. */
    severity: z.enum(['fail', 'warn']).default('fail'),
    /** What the operator can do when it fails. */
    hint: z.string().optional(),
    /** Run in the preflight (default) or only as a gate right before the steps that require it. */
    preflight: z.boolean().default(true),
    timeout: durationSchema.optional(),
    /** Re-run until it passes, up to a time limit, instead of judging the first attempt. */
    wait: waitSchema.optional(),
  })
  .refine((c) => (c.run === undefined) !== (c.kind === undefined), {
    message: 'a check has either `run` (with `expect`) or `kind`, not both and not neither',
  });

export const captureSchema = z
  .strictObject({
    name: varName,
    from: z.enum(['stdout', 'stderr']).default('stdout'),
    /** A regex; the first group (or the named group `value`) is the value. */
    regex: z.string().optional(),
    /** A JSONPath into the output parsed as JSON, e.g. `$.result.sync_info.latest_block_height`. */
    json: z.string().optional(),
    secret: z.boolean().default(false),
  })
  .refine((c) => (c.regex === undefined) !== (c.json === undefined), {
    message: 'a capture has either `regex` or `json`',
  });

export const verifySchema = z.strictObject({
  title: z.string().optional(),
  /** Defaults to the step's own target. */
  on: targetSchema.optional(),
  run: z.string().min(1),
  expect: expectSchema.optional(),
  sudo: z.boolean().optional(),
  /** Re-run until it passes, up to a time limit (e.g. a service answering after a start). */
  wait: waitSchema.optional(),
});

export const chooseSchema = z
  .strictObject({
    /** The variable the pick becomes. */
    var: varName,
    prompt: z.string().min(1),
    /** A read-only command listing the items, one per line. */
    run: z.string().min(1).optional(),
    /** Or the objects under an S3 URL, newest first with size and age. */
    s3: s3ChooseSchema.optional(),
    on: targetSchema.default('local'),
    /** A regex each line must match to be an item; its `value` group (or first group) is the value. */
    item: z.string().optional(),
    /** Order shown: as listed, or sorted newest/highest first. */
    order: z.enum(['as-listed', 'descending', 'ascending']).default('as-listed'),
  })
  .refine((c) => (c.run === undefined) !== (c.s3 === undefined), {
    message: 'a choose list comes from either `run` or `s3`',
  });

export const riskSchema = z.enum(['read-only', 'changes', 'destructive']);

export const stepSchema = z
  .strictObject({
    id,
    title: z.string().min(1),
    /** A short explanation in the operator's words: what this does and why now. */
    explain: z.string().min(1),
    on: targetSchema.default('local'),
    run: z.string().optional(),
    /** Instructions for something the operator does by hand and then confirms. */
    manual: z.string().optional(),
    /** An S3 transfer, listing or bucket instead of a command (a step action, see src/engine/actions). */
    s3: s3StepSchema.optional(),
    /** A file copied from one host to another (`from: HOST:path`, `to: HOST:path`, `via`). */
    copy: copyStepSchema.optional(),
    /** Loom restore helpers in TypeScript (`op: config-archive | rebuild-peers`). */
    loom: loomStepSchema.optional(),
    choose: chooseSchema.optional(),
    risk: riskSchema,
    /**
     * A read-only command run on each host right before the confirmation, its output shown
     * with the question: typically a `diff -u` of what the step will change. Exit 0 and 1 are
     * both fine (diff's "same" and "different"); anything else stops the step.
     */
    preview: z.string().min(1).optional(),
    /** For destructive steps: the phrase the operator must type (a template). */
    confirm: z.string().optional(),
    /** Run the command through `sudo -n`. */
    sudo: z.boolean().default(false),
    /** Check ids that gate this step: it cannot start while one fails, unless overridden. */
    requires: z.array(id).default([]),
    verify: z.array(verifySchema).default([]),
    capture: z.array(captureSchema).default([]),
    timeout: durationSchema.optional(),
    /** A note shown with the step: a caveat from the source procedure. */
    note: z.string().optional(),
  })
  .refine(
    (s) =>
      s.run !== undefined ||
      s.manual !== undefined ||
      s.s3 !== undefined ||
      s.copy !== undefined ||
      s.loom !== undefined ||
      s.choose !== undefined,
    { message: 'a step needs at least one of `run`, `manual`, `s3`, `copy`, `loom` or `choose`' },
  )
  .refine(
    (s) => [s.run, s.manual, s.s3, s.copy, s.loom].filter((x) => x !== undefined).length <= 1,
    { message: 'a step has one of `run`, `manual`, `s3`, `copy` or `loom`, not several' },
  )
  .refine((s) => (s.s3 === undefined && s.copy === undefined && s.loom === undefined) || !s.sudo, {
    message:
      '`sudo` is for commands; an `s3`, `copy` or `loom` step runs as the connecting user (a loom rebuild-peers writes the unit through `sudo -n` itself)',
  })
  .refine((s) => s.risk !== 'read-only' || s.confirm === undefined, {
    message: '`confirm` is only for destructive steps',
  })
  .refine((s) => s.preview === undefined || (s.risk !== 'read-only' && s.manual === undefined), {
    message:
      '`preview` shows what a confirmed step will change: it needs risk `changes` or `destructive` and a `run`, `s3` or `copy`',
  });

export const parameterSchema = z.strictObject({
  description: z.string().min(1),
  type: z.enum(['string', 'path', 'int', 'number', 'bool', 'enum']).default('string'),
  /** Allowed values for `enum`. */
  values: z.array(z.string()).optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  /** Secret values are redacted everywhere and never saved. */
  secret: z.boolean().default(false),
  /** Optional parameters may stay empty; others need a value before the run starts. */
  optional: z.boolean().default(false),
});

export const roleSchema = z.strictObject({
  description: z.string().min(1),
  /** The fewest hosts the role must have in the inventory. */
  min: z.number().int().nonnegative().default(1),
});

export const runbookSchema = z.strictObject({
  /** Version of this format. */
  format: z.literal(1).default(1),
  title: z.string().min(1),
  system: z.string().min(1),
  summary: z.string().min(1),
  /** The source procedure this runbook follows (a seed document and section). */
  source: z.strictObject({
    document: z.string().min(1),
    section: z.string().optional(),
    url: z.string().optional(),
  }),
  roles: z.record(varName, roleSchema).default({}),
  parameters: z.record(varName, parameterSchema).default({}),
  checks: z.array(checkSchema).default([]),
  steps: z.array(stepSchema).min(1),
});

export type Target = z.infer<typeof targetSchema>;
export type Expect = z.infer<typeof expectSchema>;
export type WaitSpec = z.infer<typeof waitSchema>;
export type CheckSpec = z.infer<typeof checkSchema>;
export type CaptureSpec = z.infer<typeof captureSchema>;
export type VerifySpec = z.infer<typeof verifySchema>;
export type ChooseSpec = z.infer<typeof chooseSchema>;
export type Risk = z.infer<typeof riskSchema>;
export type StepSpec = z.infer<typeof stepSchema>;
export type ParameterSpec = z.infer<typeof parameterSchema>;
export type RoleSpec = z.infer<typeof roleSchema>;
export type RunbookSpec = z.infer<typeof runbookSchema>;
