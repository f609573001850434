/** The ❯ of ink-select-input, in the theme's colour (none with NO_COLOR). */
import { Box, Text } from 'ink';
import { useTone } from '../theme.ts';

export function Indicator({ isSelected = false }: { isSelected?: boolean }) {
  const tone = useTone();
  return (
    <Box marginRight={1}>
      <Text color={tone('accent')}>{isSelected ? '❯' : ' '}</Text>
    </Box>
  );
}
