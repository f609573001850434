/**
 * Variables every template may use without declaring them. `host` is the inventory name of the
 * host a command runs on, `host_address` where it connects, `run_id` the id of the current run,
 * `run_started` when the run started (UTC, `YYYY-mm-dd--HHMMSS`, the way Loom's backup.sh stamps
 * its archives; the same after a resume).
 */
export const builtinVars: readonly string[] = ['host', 'host_address', 'run_id', 'run_started'];

/** Builtins a parameter's value may contain, e.g. `default: a4c-{{ run_started }}`. */
export const RUN_BUILTINS = /\{\{\s*(run_id|run_started)\s*\}\}/g;

/** `run_started` from a run id (`20261121-031502-…` → `2026-11-21--031502`). */
export function runStartedOf(runId: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{6})-/.exec(runId);
  return m ? `${m[1]}-${m[2]}-${m[3]}--${m[4]}` : undefined;
}

/** The target that means the operator's own machine rather than an inventory role. */
export const LOCAL_TARGET = 'local';
