/**
 * An output event's text, held as the bytes the command printed. On a chatty step nearly every
 * consumer wants bytes (the journal's output.log, plain stdout, the `--json` escape loop), so a
 * chunk is not decoded to a string and encoded back on its way through: a 30M-line step spent
 * a fifth of its CPU doing that. `data` is still there for whoever reads it (the TUI, tests,
 * JSON.stringify), decoded on first use.
 */
const encoded = new WeakMap<object, Buffer>();

/**
 * `fields` with a `data` property that decodes `bytes` on first read. `bytes` must end on a
 * character boundary (see `completeUtf8`), so decoding a chunk alone gives what decoding the
 * stream would. The caller gives up `bytes`: nothing may change them afterwards.
 */
export function withOutputBytes<T extends object>(fields: T, bytes: Buffer): T & { data: string } {
  let text: string | undefined;
  // An object literal's getter, not defineProperty on `fields`: that turns an object into a slow
  // dictionary, at ~10k events a second on a chatty step.
  const event = {
    ...fields,
    get data(): string {
      text ??= bytes.toString('utf8');
      return text;
    },
  };
  encoded.set(event, bytes);
  return event;
}

/** The bytes of `event.data`, encoded at most once per event; callers must not change them. */
export function outputBytes(event: { readonly data: string }): Buffer {
  let bytes = encoded.get(event);
  if (bytes === undefined) {
    bytes = Buffer.from(event.data, 'utf8');
    encoded.set(event, bytes);
  }
  return bytes;
}

/** The event's other fields, without reading (and so decoding) `data`. */
export function withoutData<T extends { data: string }>(event: T): Omit<T, 'data'> {
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(event)) {
    if (key !== 'data') rest[key] = event[key as keyof T];
  }
  return rest as Omit<T, 'data'>;
}

/**
 * How much of `bytes` is whole UTF-8 characters: the length, less an incomplete character at
 * the end (at most 3 bytes) that the next chunk completes. Anything malformed counts as whole:
 * the decoder replaces it the same wherever it is cut.
 */
export function completeUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = n - 1; i >= 0 && i >= n - 4; i--) {
    const b = bytes[i]!;
    if (b < 0x80) return n; // ASCII: whatever follows it was counted as complete above
    if (b < 0xc0) continue; // a continuation byte: look further back for its lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    return n - i < need ? i : n;
  }
  return n;
}
