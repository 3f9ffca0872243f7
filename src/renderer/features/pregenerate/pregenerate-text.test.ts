import { describe, expect, it } from 'vitest';
import type { PrepareProgressInfo as PregenerateProgress } from '../../../shared/ipc/contract.ts';
import {
  detailLine,
  failureLines,
  formatDuration,
  statusLine,
  summaryLine,
  warningLines,
} from './pregenerate-text.ts';

function progress(overrides: Partial<PregenerateProgress>): PregenerateProgress {
  return {
    state: 'running',
    phase: 'speech',
    slideIndex: 0,
    slidesDone: 0,
    slidesTotal: 11,
    slidesReady: 0,
    slidesFromCache: 0,
    fraction: 0,
    speechMsDone: 0,
    speechMsTotalEstimate: 0,
    elapsedMs: 0,
    etaMs: null,
    speechCached: 0,
    avatarCached: 0,
    avatarMade: 0,
    failures: [],
    warnings: [],
    ...overrides,
  };
}

describe('Prepare panel text', () => {
  it('says where the run is and how long is left', () => {
    expect(statusLine(progress({ slideIndex: 3, phase: 'speech', etaMs: 12_400 }))).toBe(
      'Slide 4 of 11 · speech · 00:12 left',
    );
    expect(statusLine(progress({ slideIndex: 0, phase: 'avatar', etaMs: null }))).toBe(
      'Slide 1 of 11 · avatar · estimating time left',
    );
  });

  it('details speech time, cache and failures', () => {
    expect(
      detailLine(
        progress({
          speechMsDone: 45_000,
          speechMsTotalEstimate: 190_000,
          slidesFromCache: 3,
          avatarMade: 1,
        }),
      ),
    ).toBe('Speech 00:45 of ~03:10 · 3 from cache · 1 avatar segment made');
  });

  it('sums up a finished run', () => {
    expect(
      summaryLine(
        progress({
          state: 'done',
          slidesDone: 11,
          slidesReady: 11,
          slidesFromCache: 8,
          elapsedMs: 3_240,
        }),
      ),
    ).toBe('11 slides ready (8 from cache) in 3.2 s');
    expect(
      summaryLine(
        progress({
          state: 'done',
          slidesTotal: 1,
          slidesDone: 1,
          slidesReady: 1,
          elapsedMs: 75_000,
        }),
      ),
    ).toBe('1 slide ready (0 from cache) in 01:15');
  });

  it('names the failures with their slide, part, message and hint', () => {
    const failed = progress({
      state: 'done',
      slidesDone: 11,
      slidesReady: 10,
      elapsedMs: 5_000,
      failures: [
        {
          slideIndex: 2,
          slideNumber: 3,
          part: 'speech',
          message: 'ElevenLabs refused the request (quota exceeded).',
          hint: 'Top up the account.',
        },
      ],
    });
    expect(summaryLine(failed)).toBe('10 of 11 slides ready (0 from cache), 1 failed, in 5.0 s');
    expect(failureLines(failed)).toEqual([
      'Slide 3 (speech): ElevenLabs refused the request (quota exceeded). Top up the account.',
    ]);
  });

  it('says how far a cancelled run got', () => {
    expect(
      summaryLine(
        progress({
          state: 'cancelled',
          slidesDone: 4,
          slidesReady: 4,
          slidesFromCache: 1,
          elapsedMs: 900,
        }),
      ),
    ).toBe('Cancelled after 4 of 11 slides (4 ready, 1 from cache) in 0.9 s');
  });

  it('lists warnings and formats durations', () => {
    expect(
      warningLines(progress({ warnings: [{ slideIndex: 0, slideNumber: 1, message: 'x' }] })),
    ).toEqual(['Slide 1: x']);
    expect(formatDuration(59_940)).toBe('59.9 s');
    expect(formatDuration(60_000)).toBe('01:00');
  });
});
