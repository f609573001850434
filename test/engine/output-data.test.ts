/** Output events that carry the command's bytes and decode them only when read. */
import { describe, expect, it } from 'vitest';
import {
  completeUtf8,
  outputBytes,
  withOutputBytes,
  withoutData,
} from '../../src/engine/output-data.ts';

describe('completeUtf8', () => {
  it('keeps whole characters and cuts before an incomplete one at the end', () => {
    const rocket = Buffer.from('a🚀'); // 61 f0 9f 9a 80
    for (let end = 1; end < rocket.length; end++) {
      expect(completeUtf8(rocket.subarray(0, end))).toBe(1);
    }
    expect(completeUtf8(rocket)).toBe(rocket.length);
    expect(completeUtf8(Buffer.from('ü'))).toBe(2);
    expect(completeUtf8(Buffer.from('ü').subarray(0, 1))).toBe(0);
    expect(completeUtf8(Buffer.alloc(0))).toBe(0);
  });

  it('counts malformed bytes as whole (the decoder replaces them wherever they are cut)', () => {
    expect(completeUtf8(Buffer.from([0x61, 0x80, 0x80]))).toBe(3);
    expect(completeUtf8(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80]))).toBe(5);
  });
});

describe('withOutputBytes', () => {
  it('serves the same bytes, decodes data on first read, and serializes like a plain event', () => {
    const bytes = Buffer.from('héllo\n');
    const event = withOutputBytes({ type: 'output', host: 'h1', stream: 'stdout' }, bytes);
    expect(outputBytes(event)).toBe(bytes);
    expect(event.data).toBe('héllo\n');
    expect(JSON.parse(JSON.stringify(event))).toEqual({
      type: 'output',
      host: 'h1',
      stream: 'stdout',
      data: 'héllo\n',
    });
    expect({ ...event }).toEqual({ type: 'output', host: 'h1', stream: 'stdout', data: 'héllo\n' });
  });

  it('withoutData copies the other fields without reading data', () => {
    let reads = 0;
    const event = Object.defineProperty({ type: 'output', host: 'h1' }, 'data', {
      get: () => {
        reads++;
        return 'x';
      },
      enumerable: true,
    }) as { type: string; host: string; data: string };
    expect(withoutData(event)).toEqual({ type: 'output', host: 'h1' });
    expect(reads).toBe(0);
  });

  it('an event without bytes is encoded once', () => {
    const event = { data: 'grüße' };
    const first = outputBytes(event);
    expect(first.toString()).toBe('grüße');
    expect(outputBytes(event)).toBe(first);
  });
});
