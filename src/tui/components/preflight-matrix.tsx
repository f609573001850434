/**
 * The preflight as a matrix of check × host: a spinner while a check runs, then ✓ ! ✗. The
 * selected cell's evidence is shown below it, so the operator can act without re-running.
 */
import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import type { CheckRow } from '../run-view.ts';
import { clip, statusMark, useTone } from '../theme.ts';

export interface MatrixProps {
  rows: CheckRow[];
  row: number;
  col: number;
  width: number;
  /** Rows of evidence to show at most. */
  evidenceLines: number;
}

/** Every host that appears in any row, in first-seen order. */
export function matrixHosts(rows: readonly CheckRow[]): string[] {
  return [...new Set(rows.flatMap((r) => r.hosts))];
}

export function PreflightMatrix(p: MatrixProps) {
  const tone = useTone();
  const hosts = matrixHosts(p.rows);
  const cellW = Math.max(3, Math.min(8, ...hosts.map((h) => h.length + 1)));
  const nameW = Math.max(12, Math.min(40, p.width - hosts.length * cellW - 2));
  const sel = p.rows[p.row];
  const selHost = hosts[p.col];
  const cell = sel && selHost ? sel.cells[selHost] : undefined;
  return (
    <Box flexDirection="column">
      <Text>
        <Text color={tone('dim')}>{''.padEnd(nameW)}</Text>
        {hosts.map((h) => (
          <Text key={h} color={tone('dim')}>
            {clip(h, cellW - 1).padEnd(cellW)}
          </Text>
        ))}
      </Text>
      {p.rows.map((r, ri) => (
        <Text key={r.check} wrap="truncate-end">
          <Text bold={ri === p.row}>
            {clip(r.gateFor ? `${r.check} (gate: ${r.gateFor})` : r.check, nameW - 1).padEnd(nameW)}
          </Text>
          {hosts.map((h, ci) => {
            const c = r.cells[h];
            const selected = ri === p.row && ci === p.col;
            if (!c) return <Text key={h}>{(selected ? '[ ]' : ' ').padEnd(cellW)}</Text>;
            if (c.status === 'running') {
              return (
                <Text key={h} color={tone('accent')}>
                  <Spinner type="dots" />
                  {''.padEnd(cellW - 1)}
                </Text>
              );
            }
            const m = statusMark(c.status);
            return (
              <Text key={h} color={tone(m.tone)} inverse={selected}>
                {m.glyph}
                {selected ? '' : ''}
                {''.padEnd(cellW - 1)}
              </Text>
            );
          })}
        </Text>
      ))}
      {sel && cell && cell.status !== 'running' ? (
        <Box flexDirection="column" marginTop={1}>
          <Text bold wrap="truncate-end">
            {sel.check} on {cell.host}: {cell.status}
          </Text>
          {[
            cell.message,
            ...Object.entries(cell.evidence)
              .filter(([, v]) => v !== undefined)
              .map(([k, v]) => `${k}: ${v}`),
          ]
            .filter((l) => l !== '')
            .slice(0, p.evidenceLines)
            .map((l, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: evidence lines have no identity
              <Text key={i} wrap="truncate-end">
                {'  '}
                {l}
              </Text>
            ))}
        </Box>
      ) : null}
    </Box>
  );
}
