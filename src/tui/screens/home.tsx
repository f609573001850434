/**
 * Home: unfinished runs on top (Enter resumes), then the runbooks grouped by system, picked with
 * ink-select-input and narrowed with a type-to-filter box (`/`).
 */
import { Box, Text, useInput } from 'ink';
import SelectInput from 'ink-select-input';
import TextInput from 'ink-text-input';
import { useEffect, useMemo, useState } from 'react';
import type { ListedRun } from '../../store/list-runs.ts';
import type { RunbookGroup } from '../backend.ts';
import { Footer } from '../components/footer.tsx';
import { fit, useTone } from '../theme.ts';

/** What the operator picked. */
export type HomeChoice = { kind: 'resume'; runId: string } | { kind: 'runbook'; id: string };

export interface HomeProps {
  groups: RunbookGroup[] | null;
  titles: Record<string, string>;
  unfinished: ListedRun[];
  width: number;
  height: number;
  error?: string;
  onPick: (choice: HomeChoice) => void;
  onQuit: () => void;
}

export function Home(p: HomeProps) {
  const tone = useTone();
  const [filter, setFilter] = useState('');
  const [filtering, setFiltering] = useState(false);

  useInput(
    (input, key) => {
      if (filtering) {
        if (key.escape || key.return) setFiltering(false);
        return;
      }
      if (input === '/') setFiltering(true);
      else if (key.escape && filter) setFilter('');
      else if (input === 'q' || key.escape) p.onQuit();
    },
    { isActive: true },
  );

  const items = useMemo(() => {
    const f = filter.toLowerCase();
    const match = (...texts: (string | undefined)[]) =>
      !f || texts.some((t) => t?.toLowerCase().includes(f));
    const runs = p.unfinished
      .filter((r) => match(r.runbook, r.title, r.runId))
      .map((r) => ({
        key: `run:${r.runId}`,
        value: { kind: 'resume', runId: r.runId } as HomeChoice,
        label: `↻ ${r.runbook}  started ${r.startedAt.slice(0, 16).replace('T', ' ')}  stopped at ${r.currentStep ?? '(start)'}`,
        header: undefined as string | undefined,
      }));
    const books = (p.groups ?? []).flatMap((g) =>
      g.runbooks
        .filter((r) => match(r.id, p.titles[r.id], g.system))
        .map((r, i) => ({
          key: `rb:${r.id}`,
          value: { kind: 'runbook', id: r.id } as HomeChoice,
          label: `${r.id.slice(g.system.length + 1).padEnd(14)} ${p.titles[r.id] ?? ''}`,
          header: i === 0 ? g.system : undefined,
        })),
    );
    if (runs[0]) runs[0].header = 'Unfinished runs';
    return [...runs, ...books];
  }, [filter, p.unfinished, p.groups, p.titles]);

  const headers = new Map(items.map((i) => [i.label, i.header]));
  const limit = Math.max(3, p.height - 7);
  // Items moved when the filter changed; start again from the top.
  const [listKey, setListKey] = useState(0);
  useEffect(() => setListKey((k) => k + 1), [items.length]);

  return (
    <Box flexDirection="column" width={p.width}>
      <Text bold>stepwise</Text>
      <Box>
        <Text color={tone('dim')}>Filter: </Text>
        {filtering ? (
          <TextInput value={filter} onChange={setFilter} focus={filtering} />
        ) : (
          <Text>{filter || <Text color={tone('dim')}>press / to type</Text>}</Text>
        )}
      </Box>
      {p.error ? <Text color={tone('bad')}>{p.error}</Text> : null}
      {p.groups === null ? <Text>Loading runbooks…</Text> : null}
      {p.groups !== null && items.length === 0 ? (
        <Text color={tone('dim')}>No runbook matches “{filter}”.</Text>
      ) : null}
      <SelectInput
        key={listKey}
        items={items.map(({ key, value, label }) => ({ key, value, label }))}
        isFocused={!filtering}
        limit={limit}
        onSelect={(item) => p.onPick(item.value)}
        itemComponent={({ isSelected, label }) => {
          const header = headers.get(label);
          return (
            <Box flexDirection="column">
              {header ? (
                <Text bold color={tone('info')}>
                  {header}
                </Text>
              ) : null}
              <Text inverse={isSelected} wrap="truncate-end">
                {fit(label, p.width - 4)}
              </Text>
            </Box>
          );
        }}
      />
      <Footer
        keys={
          filtering
            ? [
                ['type', 'filter'],
                ['Enter/Esc', 'done'],
              ]
            : [
                ['↑↓', 'move'],
                ['Enter', 'open'],
                ['/', 'filter'],
                ['?', 'help'],
                ['q', 'quit'],
              ]
        }
      />
    </Box>
  );
}
