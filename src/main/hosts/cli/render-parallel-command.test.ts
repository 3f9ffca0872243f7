import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parallelOption, parallelProblem } from './render-parallel-command.ts';
import { combinedProgress } from './render-parallel.ts';

const schema = z.object({ parallel: parallelOption });

describe('--parallel', () => {
  it('takes a whole number of parts from 1 to 8; absent is 1 (the ordinary export)', () => {
    expect(schema.parse({}).parallel).toBe(1);
    expect(schema.parse({ parallel: '1' }).parallel).toBe(1);
    expect(schema.parse({ parallel: '8' }).parallel).toBe(8);
    for (const bad of ['0', '9', '2.5', '-1', 'two', '', ' 2', '1e1']) {
      const parsed = schema.safeParse({ parallel: bad });
      expect(parsed.success, bad).toBe(false);
      expect(parsed.error?.issues[0]?.message).toBe(
        '--parallel: a whole number of parts from 1 to 8',
      );
    }
  });

  it('is refused with --realtime and --live: real time cannot be split', () => {
    expect(parallelProblem('2', { realtime: true, live: false })).toBe(
      '--parallel cannot be used with --realtime: real time cannot be split (only the export can)',
    );
    expect(parallelProblem('1', { realtime: false, live: true })).toMatch(/with --live/);
    expect(parallelProblem(undefined, { realtime: true, live: true })).toBeNull();
    expect(parallelProblem('4', { realtime: false, live: false })).toBeNull();
  });
});

describe('combinedProgress', () => {
  const at = (fraction: number, etaMs: number | null, realtimeFactor: number | null) => ({
    phase: 'exporting' as const,
    fraction,
    programMs: 0,
    totalMs: null,
    slideIndex: 0,
    etaMs,
    realtimeFactor,
  });

  it('weights the video parts by their length; speeds add up; the slowest part sets the time left', () => {
    const progress = combinedProgress(
      [
        { weightMs: 30_000, progress: at(0.5, 20_000, 0.8) },
        { weightMs: 10_000, progress: at(1, 0, 0.7) },
        // The audio part: no share of the program's frames.
        { weightMs: 0, progress: at(1, null, 60) },
      ],
      40_000,
    );
    expect(progress).toMatchObject({
      phase: 'exporting',
      fraction: 25_000 / 40_000,
      programMs: 25_000,
      totalMs: 40_000,
      etaMs: 20_000,
    });
    expect(progress.realtimeFactor).toBeCloseTo(1.5);
  });

  it('says preparing until a part exports', () => {
    expect(combinedProgress([{ weightMs: 1_000, progress: null }], 1_000)).toMatchObject({
      phase: 'preparing',
      fraction: 0,
      etaMs: null,
      realtimeFactor: null,
    });
  });
});
