/**
 * The first line of every journal: which run, which runbook (and its exact content, by hash),
 * and with which parameters. Validated with zod whenever a journal is read.
 */
import { z } from 'zod';

/**
 * Version of the journal format new runs are written with. A reader refuses newer ones.
 * - 1: command output inline in `output` events (`data`).
 * - 2: command output as raw bytes in a file beside the journal (`output.log`); `output` events
 *   carry its `offset` and `length` instead, so a journal stays small and fast to read (resume,
 *   report, the run list) however much a step printed, and output is never JSON-escaped on disk.
 */
export const JOURNAL_VERSION = 2;

/** The versions this stepwise reads. */
export const READABLE_VERSIONS: readonly number[] = [1, 2];

/** The file beside a version-2 journal that holds command output. */
export const OUTPUT_FILE = 'output.log';

export const journalHeaderSchema = z.object({
  type: z.literal('journal'),
  version: z.union([z.literal(1), z.literal(2)]),
  runId: z.string().min(1),
  /** The runbook's id. */
  runbook: z.string().min(1),
  runbookPath: z.string(),
  runbookHash: z.string(),
  /** Step id → hash of that step's definition, to tell on resume what changed. */
  stepHashes: z.record(z.string(), z.string()),
  /**
   * Step ids in runbook order. Kept beside `stepHashes` because a JSON object puts
   * integer-like keys (a step id such as `10`) first, which would reorder the steps.
   */
  stepOrder: z.array(z.string()).optional(),
  /** Parameter values, secret ones replaced by `••••••`. */
  params: z.record(z.string(), z.string()),
  /** Non-secret `--set` values as given, so a resumed run resolves parameters the same way. */
  sets: z.record(z.string(), z.string()).default({}),
  inventoryPath: z.string().optional(),
  /** ISO-8601 time from the injected clock. */
  createdAt: z.string(),
});

/** The first line of a journal. */
export type JournalHeader = z.infer<typeof journalHeaderSchema>;

/** Step ids in runbook order, for headers with or without `stepOrder`. */
export function headerStepOrder(header: JournalHeader): string[] {
  return header.stepOrder ?? Object.keys(header.stepHashes);
}
