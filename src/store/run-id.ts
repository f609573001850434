/**
 * Run ids that sort by time and say what they are: `20261121-031502-loom-restore-ab12`.
 */
import { randomBytes } from 'node:crypto';

/** The injected clock. */
export type Clock = () => Date;

/** Random bytes; injected so ids can be predicted in tests. */
export type RandomBytes = (size: number) => Uint8Array;

/**
 * A new run id: UTC date and time from `clock` (UTC so ids sort even across a DST change), the
 * runbook id as a slug, and 4 random hex digits so two runs started in the same second differ.
 */
export function newRunId(clock: Clock, runbook: string, random: RandomBytes = randomBytes): string {
  const iso = clock().toISOString(); // 2026-11-21T03:15:02.123Z
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
  const hex = Buffer.from(random(2)).toString('hex').slice(0, 4);
  return `${stamp}-${slug(runbook)}-${hex}`;
}

function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return s === '' ? 'run' : s;
}
