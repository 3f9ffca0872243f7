import { describe, expect, test } from 'vitest';
import type { WordTiming } from '../../src/main/services/speech/speech-types.ts';
import {
  alignmentJson,
  audioTagRanges,
  blankRanges,
  characterTimes,
  planChunks,
} from './alignment.ts';

function word(text: string, charStart: number, startMs: number, endMs: number): WordTiming {
  return { text, charStart, charEnd: charStart + text.length, startMs, endMs };
}

describe('characterTimes', () => {
  test('word characters share the word, gap characters share the gap', () => {
    const text = 'Hi, you.';
    const words = [word('Hi', 0, 100, 300), word('you', 4, 500, 800)];
    const { startMs, endMs } = characterTimes(text, words, 1000);
    expect([...startMs]).toEqual([100, 200, 300, 400, 500, 600, 700, 800]);
    expect([...endMs]).toEqual([200, 300, 400, 500, 600, 700, 800, 1000]);
  });

  test('leading characters start at 0; zero-length ranges take no time where they sit', () => {
    const text = '[laughs] Hi';
    const tags = audioTagRanges(text);
    expect(tags).toEqual([{ start: 0, end: 8 }]);
    const { startMs, endMs } = characterTimes(text, [word('Hi', 9, 40, 240)], 240, tags);
    for (let index = 0; index < 8; index++) {
      expect(startMs[index]).toBe(0);
      expect(endMs[index]).toBe(0);
    }
    expect([startMs[8], endMs[8]]).toEqual([0, 40]);
    expect([startMs[10], endMs[10]]).toEqual([140, 240]);
  });
});

describe('audio tags', () => {
  test('are found and blanked without moving offsets', () => {
    const text = 'So [short pause] yes [laughs].';
    const tags = audioTagRanges(text);
    expect(tags.map((tag) => text.slice(tag.start, tag.end))).toEqual([
      '[short pause]',
      '[laughs]',
    ]);
    const blanked = blankRanges(text, tags);
    expect(blanked).toHaveLength(text.length);
    expect(blanked).toBe(`So ${' '.repeat(13)} yes ${' '.repeat(8)}.`);
  });
});

describe('planChunks', () => {
  test('cuts speech into chunkMs pieces plus a silent tail; characters go where they start', () => {
    const pcm = new Int16Array(16 * 600).fill(7); // 600 ms at 16 kHz
    const characterStartMs = Float64Array.from([0, 100, 249, 250, 599, 600]);
    const chunks = planChunks({
      pcm,
      sampleRateHz: 16000,
      chunkMs: 250,
      tailSilenceMs: 100,
      characterStartMs,
    });
    expect(chunks.map((chunk) => chunk.pcm.length)).toEqual([4000, 4000, 1600, 1600]);
    expect(chunks.map((chunk) => chunk.audioStartMs)).toEqual([0, 250, 500, 600]);
    expect(chunks.map((chunk) => [chunk.characterStart, chunk.characterEnd])).toEqual([
      [0, 3],
      [3, 4],
      [4, 6],
      [6, 6],
    ]);
    expect(chunks.at(-1)?.pcm.every((sample) => sample === 0)).toBe(true);
  });

  test('with no speech, the tail carries every character', () => {
    const chunks = planChunks({
      pcm: new Int16Array(0),
      sampleRateHz: 16000,
      chunkMs: 250,
      tailSilenceMs: 100,
      characterStartMs: new Float64Array(3),
    });
    expect(chunks.map((chunk) => [chunk.characterStart, chunk.characterEnd])).toEqual([[0, 3]]);
  });
});

describe('alignmentJson', () => {
  test('one entry per UTF-16 code unit, seconds with millisecond precision; empty is null', () => {
    const text = 'a😀';
    const times = {
      startMs: Float64Array.from([0, 10.4, 20]),
      endMs: Float64Array.from([10.4, 20, 30.6]),
    };
    const json = alignmentJson(text, times, 0, 3);
    expect(json?.characters).toHaveLength(3);
    expect(json?.characters.join('')).toBe(text);
    expect(json?.character_start_times_seconds).toEqual([0, 0.01, 0.02]);
    expect(json?.character_end_times_seconds).toEqual([0.01, 0.02, 0.031]);
    expect(alignmentJson(text, times, 1, 1)).toBeNull();
    expect(alignmentJson(text, times, 0, 1, () => true)).toBeNull();
  });
});
