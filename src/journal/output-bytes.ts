/**
 * An output event's text as UTF-8 bytes, encoded once per event: the journal writes them to
 * output.log and the plain renderer prefixes them for stdout, and on a chatty step encoding every
 * chunk twice was a measurable share of the run (two 32 KiB buffers per chunk for the GC).
 */
const encoded = new WeakMap<object, Buffer>();

/** The bytes of `event.data`; callers must not change them (they are shared). */
export function outputBytes(event: { readonly data: string }): Buffer {
  let bytes = encoded.get(event);
  if (bytes === undefined) {
    bytes = Buffer.from(event.data, 'utf8');
    encoded.set(event, bytes);
  }
  return bytes;
}
