/**
 * What `stepwise.json` holds, checked with zod every time it is read. The file carries its own
 * `version` (conf's migrations are documented as unsupported and buggy): a file from a newer
 * stepwise is refused rather than half-understood and overwritten.
 */
import { z } from 'zod';

/** Version of the store file this code writes. */
export const STORE_VERSION = 1;

const runProgress = z.enum(['running', 'paused', 'succeeded', 'failed', 'aborted']);

export const runIndexEntrySchema = z.object({
  runId: z.string().min(1),
  /** The runbook's id. */
  runbook: z.string(),
  title: z.string(),
  startedAt: z.string(),
  /** As last recorded; `stepwise runs` re-reads the journal of a run that has not ended. */
  status: runProgress,
  /** Path of the run's journal. */
  journal: z.string(),
  inventoryPath: z.string().optional(),
  currentStep: z.string().nullable(),
});

/** One run in the index. */
export type RunIndexEntry = z.infer<typeof runIndexEntrySchema>;

/** A setting's value. */
export type SettingValue = string | number | boolean;

export const storeFileSchema = z.object({
  /** Missing in a file that was never written by this code (empty object). */
  version: z.literal(STORE_VERSION).optional(),
  runs: z.record(z.string(), runIndexEntrySchema).default({}),
  /** Runbook id → parameter name → value. Never holds a secret. */
  lastParams: z.record(z.string(), z.record(z.string(), z.string())).default({}),
  /** Most recent first, at most {@link MAX_RECENT_INVENTORIES}. */
  recentInventories: z.array(z.string()).default([]),
  settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});

/** The store file's contents, defaults filled in. */
export type StoreFile = z.infer<typeof storeFileSchema>;

export const MAX_RECENT_INVENTORIES = 10;
