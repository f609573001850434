/** Sizes as operators read them, the same in the plain output, the TUI and `stepwise s3`. */

/** `1.5 GiB`, `820 KiB`, `12 B`: binary units, as `ls -lh` and `aws s3` show them. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}
