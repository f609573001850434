/**
 * A runbook before it runs: summary, source procedure, roles and their hosts, the steps with
 * their risk, and the form (inventory, then parameters; secrets masked and never prefilled).
 */
import { Box, Text, useInput } from 'ink';
import TextInput from 'ink-text-input';
import { useState } from 'react';
import type { Overview } from '../backend.ts';
import { Footer } from '../components/footer.tsx';
import { clip, RISK_TONE, useTone } from '../theme.ts';

export interface OverviewProps {
  overview: Overview | null;
  runbookId: string;
  inventory: string;
  recent: string[];
  width: number;
  height: number;
  error?: string;
  /** Reloads the overview for another inventory, keeping typed values. */
  onInventory: (path: string, values: Record<string, string>) => void;
  onStart: (inventory: string, values: Record<string, string>) => void;
  onBack: () => void;
}

export function OverviewScreen(p: OverviewProps) {
  const tone = useTone();
  const fields = p.overview?.fields ?? [];
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, f.value])),
  );
  const [inventory, setInventory] = useState(p.inventory);
  // 0 = inventory, 1..n = parameters, n+1 = Start.
  const [focus, setFocus] = useState(() => {
    const empty = fields.findIndex((f) => !f.spec.optional && (values[f.name] ?? '') === '');
    return p.inventory === '' ? 0 : empty >= 0 ? empty + 1 : fields.length + 1;
  });
  const [recentAt, setRecentAt] = useState(-1);
  const last = fields.length + 1;

  const leaveInventory = () => {
    if (inventory !== p.inventory) p.onInventory(inventory, values);
  };
  const move = (to: number) => {
    if (focus === 0 && to !== 0) leaveInventory();
    setFocus(Math.max(0, Math.min(last, to)));
  };

  // Always subscribed (toggling a subscription waits for React's effects); guarded inside.
  useInput(
    (input, key) => {
      if (key.escape) return p.onBack();
      // Until the runbook has loaded there is no form to answer.
      if (p.overview === null && p.error === undefined) return;
      if (key.upArrow || (key.tab && key.shift)) return move(focus - 1);
      if (key.downArrow || key.tab) return move(focus + 1);
      if (key.ctrl && input === 'n' && focus === 0 && p.recent.length > 0) {
        const next = (recentAt + 1) % p.recent.length;
        setRecentAt(next);
        setInventory(p.recent[next] ?? '');
        return;
      }
      if (key.return) {
        if (focus === 0) {
          leaveInventory();
          return setFocus(1);
        }
        if (focus === last) return p.onStart(inventory, values);
        return move(focus + 1);
      }
      // Until the runbook has loaded there is no form to answer; Esc still goes back.
    },
    { isActive: true },
  );

  const o = p.overview;
  const spec = o?.runbook.spec;
  const w = p.width;
  // Everything must fit the screen (Ink cannot scroll): the form comes first, since it is what
  // the operator acts on; the outline gets what is left, and long lists show a window.
  const roles = spec ? Object.keys(spec.roles).length : 0;
  const avail = Math.max(4, p.height - (12 + roles + (p.error ? 2 : 0)));
  const steps = spec?.steps ?? [];
  const fieldRows = Math.min(fields.length, Math.max(3, avail - Math.min(steps.length, 4)));
  const stepRows = Math.max(1, avail - fieldRows);
  const shownSteps = steps.length <= stepRows ? steps : steps.slice(0, Math.max(0, stepRows - 1));
  const firstField = Math.min(
    Math.max(0, focus - 1 - Math.floor(fieldRows / 2)),
    fields.length - fieldRows,
  );
  const shownFields = fields.slice(firstField, firstField + fieldRows);
  return (
    <Box flexDirection="column" width={w}>
      <Text bold wrap="truncate-end">
        {spec?.title ?? p.runbookId} <Text color={tone('dim')}>({p.runbookId})</Text>
      </Text>
      {spec ? (
        <>
          <Text wrap="wrap">
            {/* On a short screen the summary gets two lines, so the form stays in view. */}
            {p.height < 30 ? clip(spec.summary, w * 2 - 8) : spec.summary}
          </Text>
          <Text color={tone('dim')} wrap="truncate-end">
            Source: {spec.source.document}
            {spec.source.section ? ` § ${spec.source.section}` : ''}
          </Text>
          {Object.keys(spec.roles).map((role) => (
            <Text key={role} wrap="truncate-end">
              Role {role}:{' '}
              {o.roleHosts[role]?.length ? (
                o.roleHosts[role].join(', ')
              ) : (
                <Text color={tone('warn')}>no hosts (choose an inventory)</Text>
              )}
            </Text>
          ))}
          <Text bold>Steps</Text>
          {shownSteps.map((s, i) => (
            <Text key={s.id} wrap="truncate-end">
              {String(i + 1).padStart(2)}. {clip(s.title, w - 20).padEnd(Math.min(50, w - 20))}{' '}
              <Text color={tone(RISK_TONE[s.risk])}>{s.risk}</Text>
            </Text>
          ))}
          {shownSteps.length < steps.length ? (
            <Text color={tone('dim')} wrap="truncate-end">
              {'    '}… {steps.length - shownSteps.length} more of {steps.length} steps (
              {riskCounts(steps.slice(shownSteps.length))}); a taller terminal shows them all
            </Text>
          ) : null}
        </>
      ) : (
        <Text>Loading…</Text>
      )}
      <Text bold>Run with</Text>
      <Field label="inventory" focused={focus === 0}>
        <TextInput
          value={inventory}
          onChange={setInventory}
          focus={focus === 0}
          placeholder="path to an Ansible inventory"
        />
      </Field>
      {shownFields.map((f, k) => {
        const i = firstField + k;
        return (
          <Field key={f.name} label={f.name} focused={focus === i + 1}>
            <TextInput
              value={values[f.name] ?? ''}
              onChange={(v) => setValues((old) => ({ ...old, [f.name]: v }))}
              focus={focus === i + 1}
              placeholder={
                f.spec.secret
                  ? 'secret: typed, never saved'
                  : f.spec.optional
                    ? 'optional'
                    : 'required'
              }
              {...(f.spec.secret ? { mask: '•' } : {})}
            />
          </Field>
        );
      })}
      <Text inverse={focus === last} bold>
        {' '}
        Start{' '}
      </Text>
      {p.error ? (
        <Text color={tone('bad')} wrap="wrap">
          {p.error}
        </Text>
      ) : null}
      {focus > 0 && focus < last && fields[focus - 1] ? (
        <Text color={tone('dim')} wrap="truncate-end">
          {fields[focus - 1]?.spec.description}
        </Text>
      ) : null}
      <Footer
        keys={[
          ['↑↓/Tab', 'field'],
          ...(focus === 0 && p.recent.length > 0 ? ([['^N', 'recent inventory']] as const) : []),
          ['Enter', focus === last ? 'start' : 'next'],
          ['Esc', 'back'],
        ]}
      />
    </Box>
  );
}

/** "3 read-only, 2 changes, 1 destructive" for the steps not listed. */
function riskCounts(steps: readonly { risk: string }[]): string {
  const counts = new Map<string, number>();
  for (const s of steps) counts.set(s.risk, (counts.get(s.risk) ?? 0) + 1);
  return [...counts].map(([risk, n]) => `${n} ${risk}`).join(', ');
}

function Field(p: { label: string; focused: boolean; children: React.ReactNode }) {
  const tone = useTone();
  return (
    <Box>
      <Text color={p.focused ? tone('accent') : undefined} bold={p.focused}>
        {p.focused ? '› ' : '  '}
        {p.label.padEnd(14)}
      </Text>
      {p.children}
    </Box>
  );
}
