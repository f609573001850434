/** `?`: every keybinding, whatever screen is open. */
import { Box, Text } from 'ink';
import { useTone } from '../theme.ts';

const BINDINGS: readonly [string, string][] = [
  ['↑ ↓ / j k', 'move'],
  ['Enter', 'choose, confirm, continue'],
  ['Esc', 'back (or leave a text box)'],
  ['/', 'filter runbooks (home)'],
  ['Tab', 'next field (overview)'],
  ['^N', 'next recent inventory (overview)'],
  ['← → / h l', 'move across hosts (preflight)'],
  ['r', 're-run the checks (preflight); retry (failed step)'],
  ['p', 'show the preflight matrix again'],
  ['y', 'run a step that changes things'],
  ['s', 'skip the step, with a reason'],
  ['o', 'override a failing check, with a reason; open output (failed step)'],
  ['a', 'abort the run'],
  ['q', 'quit and save: resume later where you stopped'],
  ['Ctrl-C', 'during a running step: asks, then cancels it'],
  ['?', 'this help'],
];

export function Help() {
  const tone = useTone();
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>Keys</Text>
      {BINDINGS.map(([k, a]) => (
        <Text key={k}>
          <Text bold color={tone('accent')}>
            {k.padEnd(12)}
          </Text>
          {a}
        </Text>
      ))}
      <Text color={tone('dim')}>Press any key to close.</Text>
    </Box>
  );
}
