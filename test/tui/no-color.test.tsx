/** NO_COLOR: the same screen without a single colour code, status still readable from glyphs. */
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  // Colour on for this file, so that switching it off is what the test sees.
  process.env.FORCE_COLOR = '1';
});

import { noColorIn } from '../../src/tui/theme.ts';
import { cleanupWorlds, open, world } from './harness.ts';

afterEach(cleanupWorlds);

// SGR foreground colours 30–37, 90–97 and 38;…; bold (1) and inverse (7) are not colours.
const COLOUR = /\u001b\[(3[0-8]|9[0-7])[;m]/;

describe('NO_COLOR', () => {
  it('is read as no-color.org says: set and not empty', () => {
    expect(noColorIn({ NO_COLOR: '1' })).toBe(true);
    expect(noColorIn({ NO_COLOR: '' })).toBe(false);
    expect(noColorIn({})).toBe(false);
  });

  it('drops every colour and keeps the text', async () => {
    const w = world();
    const coloured = open(w, { kind: 'home' }, false);
    const a = await coloured.waitFor('Drill the TUI');
    coloured.unmount();
    expect(a).toMatch(COLOUR);

    const plain = open(w, { kind: 'home' }, true);
    const b = await plain.waitFor('Drill the TUI');
    plain.unmount();
    expect(b).not.toMatch(COLOUR);
    expect(b.replace(/\u001b\[[0-9;]*m/g, '')).toContain('Enter open');
  });
});
