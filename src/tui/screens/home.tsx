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
import { Indicator } from '../components/indicator.tsx';
import { clip, useTone } from '../theme.ts';

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
      }));
    // Grouped by system: the system's name heads its first runbook, blank under it.
    const sysW = Math.max(6, ...(p.groups ?? []).map((g) => g.system.length + 2));
    // Titles line up after the longest runbook name (within reason: a third of the screen).
    const nameW = Math.min(
      Math.max(
        12,
        ...(p.groups ?? []).flatMap((g) => g.runbooks.map((r) => r.id.length - g.system.length)),
      ),
      Math.floor(p.width / 3),
    );
    const books = (p.groups ?? []).flatMap((g) =>
      g.runbooks
        .filter((r) => match(r.id, p.titles[r.id], g.system))
        .map((r, i) => ({
          key: `rb:${r.id}`,
          value: { kind: 'runbook', id: r.id } as HomeChoice,
          label: `${(i === 0 ? g.system : '').padEnd(sysW)}${r.id.slice(g.system.length + 1).padEnd(nameW)} ${p.titles[r.id] ?? ''}`,
        })),
    );
    return { runs, books, sysW };
  }, [filter, p.unfinished, p.groups, p.titles, p.width]);

  const all = [...items.runs, ...items.books];
  const limit = Math.max(3, p.height - 8);
  // Items moved when the filter changed; start again from the top.
  const [listKey, setListKey] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new list when its length changes
  useEffect(() => setListKey((k) => k + 1), [all.length]);

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
      {p.groups !== null && all.length === 0 ? (
        <Text color={tone('dim')}>No runbook matches “{filter}”.</Text>
      ) : null}
      {items.runs.length > 0 ? (
        <Text bold color={tone('info')}>
          Unfinished runs (Enter resumes), then runbooks
        </Text>
      ) : (
        <Text bold color={tone('info')}>
          {'System'.padEnd(items.sysW + 2)}Runbook
        </Text>
      )}
      <SelectInput
        indicatorComponent={Indicator}
        key={listKey}
        items={all}
        isFocused={!filtering}
        limit={limit}
        onSelect={(item) => p.onPick(item.value)}
        itemComponent={({ isSelected, label }) => (
          <Text inverse={isSelected} wrap="truncate-end">
            {clip(label, p.width - 4)}
          </Text>
        )}
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
