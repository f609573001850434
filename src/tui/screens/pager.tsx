/** The full output of a step, read back from the journal, one screen at a time. */
import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import { Footer } from '../components/footer.tsx';
import { clip, useTone } from '../theme.ts';

export function Pager(p: {
  title: string;
  lines: string[];
  width: number;
  height: number;
  onClose: () => void;
}) {
  const tone = useTone();
  const page = Math.max(1, p.height - 3);
  const maxTop = Math.max(0, p.lines.length - page);
  const [top, setTop] = useState(maxTop);
  useInput((input, key) => {
    if (key.escape || input === 'q') p.onClose();
    if (key.downArrow || input === 'j') setTop((t) => Math.min(maxTop, t + 1));
    if (key.upArrow || input === 'k') setTop((t) => Math.max(0, t - 1));
    if (key.pageDown || input === ' ') setTop((t) => Math.min(maxTop, t + page));
    if (key.pageUp || input === 'b') setTop((t) => Math.max(0, t - page));
    if (input === 'g') setTop(0);
    if (input === 'G') setTop(maxTop);
  });
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {p.title}{' '}
        <Text color={tone('dim')}>
          lines {Math.min(p.lines.length, top + 1)}–{Math.min(p.lines.length, top + page)} of{' '}
          {p.lines.length}
        </Text>
      </Text>
      {p.lines.slice(top, top + page).map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: position on the page
        <Text key={i} wrap="truncate-end">
          {clip(l, p.width)}
        </Text>
      ))}
      <Footer
        keys={[
          ['↑↓/jk', 'line'],
          ['PgUp/PgDn', 'page'],
          ['g/G', 'top/end'],
          ['Esc/q', 'back'],
        ]}
      />
    </Box>
  );
}
