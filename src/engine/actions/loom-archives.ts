/**
 * Loom's backup.sh archive names, `<YYYY-mm-dd--HHMMSS>-<hostname>.tar.bz2`, and finding one
 * node's config archive from the same cron run as the one the operator chose. Every node's
 * backup starts in the same minute (`55 * * * *`), but each names its archive with its own
 * clock's seconds, so the set is "the archive of this node closest in time to the chosen one".
 */

/** An archive name taken apart. */
export interface ArchiveName {
  key: string;
  /** The time in the name, in ms, read as UTC (only differences between names matter). */
  time: number;
  /** The `YYYY-mm-dd--HHMMSS` part. */
  stamp: string;
  hostname: string;
}

const NAME = /^(?:.*\/)?((\d{4})-(\d{2})-(\d{2})--(\d{2})(\d{2})(\d{2}))-(.+)\.tar\.bz2$/;

/** The parts of a backup.sh archive name (a key with a prefix is fine), or undefined. */
export function parseArchiveName(key: string): ArchiveName | undefined {
  const m = NAME.exec(key);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(2, 8).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const time = Date.UTC(y, mo - 1, d, h, mi, s);
  if (Number.isNaN(time)) return undefined;
  return { key, time, stamp: m[1]!, hostname: m[8]! };
}

/** The dates (`YYYY-mm-dd`) an archive within `windowMs` of `time` can carry: list prefixes. */
export function datePrefixes(time: number, windowMs: number): string[] {
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  return [...new Set([day(time - windowMs), day(time), day(time + windowMs)])];
}

/**
 * The archive of `hostname` closest in time to `chosen`, within `windowMs`; ties go to the
 * earlier one. Undefined when there is none.
 */
export function closestArchive(
  keys: readonly string[],
  chosen: ArchiveName,
  hostname: string,
  windowMs: number,
): ArchiveName | undefined {
  let best: ArchiveName | undefined;
  for (const key of keys) {
    const a = parseArchiveName(key);
    if (!a || a.hostname !== hostname) continue;
    const distance = Math.abs(a.time - chosen.time);
    if (distance > windowMs) continue;
    const bestDistance = best ? Math.abs(best.time - chosen.time) : Number.POSITIVE_INFINITY;
    if (distance < bestDistance || (distance === bestDistance && a.time < best!.time)) best = a;
  }
  return best;
}
