/** The bottom line: the keys that apply right now. */
import { Box, Text } from 'ink';
import { useTone } from '../theme.ts';

/** A key and what it does, e.g. `['Enter', 'run']`. */
export type KeyHint = readonly [key: string, action: string];

export function Footer({ keys }: { keys: readonly KeyHint[] }) {
  const tone = useTone();
  return (
    <Box>
      <Text wrap="truncate-end">
        {keys.map(([k, a], i) => (
          <Text key={k}>
            {i > 0 ? '  ' : ''}
            <Text bold color={tone('accent')}>
              {k}
            </Text>
            <Text color={tone('dim')}> {a}</Text>
          </Text>
        ))}
      </Text>
    </Box>
  );
}
