import { describe, expect, it } from 'vitest';
import { concatInt16, int16Samples } from './pcm-samples.ts';

describe('pcm samples', () => {
  it('views aligned bytes without copying and copies unaligned ones', () => {
    const bytes = new Uint8Array([1, 0, 2, 0, 3, 0, 4]);
    const aligned = int16Samples(bytes);
    expect([...aligned]).toEqual([1, 2, 3]);
    expect(aligned.buffer).toBe(bytes.buffer);
    const unaligned = int16Samples(bytes.subarray(1));
    expect([...unaligned]).toEqual([512, 768, 1024]);
    expect(unaligned.buffer).not.toBe(bytes.buffer);
  });

  it('joins parts in order', () => {
    expect([...concatInt16([Int16Array.of(1, 2), Int16Array.of(), Int16Array.of(3)])]).toEqual([
      1, 2, 3,
    ]);
  });
});
