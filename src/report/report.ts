/**
 * A run's report, for the ticket after a drill or an incident: what was run where, by whom,
 * what it found, and every override and skip with its reason.
 */
import type { RunEvent } from '../engine/events.ts';
import type { RunState } from '../journal/run-state.ts';
import { renderMarkdown } from './markdown.ts';
import { buildReport } from './model.ts';

/** The formats a report can be rendered in. */
export type ReportFormat = 'md' | 'json';

export interface ReportOptions {
  /** The journal the state was read from, named at the end of the report. */
  journalPath?: string;
}

/**
 * Renders a run's report. `events` are the run's journal events (for the history of each
 * attempt); secret values are already redacted in them and in `state`, and nothing is added.
 */
export function renderReport(
  state: RunState,
  events: readonly RunEvent[],
  format: ReportFormat,
  options: ReportOptions = {},
): string {
  const report = buildReport(state, events, options.journalPath ?? null);
  return format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderMarkdown(report);
}
