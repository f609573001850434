/** Shared by every place that shows a step's previews (TUI, terminal prompt). */
import type { Preview } from '../engine/decisions.ts';

/** Groups hosts by identical preview text, in first-seen order: four nodes with one change read once. */
export function groupPreviews(previews: readonly Preview[]): { hosts: string[]; text: string }[] {
  const groups = new Map<string, string[]>();
  for (const p of previews) {
    const hosts = groups.get(p.text);
    if (hosts) hosts.push(p.host);
    else groups.set(p.text, [p.host]);
  }
  return [...groups].map(([text, hosts]) => ({ hosts, text }));
}
