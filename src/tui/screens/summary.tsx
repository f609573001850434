/**
 * The end of a run, from its journal: each step with status, duration and who confirmed it,
 * overrides and skips with their reasons, the journal's path and the report command.
 */
import { Box, Text, useInput } from 'ink';
import type { RunState } from '../../journal/run-state.ts';
import { Footer } from '../components/footer.tsx';
import { clip, formatDuration, statusMark, useTone } from '../theme.ts';

export interface SummaryProps {
  state: RunState;
  journal: string;
  error?: string;
  width: number;
  onHome: () => void;
  onQuit: () => void;
}

export function Summary(p: SummaryProps) {
  const tone = useTone();
  const s = p.state;
  useInput((input, key) => {
    if (input === 'q' || key.return) p.onQuit();
    if (key.escape || input === 'h') p.onHome();
  });
  const m = statusMark(s.status);
  return (
    <Box flexDirection="column" width={p.width}>
      <Text bold wrap="truncate-end">
        {s.title ?? s.runbook}: <Text color={tone(m.tone)}>{s.status}</Text>
      </Text>
      {p.error || s.error ? (
        <Text color={tone('bad')} wrap="wrap">
          {p.error ?? s.error}
        </Text>
      ) : null}
      {s.stepOrder.map((id) => {
        const st = s.steps[id];
        if (!st) return null;
        const sm = statusMark(st.status);
        return (
          <Text key={id} wrap="truncate-end">
            <Text color={tone(sm.tone)}>{sm.glyph}</Text>{' '}
            {clip(st.title ?? id, 40).padEnd(Math.min(41, p.width - 30))} {st.status.padEnd(11)}{' '}
            {formatDuration(st.durationMs).padStart(6)}
            {st.confirmedBy ? <Text color={tone('dim')}> by {st.confirmedBy}</Text> : null}
          </Text>
        );
      })}
      {s.overrides.map((o) => (
        <Text key={`${o.check}:${o.at}`} color={tone('warn')} wrap="wrap">
          Override {o.check}
          {o.step ? ` (before ${o.step})` : ''} by {o.by}: {o.reason}
        </Text>
      ))}
      {s.skips.map((k) => (
        <Text key={`${k.step}:${k.at}`} color={tone('warn')} wrap="wrap">
          Skipped {k.step}
          {k.by ? ` by ${k.by}` : ''}: {k.reason ?? 'no reason given'}
        </Text>
      ))}
      <Text wrap="wrap">Journal: {p.journal}</Text>
      {s.status === 'paused' || s.status === 'running' ? (
        <Text wrap="wrap">
          Paused at <Text bold>{s.currentStep ?? 'the start'}</Text>. Resume with: stepwise resume{' '}
          {s.runId}
        </Text>
      ) : null}
      <Text wrap="wrap">Report: stepwise report {s.runId}</Text>
      <Footer
        keys={[
          ['Enter/q', 'exit'],
          ['Esc', 'home'],
        ]}
      />
    </Box>
  );
}
