import { describe, expect, it } from 'vitest';
import { formatClock } from '../../../shared/format-units.ts';
import { formatProgressLine, isNotableProgress } from './progress-format.ts';
import type { RenderProgress } from '../../../shared/ipc/contract.ts';

const base: RenderProgress = {
  phase: 'playing',
  fraction: 0.42,
  programMs: 26_400,
  totalMs: 63_000,
  slideIndex: 1,
};

describe('render progress lines', () => {
  it('formats percent, slide and clock', () => {
    expect(formatClock(61_999)).toBe('01:01');
    expect(formatProgressLine(base)).toBe('[ 42%] playing slide 2 00:26 / 01:03');
    expect(formatProgressLine({ ...base, totalMs: null, slideIndex: null, message: 'x' })).toBe(
      '[ 42%] playing 00:26 x',
    );
    expect(
      formatProgressLine({ ...base, phase: 'exporting', realtimeFactor: 2.345, etaMs: 15_800 }),
    ).toBe('[ 42%] exporting slide 2 00:26 / 01:03 2.3x real time, 00:15 left');
  });
  it('prints a line per phase, slide or 5 % step, not per report', () => {
    expect(isNotableProgress(null, base)).toBe(true);
    expect(isNotableProgress(base, { ...base, fraction: 0.44 })).toBe(false);
    expect(isNotableProgress(base, { ...base, fraction: 0.45 })).toBe(true);
    expect(isNotableProgress(base, { ...base, fraction: 0.43, slideIndex: 2 })).toBe(true);
    expect(isNotableProgress(base, { ...base, phase: 'done' })).toBe(true);
  });
});
