import { describe, expect, it } from 'vitest';
import {
  chapterFor,
  etaMs,
  firstFrameAtOrAfter,
  frameCountFor,
  frameTimestampUs,
  framesOf,
  sampleAt,
} from './export-timeline.ts';

describe('export timeline', () => {
  it('gives N frames for N frame intervals of program, rounding a partial frame up', () => {
    expect(frameCountFor(10_000, 25)).toBe(250);
    expect(frameCountFor(10_001, 25)).toBe(251);
    expect(frameCountFor(9_999, 25)).toBe(250);
    expect(frameCountFor(0, 25)).toBe(0);
    // 30 fps: 1 s is exactly 30 frames even though 1000/30 is not a float-exact number.
    expect(frameCountFor(1000, 30)).toBe(30);
    expect(frameCountFor((7 * 1000) / 30, 30)).toBe(7);
  });

  it('puts a slide on air on the first frame at or after its start', () => {
    expect(firstFrameAtOrAfter(40, 25)).toBe(1);
    expect(firstFrameAtOrAfter(40.0001, 25)).toBe(2);
    expect(firstFrameAtOrAfter(39.9, 25)).toBe(1);
    // Sums of sample-exact durations carry float noise; it must not push a slide a frame late.
    const startMs = [0.1, 0.2, 39.7].reduce((sum, value) => sum + value, 0);
    expect(firstFrameAtOrAfter(startMs, 25)).toBe(1);
  });

  it('tiles the frames: consecutive slides share no frame and leave none out', () => {
    const durationsMs = [1234.5625, 40, 10, 2999.9375, 500];
    let startMs = 0;
    let nextFrame = 0;
    for (const [index, durationMs] of durationsMs.entries()) {
      const span = { index, startMs, endMs: startMs + durationMs };
      const frames = framesOf(span, 25);
      expect(frames.first).toBe(nextFrame);
      nextFrame = frames.end;
      startMs = span.endMs;
    }
    expect(nextFrame).toBe(frameCountFor(startMs, 25));
  });

  it('starts each chapter on its slide first frame, and skips a slide that gets no frame', () => {
    expect(chapterFor({ index: 1, startMs: 1234.5, endMs: 3000 }, 'Two', 25)).toEqual({
      startMs: 1240,
      title: 'Two',
    });
    expect(chapterFor({ index: 2, startMs: 1241, endMs: 1260 }, 'Blink', 25)).toBeNull();
  });

  it('rounds timestamps per frame so they never drift', () => {
    expect(frameTimestampUs(1, 30)).toBe(33_333);
    expect(frameTimestampUs(2, 30)).toBe(66_667);
    expect(frameTimestampUs(90_000, 30)).toBe(3_000_000_000);
    expect(sampleAt(1000 / 3, 48_000)).toBe(16_000);
  });

  it('estimates time left from the rate so far', () => {
    expect(etaMs(0, 10_000, 1000)).toBeNull();
    expect(etaMs(2000, 10_000, 100)).toBeNull();
    expect(etaMs(4000, 10_000, 2000)).toBe(3000);
  });
});
