/**
 * The question the engine is waiting on, for each kind of decision. Answers go back through the
 * {@link Pending} of the TUI decider; nothing here runs anything.
 */
import { Box, Text, useInput } from 'ink';
import SelectInput from 'ink-select-input';
import TextInput from 'ink-text-input';
import { useEffect, useState } from 'react';
import type { Pending } from '../decider.ts';
import { clip, useTone } from '../theme.ts';
import { Footer, type KeyHint } from './footer.tsx';
import { Indicator } from './indicator.tsx';
import { Previews } from './previews.tsx';

type Mode =
  | { kind: 'menu' }
  | { kind: 'reason'; action: 'skip' | 'override' | 'mark-done' }
  | { kind: 'typing' };

export interface DecisionProps {
  pending: Pending;
  width: number;
  /** Most lines of previews (diffs) drawn with a confirmation. */
  previewLines?: number;
  /** Opens the full output of the failed step. */
  onOpenOutput: (step: string) => void;
  /** The operator chose quit: the run is paused and saved. */
  onQuit: () => void;
  /** Told whether a text box has the keyboard (so `?` and `q` are typed, not keys). */
  onTyping?: (typing: boolean) => void;
  /** Whether this panel owns the keyboard (false while help or a prompt is open). */
  active: boolean;
}

const REASON_LABEL = {
  skip: 'Reason to skip (recorded)',
  override: 'Reason to override (recorded)',
  'mark-done': 'Reason to mark it done (recorded)',
} as const;

export function Decision(p: DecisionProps) {
  const tone = useTone();
  const r = p.pending.request;
  const startsTyping =
    r.kind === 'confirm-destructive' ||
    r.kind === 'secret' ||
    r.kind === 'passphrase' ||
    r.kind === 'sudo-password';
  const [mode, setMode] = useState<Mode>(startsTyping ? { kind: 'typing' } : { kind: 'menu' });
  const [text, setText] = useState('');
  const [problem, setProblem] = useState('');
  const answer = p.pending.answer;
  const { onTyping } = p;
  useEffect(() => onTyping?.(mode.kind !== 'menu'), [mode.kind, onTyping]);
  const quit = () => {
    answer({ action: 'quit' });
    p.onQuit();
  };

  const keys: KeyHint[] = [];
  if (mode.kind === 'reason') keys.push(['Enter', 'record'], ['Esc', 'cancel']);
  else if (mode.kind === 'typing')
    keys.push(
      ['Enter', 'submit'],
      ['Esc', r.kind === 'confirm-destructive' ? 'other choices' : 'abort'],
    );
  else {
    switch (r.kind) {
      case 'confirm':
        keys.push(['y', 'run'], ['s', 'skip']);
        if (r.previews) keys.push(['o', 'full preview']);
        keys.push(['a', 'abort'], ['q', 'quit']);
        break;
      case 'confirm-destructive':
        keys.push(['t', 'type the phrase'], ['s', 'skip']);
        if (r.previews) keys.push(['o', 'full preview']);
        keys.push(['a', 'abort'], ['q', 'quit']);
        break;
      case 'choose':
        keys.push(['↑↓', 'move'], ['Enter', 'pick'], ['a', 'abort'], ['q', 'quit']);
        break;
      case 'override':
        keys.push(
          ['r', 're-check'],
          ['o', 'override'],
          ['←→↑↓', 'evidence'],
          ['a', 'abort'],
          ['q', 'quit'],
        );
        break;
      case 'after-failure':
        keys.push(
          ['r', 'retry'],
          ['s', 'skip'],
          ['o', 'full output'],
          ['a', 'abort'],
          ['q', 'quit'],
        );
        break;
      case 'interrupted':
        keys.push(['r', 're-run'], ['m', 'mark done'], ['a', 'abort'], ['q', 'quit']);
        break;
      case 'manual':
        keys.push(['d', 'done'], ['s', 'skip'], ['a', 'abort'], ['q', 'quit']);
        break;
      case 'host-keys':
        keys.push(['y', 'accept all'], ['n', 'reject']);
        break;
      default:
        break;
    }
  }

  useInput(
    (input, key) => {
      if (mode.kind !== 'menu') {
        if (key.escape) {
          if (mode.kind === 'typing' && r.kind !== 'confirm-destructive')
            return answer({ action: 'abort' });
          setText('');
          setProblem('');
          setMode({ kind: 'menu' });
        }
        return;
      }
      const canQuit = !['secret', 'host-keys', 'passphrase', 'sudo-password'].includes(r.kind);
      if (input === 'q' && canQuit) return quit();
      if (input === 'a' && r.kind !== 'host-keys') return answer({ action: 'abort' });
      switch (r.kind) {
        case 'confirm':
          if (input === 'y') answer({ action: 'run' });
          if (input === 's') setMode({ kind: 'reason', action: 'skip' });
          if (input === 'o' && r.previews) p.onOpenOutput(r.step);
          break;
        case 'confirm-destructive':
          if (input === 't') setMode({ kind: 'typing' });
          if (input === 's') setMode({ kind: 'reason', action: 'skip' });
          if (input === 'o' && r.previews) p.onOpenOutput(r.step);
          break;
        case 'override':
          if (input === 'o') setMode({ kind: 'reason', action: 'override' });
          // Fixed it on the host? Run the check again instead of overriding it.
          if (input === 'r') answer({ action: 'recheck' });
          break;
        case 'after-failure':
          if (input === 'r') answer({ action: 'retry' });
          if (input === 's') setMode({ kind: 'reason', action: 'skip' });
          if (input === 'o') p.onOpenOutput(r.step);
          break;
        case 'interrupted':
          if (input === 'r') answer({ action: 'rerun' });
          if (input === 'm') setMode({ kind: 'reason', action: 'mark-done' });
          break;
        case 'manual':
          if (input === 'd') answer({ action: 'done' });
          if (input === 's') setMode({ kind: 'reason', action: 'skip' });
          break;
        case 'host-keys':
          if (input === 'y') answer({ action: 'accept', accepted: r.hosts.map((h) => h.host) });
          if (input === 'n') answer({ action: 'abort' });
          break;
        default:
          break;
      }
    },
    { isActive: p.active },
  );

  const submitReason = (action: 'skip' | 'override' | 'mark-done') => {
    const reason = text.trim();
    if (reason === '')
      return setProblem('A reason is needed; it goes into the journal and the report.');
    answer({ action, reason });
  };
  const submitTyped = () => {
    if (r.kind === 'confirm-destructive') {
      if (text !== r.phrase)
        return setProblem(`That is not “${r.phrase}”. Type it exactly, or Esc.`);
      return answer({ action: 'run', typed: text });
    }
    if (text === '') return setProblem('Type a value, or Esc to abort.');
    answer({ action: 'value', value: text });
  };

  let body: React.ReactNode = null;
  switch (r.kind) {
    case 'confirm':
      body = (
        <Box flexDirection="column">
          <Text>
            Run <Text bold>{r.title}</Text> on {r.hosts.join(', ') || 'this machine'}?{' '}
            <Text color={tone('warn')}>It changes things.</Text>
          </Text>
        </Box>
      );
      break;
    case 'confirm-destructive':
      body = (
        <Box flexDirection="column">
          <Text color={tone('bad')} wrap="wrap">
            <Text bold>{r.title}</Text> is destructive on {r.hosts.join(', ')}. Type{' '}
            <Text bold>{r.phrase}</Text> to run it.
          </Text>
        </Box>
      );
      break;
    case 'choose':
      body = (
        <Box flexDirection="column">
          <Text bold>{r.prompt}</Text>
          {r.items.length === 0 ? <Text color={tone('bad')}>The list is empty.</Text> : null}
          <SelectInput
            indicatorComponent={Indicator}
            items={r.items.map((i) => ({
              key: i.value,
              label: clip(i.label, p.width - 4),
              value: i.value,
            }))}
            isFocused={p.active && mode.kind === 'menu'}
            limit={8}
            onSelect={(item) => answer({ action: 'pick', value: item.value })}
          />
        </Box>
      );
      break;
    case 'override':
      body = (
        <Text color={tone('bad')} wrap="wrap">
          Check <Text bold>{r.check}</Text> failed{r.step ? ` before step ${r.step}` : ''}:{' '}
          {r.title}.{r.step ? ' It blocks this step.' : ''} Override it only with a reason.
        </Text>
      );
      break;
    case 'after-failure':
      body = (
        <Box flexDirection="column">
          <Text color={tone('bad')}>
            <Text bold>{r.title}</Text> failed.
          </Text>
          {r.failures.slice(0, 4).map((f) => (
            <Text key={f.host} wrap="truncate-end">
              {'  '}
              {f.host}: {clip(f.message.split('\n')[0] ?? '', p.width - f.host.length - 4)}
            </Text>
          ))}
        </Box>
      );
      break;
    case 'interrupted':
      body = (
        <Text wrap="wrap">
          <Text bold>{r.title}</Text> was interrupted last time. Its verification now says:{' '}
          <Text bold>{r.verification}</Text>.
        </Text>
      );
      break;
    case 'manual':
      body = (
        <Box flexDirection="column">
          <Text bold>Do this by hand, then press d:</Text>
          <Text wrap="wrap">{r.instructions}</Text>
        </Box>
      );
      break;
    case 'host-keys':
      body = (
        <Box flexDirection="column">
          <Text bold>Unknown host keys (they will be added to {r.knownHostsFile}):</Text>
          {r.hosts.map((h) => (
            <Text key={h.host} wrap="truncate-end">
              {'  '}
              {h.host} {h.address} {h.keyType} {h.fingerprint}
            </Text>
          ))}
        </Box>
      );
      break;
    case 'secret':
      body = (
        <Text>
          Secret {r.name}: {r.description}
        </Text>
      );
      break;
    case 'passphrase':
      body = (
        <Text>
          Passphrase for {r.keyFile} ({r.host})
        </Text>
      );
      break;
    case 'sudo-password':
      body = (
        <Text>
          sudo password for {r.user}@{r.host}
        </Text>
      );
      break;
  }

  // What a confirmed step will change (its `preview`), under either kind of confirmation.
  const previews =
    r.kind === 'confirm' || r.kind === 'confirm-destructive' ? r.previews : undefined;
  const masked = r.kind === 'secret' || r.kind === 'passphrase' || r.kind === 'sudo-password';
  return (
    <Box flexDirection="column" borderStyle="single" borderColor={tone('accent')} paddingX={1}>
      {body}
      {previews ? (
        <Previews previews={previews} width={p.width} maxLines={p.previewLines ?? 14} />
      ) : null}
      {mode.kind === 'reason' ? (
        <Box>
          <Text>{REASON_LABEL[mode.action]}: </Text>
          <TextInput
            value={text}
            onChange={setText}
            focus={p.active}
            onSubmit={() => submitReason(mode.action)}
          />
        </Box>
      ) : null}
      {mode.kind === 'typing' ? (
        <Box>
          <Text>{r.kind === 'confirm-destructive' ? 'Phrase' : 'Value'}: </Text>
          <TextInput
            value={text}
            onChange={setText}
            focus={p.active}
            onSubmit={submitTyped}
            {...(masked ? { mask: '•' } : {})}
          />
        </Box>
      ) : null}
      {problem ? <Text color={tone('bad')}>{problem}</Text> : null}
      <Footer keys={keys} />
    </Box>
  );
}
