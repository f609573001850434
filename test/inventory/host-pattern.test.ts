import { describe, expect, it } from 'vitest';
import { expandHostPattern } from '../../src/inventory/host-pattern.ts';

describe('expandHostPattern', () => {
  it('leaves plain names alone', () => {
    expect(expandHostPattern('db1.example.com')).toEqual(['db1.example.com']);
  });

  it('expands numeric ranges, keeping a leading zero width', () => {
    expect(expandHostPattern('web[08:11].lan')).toEqual([
      'web08.lan',
      'web09.lan',
      'web10.lan',
      'web11.lan',
    ]);
    expect(expandHostPattern('n[1:3]')).toEqual(['n1', 'n2', 'n3']);
  });

  it('expands letters, strides and several ranges', () => {
    expect(expandHostPattern('db-[a:c]')).toEqual(['db-a', 'db-b', 'db-c']);
    expect(expandHostPattern('x[0:10:5]')).toEqual(['x0', 'x5', 'x10']);
    expect(expandHostPattern('r[1:2]c[a:b]')).toEqual(['r1ca', 'r1cb', 'r2ca', 'r2cb']);
  });

  it('rejects ranges it cannot expand', () => {
    expect(() => expandHostPattern('x[3:1]')).toThrow('empty range [3:1] in x[3:1]');
    expect(() => expandHostPattern('x[1:b]')).toThrow('bad range [1:b]');
    expect(() => expandHostPattern('x[1:5:0]')).toThrow('bad stride "0"');
  });
});
