import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { defaultPlacement, type NormalisedRect } from '../src/shared/lesson/lesson-schema.ts';
import type { HarnessBenchOptions } from '../testing/harness/harness-api.ts';
import { chromiumArgs, chromiumExecutablePath } from '../testing/support/harness-chromium.ts';
import { callHarness, openHarness } from '../testing/support/harness-client.ts';
import {
  fixturesDir,
  harnessBuildProblem,
  startHarnessServer,
} from '../testing/support/harness-server.ts';
import { extractLargestPdfJpeg } from './slide-image.ts';
import { figure, ratioFigure, type Figure, type Skipped } from './figures.ts';

const run = promisify(execFile);

export interface FrameTimeSummary {
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly meanMs: number;
  /** 1000 / median. */
  readonly medianFps: number;
}

export interface CompositorBenchCase {
  readonly output: string;
  readonly placement: 'lesson-default' | 'full-frame';
  /** One complete composited frame (avatar upload, key, composite, GPU finished): each run's median. */
  readonly webglMsPerFrame: Figure;
  readonly webglP95MsPerFrame: Figure;
  /**
   * Where a median WebGL frame goes: uploading the avatar frame (timed alone, same context and
   * frames); the rest is keying, compositing and the readback that waits for it.
   */
  readonly webglUploadMsPerFrame: Figure;
  /** The predecessor-style keyer (binary RGB threshold over getImageData) on the same frames. */
  readonly cpuKeyerMsPerFrame: Figure;
  readonly cpuKeyerP95MsPerFrame: Figure;
  /** CPU keyer median / WebGL median, per run: above 1, the WebGL compositor is that much faster. */
  readonly cpuToWebglRatio: Figure;
}

export type CompositorBenchResult =
  | Skipped
  | {
      readonly webgl: { readonly vendor: string; readonly renderer: string };
      readonly userAgent: string;
      readonly slide: string;
      readonly avatar: string;
      readonly runs: number;
      readonly warmupFrames: number;
      readonly measuredFramesPerRun: number;
      readonly cases: readonly CompositorBenchCase[];
    };

export function summarise(frameMs: readonly number[]): FrameTimeSummary {
  const sorted = [...frameMs].sort((a, b) => a - b);
  const at = (fraction: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
  const medianMs = at(0.5);
  const round = (value: number): number => Math.round(value * 100) / 100;
  return {
    medianMs: round(medianMs),
    p95Ms: round(at(0.95)),
    meanMs: round(sorted.reduce((sum, value) => sum + value, 0) / sorted.length),
    medianFps: round(1000 / medianMs),
  };
}

const outputs = [
  { width: 640, height: 360 },
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
] as const;

const placements: readonly { name: CompositorBenchCase['placement']; rect: NormalisedRect }[] = [
  { name: 'lesson-default', rect: defaultPlacement },
  { name: 'full-frame', rect: { x: 0, y: 0, width: 1, height: 1 } },
];

interface CaseRun {
  gpu: FrameTimeSummary;
  uploadMedianMs: number;
  cpu: FrameTimeSummary;
}

/**
 * The WebGL2 compositor against a predecessor-style Canvas2D keyer, in Chromium (software WebGL
 * on the build machines), on a real slide and real green-screen frames, at three output sizes.
 * Each run times every case, WebGL then CPU keyer back to back, so a ratio compares frames
 * measured under the same load.
 */
export async function runCompositorBench(options: {
  runs: number;
  quick: boolean;
}): Promise<CompositorBenchResult> {
  const warmupFrames = options.quick ? 5 : 10;
  const measuredFrames = options.quick ? 20 : 60;
  // Full frame is detail, not the headline: left out of a quick run.
  const casePlacements = options.quick ? placements.slice(0, 1) : placements;
  const video = join(fixturesDir, 'greenscreen_video', 'autoeditor_man_silhouette_1280x720.mp4');
  const deck = join(fixturesDir, 'slides', 'ms_iot_for_beginners_lesson7_16x9_24p.pdf');
  if (!existsSync(video) || !existsSync(deck)) {
    return { skipped: `media fixtures not found under ${fixturesDir}` };
  }
  try {
    await run('ffmpeg', ['-version']);
  } catch {
    return { skipped: 'ffmpeg is not installed (it extracts the avatar frames)' };
  }
  const buildProblem = harnessBuildProblem();
  if (buildProblem) return { skipped: buildProblem };

  const scratch = await mkdtemp(join(tmpdir(), 'rapido-bench-'));
  const server = await startHarnessServer({ mounts: { '/scratch/': scratch } });
  const browser = await chromium.launch({
    executablePath: chromiumExecutablePath,
    args: [...chromiumArgs],
  });
  try {
    // Two frames of the man standing, so each render uploads a different picture.
    await Promise.all(
      [8, 16].map((seconds, index) =>
        run('ffmpeg', [
          '-v',
          'error',
          '-ss',
          String(seconds),
          '-i',
          video,
          '-frames:v',
          '1',
          '-y',
          join(scratch, `avatar-${index}.png`),
        ]),
      ),
    );
    if (!(await extractLargestPdfJpeg(deck, join(scratch, 'slide.jpg')))) {
      throw new Error(`no JPEG slide image found in ${deck}`);
    }

    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await openHarness(page, server.url);
    const info = await callHarness(page, 'rendererInfo');
    await callHarness(page, 'loadImage', 'slide', `${server.url}/scratch/slide.jpg`);
    const avatarFrames = ['avatar-0', 'avatar-1'];
    for (const [index, name] of avatarFrames.entries()) {
      await callHarness(page, 'loadImage', name, `${server.url}/scratch/avatar-${index}.png`);
    }

    const cases = outputs.flatMap((output) =>
      casePlacements.map((placement) => ({ output, placement, runs: [] as CaseRun[] })),
    );
    for (let runIndex = 0; runIndex < options.runs; runIndex += 1) {
      for (const { output, placement, runs } of cases) {
        const benchOptions: HarnessBenchOptions = {
          output,
          slide: 'slide',
          avatarFrames,
          placement: placement.rect,
          // The clip's screen is a flat RGB(33, 254, 4); the predecessor's threshold was 35.
          keyColor: '#21fe04',
          chromaKey: { similarity: 0.4, smoothness: 0.08, spill: 0.1 },
          rgbThreshold: 35,
          warmupFrames,
          measuredFrames,
        };
        const gpuSamples = await callHarness(page, 'benchCompositor', benchOptions);
        const cpuSamples = await callHarness(page, 'benchCpuKeyer', benchOptions);
        runs.push({
          gpu: summarise(gpuSamples.frameMs),
          uploadMedianMs: summarise(gpuSamples.uploadMs ?? []).medianMs,
          cpu: summarise(cpuSamples.frameMs),
        });
      }
    }
    return {
      webgl: { vendor: info.vendor, renderer: info.renderer },
      userAgent: info.userAgent,
      slide:
        'largest JPEG embedded in slides/ms_iot_for_beginners_lesson7_16x9_24p.pdf (2718x1499)',
      avatar: 'greenscreen_video/autoeditor_man_silhouette_1280x720.mp4 at 8 s and 16 s',
      runs: options.runs,
      warmupFrames,
      measuredFramesPerRun: measuredFrames,
      cases: cases.map(({ output, placement, runs }) => {
        const gpuMedians = runs.map((one) => one.gpu.medianMs);
        const cpuMedians = runs.map((one) => one.cpu.medianMs);
        return {
          output: `${output.width}x${output.height}`,
          placement: placement.name,
          webglMsPerFrame: figure('ms/frame', gpuMedians),
          webglP95MsPerFrame: figure(
            'ms/frame',
            runs.map((one) => one.gpu.p95Ms),
          ),
          webglUploadMsPerFrame: figure(
            'ms/frame',
            runs.map((one) => one.uploadMedianMs),
          ),
          cpuKeyerMsPerFrame: figure('ms/frame', cpuMedians),
          cpuKeyerP95MsPerFrame: figure(
            'ms/frame',
            runs.map((one) => one.cpu.p95Ms),
          ),
          cpuToWebglRatio: requireFigure(ratioFigure(cpuMedians, gpuMedians, 'x')),
        };
      }),
    };
  } finally {
    await browser.close();
    await server.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

function requireFigure(value: Figure | null): Figure {
  if (value === null) throw new Error('a WebGL frame took no time: nothing to compare with');
  return value;
}
