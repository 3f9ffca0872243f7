import { describe, expect, it } from 'vitest';
import { ProgramAudioTrack } from './slide-audio.ts';

function collect() {
  const blocks: { at: number; samples: number[] }[] = [];
  const track = new ProgramAudioTrack(async (samples, at) => {
    blocks.push({ at, samples: [...samples] });
    await Promise.resolve();
  }, 4);
  return { blocks, track };
}

describe('ProgramAudioTrack', () => {
  it('places speech at its sample, with silence before it, in contiguous blocks', async () => {
    const { blocks, track } = collect();
    await track.speechAt(6, new Float32Array([1, 2, 3, 4, 5]));
    await track.silenceUntil(13);
    expect(blocks.map((block) => block.at)).toEqual([0, 4, 6, 10, 11]);
    expect(blocks.flatMap((block) => block.samples)).toEqual([
      0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 0, 0,
    ]);
    expect(track.writtenSamples).toBe(13);
  });

  it('drops the first samples of speech that would overlap what is written', async () => {
    const { blocks, track } = collect();
    await track.speechAt(0, new Float32Array([1, 2, 3]));
    await track.speechAt(2, new Float32Array([7, 8, 9]));
    expect(blocks.flatMap((block) => block.samples)).toEqual([1, 2, 3, 8, 9]);
  });
});
