/** A transfer's progress: bar, bytes, rate and time left. */
import { Text } from 'ink';
import { formatBytes } from '../../render/units.ts';
import type { ProgressView } from '../run-view.ts';
import { clip, formatDuration, useTone } from '../theme.ts';

export function ProgressBar({ p, width }: { p: ProgressView; width: number }) {
  const tone = useTone();
  const barW = Math.max(10, Math.min(30, width - 50));
  const frac = p.total ? Math.min(1, p.bytes / p.total) : undefined;
  const filled = frac === undefined ? 0 : Math.round(frac * barW);
  const eta =
    p.total && p.rate && p.rate > 0 && !p.done
      ? ` ETA ${formatDuration(((p.total - p.bytes) / p.rate) * 1000)}`
      : '';
  return (
    <Text wrap="truncate-end">
      <Text color={tone(p.done ? 'ok' : 'accent')}>
        [{'█'.repeat(filled)}
        {(frac === undefined ? '?' : '').padEnd(barW - filled, '░')}]
      </Text>{' '}
      {formatBytes(p.bytes)}
      {p.total ? ` / ${formatBytes(p.total)}` : ''}
      {p.rate ? ` ${formatBytes(p.rate)}/s` : ''}
      {eta}
      {p.done ? ' done' : ''} <Text color={tone('dim')}>{clip(`${p.host}: ${p.label}`, 40)}</Text>
    </Text>
  );
}
