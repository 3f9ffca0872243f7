import { requireRendererBuild, sampleLessonAt } from '../testing/support/app-host.ts';
import { figureOf, type Figure, type Skipped } from './figures.ts';
import { createScratch } from './lessons.ts';
import { presenterPlayToFirstSampleMs } from './presenter.ts';

/**
 * Play to the first audible sample with the offline voice (the default), in the presenter:
 * a fresh host and data folder each run (nothing cached from an earlier run), Play pressed the
 * moment the lesson shows. The app logs the time from the press to the moment its first
 * audible sample (above -40 dBFS) is scheduled to leave the speakers.
 */
export type FirstSoundBenchResult =
  | Skipped
  | {
      readonly lesson: string;
      readonly playToFirstSound: Figure;
      /** Runs that logged no play_to_first_sample line within 60 s. */
      readonly missingRuns: number;
    };

export async function runFirstSoundBench(options: {
  runs: number;
}): Promise<FirstSoundBenchResult> {
  requireRendererBuild();
  const scratch = createScratch();
  const { dir, lesson } = await sampleLessonAt(640, 360);
  scratch.track(dir);
  try {
    const samples: (number | null)[] = [];
    for (let runIndex = 0; runIndex < options.runs; runIndex += 1) {
      samples.push(await presenterPlayToFirstSampleMs(dir, scratch));
    }
    const playToFirstSound = figureOf('ms', samples);
    if (playToFirstSound === null) return { skipped: 'no run logged play_to_first_sample' };
    return {
      lesson: `the sample lesson at ${lesson.output.width}x${lesson.output.height}, offline voice, presenter Play as the lesson shows`,
      playToFirstSound,
      missingRuns: samples.filter((value) => value === null).length,
    };
  } finally {
    await scratch.cleanup();
  }
}
