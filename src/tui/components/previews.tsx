/**
 * What a step's `preview` printed on each host (usually a diff), shown with its confirmation.
 * Hosts whose previews are identical share one block, so four nodes with the same change read
 * once; the full text of every host stays in the journal (`o` opens it).
 */
import { Box, Text } from 'ink';
import type { Preview } from '../../engine/decisions.ts';
import { groupPreviews } from '../../render/previews.ts';
import { clip, type Tone, useTone } from '../theme.ts';

export interface PreviewsProps {
  previews: readonly Preview[];
  width: number;
  /** Most lines shown in all; the rest is counted, not drawn. */
  maxLines?: number;
}

function lineTone(line: string): Tone | undefined {
  if (line.startsWith('+++') || line.startsWith('---')) return 'dim';
  if (line.startsWith('+')) return 'ok';
  if (line.startsWith('-')) return 'bad';
  if (line.startsWith('@@')) return 'accent';
  return undefined;
}

export function Previews({ previews, width, maxLines = 14 }: PreviewsProps) {
  const tone = useTone();
  let budget = maxLines;
  let hidden = 0;
  const blocks = groupPreviews(previews).map((g) => {
    const lines = g.text.replace(/\n$/, '').split('\n');
    const empty = g.text.trim() === '';
    const shown = empty ? [] : lines.slice(0, Math.max(0, budget));
    budget -= shown.length;
    hidden += empty ? 0 : lines.length - shown.length;
    return { ...g, empty, shown };
  });
  return (
    <Box flexDirection="column" marginTop={1}>
      {blocks.map((b) => (
        <Box key={b.hosts.join(',')} flexDirection="column">
          <Text bold>
            Preview on {b.hosts.join(', ')}
            {b.empty ? <Text color={tone('dim')}>: nothing to change</Text> : ':'}
          </Text>
          {b.shown.map((line, i) => {
            const t = lineTone(line);
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: lines of a fixed text, never reordered.
              <Text key={i} {...(t ? { color: tone(t) } : {})} wrap="truncate-end">
                {'  '}
                {clip(line, width - 4)}
              </Text>
            );
          })}
        </Box>
      ))}
      {hidden > 0 ? (
        <Text color={tone('dim')}>
          … {hidden} more line{hidden === 1 ? '' : 's'} (o: the step's full output)
        </Text>
      ) : null}
    </Box>
  );
}
