/**
 * Each host of a running step: spinner or result, exit code, duration, and the last lines of its
 * output from the bounded tail (never the whole output).
 */
import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import type { HostRunView } from '../run-view.ts';
import { clip, formatDuration, statusMark, useTone } from '../theme.ts';

export function HostRuns(p: {
  runs: HostRunView[];
  width: number;
  tailLines: number;
  now: number;
}) {
  const tone = useTone();
  return (
    <Box flexDirection="column">
      {p.runs.map((r) => {
        const m = statusMark(r.status);
        const took = r.durationMs ?? Math.max(0, p.now - r.startedAt);
        return (
          <Box key={`${r.host}:${r.phase}`} flexDirection="column">
            <Text wrap="truncate-end">
              {r.status === 'running' ? (
                <Text color={tone('accent')}>
                  <Spinner type="dots" />
                </Text>
              ) : (
                <Text color={tone(m.tone)}>{m.glyph}</Text>
              )}{' '}
              <Text bold>{r.host}</Text>
              {r.phase === 'verify' ? <Text color={tone('dim')}> verify</Text> : null}
              {r.status === 'running' ? '' : ` ${r.status}`}
              {r.exitCode !== null ? ` exit ${r.exitCode}` : ''} {formatDuration(took)}
              {r.tail.lines > p.tailLines ? (
                <Text color={tone('dim')}> · {r.tail.lines} lines</Text>
              ) : null}
            </Text>
            {r.tail.last(p.tailLines).map((line, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a tail line's place is its identity
              <Text key={i} color={tone('dim')} wrap="truncate-end">
                {'  │ '}
                {clip(line, p.width - 5)}
              </Text>
            ))}
            {r.error && r.status !== 'running' ? (
              <Text color={tone('bad')} wrap="truncate-end">
                {'  '}
                {clip(r.error.split('\n')[0] ?? '', p.width - 3)}
              </Text>
            ) : null}
          </Box>
        );
      })}
    </Box>
  );
}
