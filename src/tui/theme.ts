/**
 * Colours, and the glyphs that carry meaning without them. With `NO_COLOR` set every colour is
 * dropped; status is still readable from ✓ ! ✗ and words, never from colour alone.
 */
import { createContext, useContext } from 'react';
import type { Risk } from '../runbook/schema.ts';

export type Tone = 'ok' | 'warn' | 'bad' | 'dim' | 'accent' | 'info';

const COLORS: Record<Tone, string> = {
  ok: 'green',
  warn: 'yellow',
  bad: 'red',
  dim: 'gray',
  accent: 'cyan',
  info: 'blue',
};

/** Whether colour is off: `NO_COLOR` set to anything but the empty string (no-color.org). */
export function noColorIn(env: NodeJS.ProcessEnv): boolean {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '';
}

export const NoColor = createContext(false);

/** A colour for a tone, or nothing when colour is off. */
export function useTone(): (tone: Tone) => string | undefined {
  const off = useContext(NoColor);
  return (tone) => (off ? undefined : COLORS[tone]);
}

export const RISK_TONE: Record<Risk, Tone> = {
  'read-only': 'ok',
  changes: 'warn',
  destructive: 'bad',
};

/** Glyph and tone for a check verdict or a step/host status. */
export function statusMark(status: string): { glyph: string; tone: Tone } {
  switch (status) {
    case 'pass':
    case 'ok':
    case 'succeeded':
      return { glyph: '✓', tone: 'ok' };
    case 'warn':
    case 'skipped':
    case 'waiting':
    case 'paused':
      return { glyph: '!', tone: 'warn' };
    case 'pending':
      return { glyph: '·', tone: 'dim' };
    case 'running':
      return { glyph: '…', tone: 'accent' };
    default:
      return { glyph: '✗', tone: 'bad' };
  }
}

/** `1.2s`, `3m04s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${m}m${String(s).padStart(2, '0')}s`;
}

/** Cuts a line to `width` columns with an ellipsis. */
export function clip(text: string, width: number): string {
  if (width <= 1) return text.slice(0, Math.max(0, width));
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
