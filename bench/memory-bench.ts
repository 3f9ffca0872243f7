import { rm } from 'node:fs/promises';
import { tempDir } from '../testing/support/render-cli.ts';
import { requireRendererBuild } from '../testing/support/app-host.ts';
import { figure, figureOf, median, type Figure, type Skipped } from './figures.ts';
import { createScratch, longSampleLesson, type Scratch } from './lessons.ts';
import { fileTiming } from './media.ts';
import { openPresenter } from './presenter.ts';
import { peakOf, sampleTree, startMemorySampler, type MemorySample } from './proc-memory.ts';
import {
  exporterAvailable,
  failureReason,
  noExporterReason,
  renderOnce,
  renderWall,
} from './render.ts';

/**
 * Memory, read from /proc: (a) the peak resident memory of the main process (the Node process
 * running the render CLI) and of Chromium's renderer while exporting a ten-minute lesson at
 * 1280x720, sampled every 250 ms; (b) growth over a ten-minute live playback in the presenter at
 * 640x360, sampled every 5 s: the renderer's resident memory and its JS heap (CDP
 * Performance.getMetrics). Growth is the median of the last minute less the median of the first
 * minute after a 30 s warm-up: a leak shows as growth, a one-off allocation does not.
 */
const tenMinutesMs = 10 * 60_000;

export interface TimedValue {
  readonly atMs: number;
  readonly value: number;
}

export interface Growth {
  readonly firstMedian: number;
  readonly lastMedian: number;
  readonly growth: number;
  /** growth / minutes between the two windows' centres. */
  readonly perMinute: number;
}

/**
 * Median of the last `windowMs` less the median of the first `windowMs` after `warmupMs`; null
 * when the samples do not cover two separate windows.
 */
export function growthOver(
  samples: readonly TimedValue[],
  warmupMs: number,
  windowMs: number,
): Growth | null {
  const endMs = samples.at(-1)?.atMs;
  if (endMs === undefined || endMs - warmupMs < 2 * windowMs) return null;
  const first = samples.filter((s) => s.atMs >= warmupMs && s.atMs <= warmupMs + windowMs);
  const last = samples.filter((s) => s.atMs >= endMs - windowMs);
  if (first.length === 0 || last.length === 0) return null;
  const firstMedian = median(first.map((s) => s.value));
  const lastMedian = median(last.map((s) => s.value));
  const minutes = (endMs - windowMs / 2 - (warmupMs + windowMs / 2)) / 60_000;
  return {
    firstMedian,
    lastMedian,
    growth: lastMedian - firstMedian,
    perMinute: (lastMedian - firstMedian) / minutes,
  };
}

export type MemoryExportResult =
  | Skipped
  | {
      readonly lesson: string;
      readonly quickLesson: boolean;
      /** What rendered: the frame-stepped exporter, or the live recording when it is missing. */
      readonly renderPath: string;
      readonly sampleIntervalMs: number;
      readonly programSeconds: Figure;
      readonly renderWallSeconds: Figure;
      /** The Node process running `npm run render` (tsx's launcher left out). */
      readonly peakMainRss: Figure;
      /** The largest `--type=renderer` process of the browser: the page's. */
      readonly peakRendererRss: Figure;
      /** Every renderer process summed (Chromium's own UI renderer, a spare one). */
      readonly peakAllRenderersRss: Figure | null;
      readonly peakGpuProcessRss: Figure | null;
      readonly peakBrowserProcessRss: Figure | null;
    };

export async function runMemoryExportBench(options: {
  runs: number;
  quick: boolean;
}): Promise<MemoryExportResult> {
  requireRendererBuild();
  const sampleIntervalMs = 250;
  const hasExporter = await exporterAvailable();
  const scratch = createScratch();
  try {
    const { dir, lesson, estimatedMs } = await longSampleLesson(
      1280,
      720,
      options.quick ? 60_000 : tenMinutesMs,
    );
    scratch.track(dir);
    const runs: {
      programSec: number;
      wallSec: number;
      mainMb: number | null;
      rendererMb: number | null;
      allRenderersMb: number | null;
      gpuMb: number | null;
      browserMb: number | null;
    }[] = [];
    for (let runIndex = 0; runIndex < options.runs; runIndex += 1) {
      const outDir = await tempDir('bench-memory-export');
      try {
        const sampler = startMemorySampler({
          rootPid: process.pid,
          main: { argvEndsWith: 'rapido.ts' },
          intervalMs: sampleIntervalMs,
        });
        let outcome: Awaited<ReturnType<typeof renderOnce>>;
        let samples: MemorySample[];
        try {
          outcome = await renderOnce({
            mode: hasExporter ? 'export' : 'realtime',
            lessonDir: dir,
            outDir,
            outName: 'long.mp4',
          });
        } finally {
          // Stopped whether or not the render succeeded.
          samples = await sampler.stop();
        }
        if ('unavailable' in outcome) return { skipped: outcome.unavailable };
        if (outcome.code !== 0) return { skipped: failureReason(outcome) };
        const timing = await fileTiming(outcome.outPath);
        runs.push({
          programSec: timing.durationSec,
          wallSec: (renderWall(outcome)?.ms ?? outcome.cliWallMs) / 1000,
          mainMb: peakOf(samples, 'mainMb'),
          rendererMb: peakOf(samples, 'rendererMb'),
          allRenderersMb: peakOf(samples, 'allRenderersMb'),
          gpuMb: peakOf(samples, 'gpuMb'),
          browserMb: peakOf(samples, 'browserMb'),
        });
      } finally {
        await rm(outDir, { recursive: true, force: true });
      }
    }
    const peakMainRss = figureOf(
      'MB',
      runs.map((run) => run.mainMb),
    );
    const peakRendererRss = figureOf(
      'MB',
      runs.map((run) => run.rendererMb),
    );
    if (peakMainRss === null || peakRendererRss === null) {
      return { skipped: 'the sampler never found the CLI process or its renderer' };
    }
    return {
      lesson: `the sample lesson's slides repeated to ${lesson.slides.length} slides (about ${Math.round(estimatedMs / 60_000)} min estimated) at ${lesson.output.width}x${lesson.output.height}, ${lesson.output.fps} fps`,
      quickLesson: options.quick,
      renderPath: hasExporter ? 'frame-stepped export' : `live recording: ${noExporterReason}`,
      sampleIntervalMs,
      programSeconds: figure(
        's',
        runs.map((run) => run.programSec),
      ),
      renderWallSeconds: figure(
        's',
        runs.map((run) => run.wallSec),
      ),
      peakMainRss,
      peakRendererRss,
      peakAllRenderersRss: figureOf(
        'MB',
        runs.map((run) => run.allRenderersMb),
      ),
      peakGpuProcessRss: figureOf(
        'MB',
        runs.map((run) => run.gpuMb),
      ),
      peakBrowserProcessRss: figureOf(
        'MB',
        runs.map((run) => run.browserMb),
      ),
    };
  } finally {
    await scratch.cleanup();
  }
}

export type MemoryLiveResult =
  | Skipped
  | {
      readonly lesson: string;
      readonly quickLesson: boolean;
      readonly sampleIntervalS: number;
      readonly warmupS: number;
      readonly windowS: number;
      readonly playbackSeconds: Figure;
      readonly rendererRssGrowth: Figure;
      readonly rendererRssGrowthPerMinute: Figure;
      readonly jsHeapGrowth: Figure;
      readonly jsHeapGrowthPerMinute: Figure;
      readonly peakRendererRss: Figure;
      /** This bench's own process, which hosts the headless host: noisier, for orientation. */
      readonly mainRssGrowth: Figure | null;
      /** Runs whose playback was too short for two windows. */
      readonly runsWithoutGrowth: number;
    };

interface LiveSample {
  atMs: number;
  rendererMb: number | null;
  mainMb: number | null;
  jsHeapMb: number | null;
}

function series(samples: readonly LiveSample[], field: 'rendererMb' | 'mainMb' | 'jsHeapMb') {
  return samples.flatMap((sample) => {
    const value = sample[field];
    return value === null ? [] : [{ atMs: sample.atMs, value }];
  });
}

/** One playback of the long lesson in the presenter, sampled until it ends. */
async function playAndSample(
  lessonDir: string,
  scratch: Scratch,
  intervalMs: number,
  limitMs: number,
): Promise<LiveSample[]> {
  const presenter = await openPresenter(lessonDir);
  scratch.track(presenter.dataDir);
  try {
    const { page } = presenter;
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const jsHeapMb = async (): Promise<number | null> => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      const used = metrics.find((metric) => metric.name === 'JSHeapUsedSize')?.value;
      return used === undefined ? null : used / 2 ** 20;
    };
    const playState = page.getByTestId('play-state');
    await page.getByRole('button', { name: '▶ Play' }).click();
    await playState.getByText('playing').waitFor();
    const startedMs = performance.now();
    const samples: LiveSample[] = [];
    for (;;) {
      const atMs = performance.now() - startedMs;
      const [tree, heap] = await Promise.all([
        sampleTree(process.pid, { pid: process.pid }, atMs),
        jsHeapMb(),
      ]);
      samples.push({ atMs, rendererMb: tree.rendererMb, mainMb: tree.mainMb, jsHeapMb: heap });
      const state = (await playState.textContent())?.trim();
      if (state === 'ended' || state === 'idle' || atMs > limitMs) break;
      const nextMs = atMs + intervalMs - (performance.now() - startedMs);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextMs)));
    }
    return samples;
  } finally {
    await presenter.close();
  }
}

export async function runMemoryLiveBench(options: {
  runs: number;
  quick: boolean;
}): Promise<MemoryLiveResult> {
  requireRendererBuild();
  const intervalMs = 5_000;
  const warmupMs = options.quick ? 10_000 : 30_000;
  const windowMs = options.quick ? 15_000 : 60_000;
  const scratch = createScratch();
  try {
    const { dir, lesson, estimatedMs } = await longSampleLesson(
      640,
      360,
      options.quick ? 60_000 : tenMinutesMs,
    );
    scratch.track(dir);
    const runs: {
      durationSec: number;
      renderer: Growth | null;
      heap: Growth | null;
      main: Growth | null;
      peakRendererMb: number | null;
    }[] = [];
    for (let runIndex = 0; runIndex < options.runs; runIndex += 1) {
      // Sampling stops at the end, or well past the estimate if the end never shows.
      const samples = await playAndSample(dir, scratch, intervalMs, estimatedMs * 1.5 + 60_000);
      runs.push({
        durationSec: (samples.at(-1)?.atMs ?? 0) / 1000,
        renderer: growthOver(series(samples, 'rendererMb'), warmupMs, windowMs),
        heap: growthOver(series(samples, 'jsHeapMb'), warmupMs, windowMs),
        main: growthOver(series(samples, 'mainMb'), warmupMs, windowMs),
        peakRendererMb: Math.max(...series(samples, 'rendererMb').map((s) => s.value)),
      });
    }
    const measured = runs.filter(
      (run): run is typeof run & { renderer: Growth; heap: Growth } =>
        run.renderer !== null && run.heap !== null,
    );
    if (measured.length === 0) {
      return {
        skipped: `playback too short for a ${windowMs / 1000} s window after ${warmupMs / 1000} s warm-up and another at the end (played ${runs.map((run) => run.durationSec.toFixed(0)).join(', ')} s)`,
      };
    }
    const peakRendererRss = figureOf(
      'MB',
      runs.map((run) => run.peakRendererMb),
    );
    if (peakRendererRss === null) return { skipped: 'no renderer process found' };
    return {
      lesson: `the sample lesson's slides repeated to ${lesson.slides.length} slides (about ${Math.round(estimatedMs / 60_000)} min estimated) at ${lesson.output.width}x${lesson.output.height}, presenter Play`,
      quickLesson: options.quick,
      sampleIntervalS: intervalMs / 1000,
      warmupS: warmupMs / 1000,
      windowS: windowMs / 1000,
      playbackSeconds: figure(
        's',
        runs.map((run) => run.durationSec),
      ),
      rendererRssGrowth: figure(
        'MB',
        measured.map((run) => run.renderer.growth),
      ),
      rendererRssGrowthPerMinute: figure(
        'MB/min',
        measured.map((run) => run.renderer.perMinute),
      ),
      jsHeapGrowth: figure(
        'MB',
        measured.map((run) => run.heap.growth),
      ),
      jsHeapGrowthPerMinute: figure(
        'MB/min',
        measured.map((run) => run.heap.perMinute),
      ),
      peakRendererRss,
      mainRssGrowth: figureOf(
        'MB',
        runs.map((run) => run.main?.growth ?? null),
      ),
      runsWithoutGrowth: runs.length - measured.length,
    };
  } finally {
    await scratch.cleanup();
  }
}
