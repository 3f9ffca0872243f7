import { rm } from 'node:fs/promises';
import { sampleLessonAt } from '../testing/support/app-host.ts';
import { tempDir } from '../testing/support/render-cli.ts';
import { figure, figureOf, ratioFigure, type Figure, type Skipped } from './figures.ts';
import { createScratch, estimatedLessonMs } from './lessons.ts';
import { fileTiming } from './media.ts';
import {
  failureReason,
  lastEvent,
  numberField,
  renderOnce,
  renderWall,
  type RenderMode,
  type WallSource,
} from './render.ts';

/**
 * The frame-stepped export against the live recording (`--realtime`) of the same lesson, each
 * run rendering both back to back (the order alternates between runs so neither always gets the
 * quieter machine): real-time factor = program seconds in the file / wall seconds of rendering.
 * The live file's frames per second are counted from the file: on a software GPU the live
 * recording keeps the clock but drops frames.
 */
const sizes = [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
] as const;

interface ModeRun {
  programSec: number;
  wallSec: number;
  wallSource: WallSource;
  realtimeFactor: number;
  deliveredFps: number;
  framesPerWallSecond: number;
  /** The exporter's own figure from its export_end line, to cross-check (export only). */
  loggedRealtimeFactor: number | null;
  /** Where the exporter says its wall time went, from export_end (export only). */
  breakdownMs: Record<BreakdownPart, number | null>;
}

type BreakdownPart = 'prepare' | 'audio' | 'draw' | 'encode';

export interface ModeResult {
  /** Why a run measured nothing (the figures are over the others). */
  readonly failedRuns: readonly string[];
  /** Program seconds in the file / wall seconds of the rendering. */
  readonly realtimeFactor: Figure;
  readonly programSeconds: Figure;
  readonly wallSeconds: Figure;
  /** Where the wall seconds came from (the log's bracket, else the CLI's timing). */
  readonly wallSources: readonly WallSource[];
  /** Video frames in the file / its video span. */
  readonly deliveredFps: Figure;
  /** deliveredFps / the lesson's fps, per run: 1 = no frame dropped. */
  readonly deliveredToLessonFps: Figure;
  /** Video frames in the file / wall seconds: the work done, dropped frames not counted. */
  readonly framesPerWallSecond: Figure;
  readonly loggedRealtimeFactor: Figure | null;
  /**
   * The exporter's own account of its wall time (export_end): waiting for speech and avatar,
   * audio, drawing frames, encoding; null parts where the log has none (the live recording).
   */
  readonly exporterWallSeconds: Readonly<Record<BreakdownPart, Figure | null>>;
}

export interface ExportSizeResult {
  readonly output: string;
  readonly lessonFps: number;
  readonly export: ModeResult | Skipped;
  readonly live: ModeResult | Skipped;
  /** export RTF / live RTF, per run. */
  readonly exportToLiveRatio: Figure | Skipped;
  /**
   * export / live frames per wall second, per run: the live recording keeps the clock by
   * dropping frames, so its RTF alone flatters it.
   */
  readonly exportToLiveFramesRatio: Figure | Skipped;
}

export type ExportBenchResult =
  | Skipped
  | {
      readonly lesson: string;
      readonly estimatedProgramSeconds: number;
      readonly runs: number;
      readonly sizes: readonly ExportSizeResult[];
    };

async function renderMode(
  mode: RenderMode,
  lessonDir: string,
): Promise<ModeRun | { failed: string }> {
  const outDir = await tempDir(`bench-${mode}`);
  try {
    const outcome = await renderOnce({ mode, lessonDir, outDir, outName: `${mode}.mp4` });
    if ('unavailable' in outcome) return { failed: outcome.unavailable };
    if (outcome.code !== 0) return { failed: failureReason(outcome) };
    const wall = renderWall(outcome);
    if (wall === null) return { failed: 'no log bracket and no progress line to time the render' };
    const timing = await fileTiming(outcome.outPath);
    const wallSec = wall.ms / 1000;
    const exportEnd = lastEvent(outcome.lines, 'export_end');
    return {
      programSec: timing.durationSec,
      wallSec,
      wallSource: wall.source,
      realtimeFactor: timing.durationSec / wallSec,
      deliveredFps: timing.deliveredFps,
      framesPerWallSecond: timing.videoFrames / wallSec,
      loggedRealtimeFactor: numberField(exportEnd, 'realtimeFactor'),
      breakdownMs: {
        prepare: numberField(exportEnd, 'prepareMs'),
        audio: numberField(exportEnd, 'audioMs'),
        draw: numberField(exportEnd, 'drawMs'),
        encode: numberField(exportEnd, 'encodeMs'),
      },
    };
  } finally {
    // A 1080p file is large; only its figures are kept.
    await rm(outDir, { recursive: true, force: true });
  }
}

function breakdownFigure(runs: readonly ModeRun[], part: BreakdownPart): Figure | null {
  return figureOf(
    's',
    runs.map((run) => {
      const ms = run.breakdownMs[part];
      return ms === null ? null : ms / 1000;
    }),
  );
}

function summariseMode(
  runs: readonly (ModeRun | { failed: string })[],
  lessonFps: number,
): ModeResult | Skipped {
  const measured = runs.filter((run): run is ModeRun => !('failed' in run));
  const failures = runs.flatMap((run) => ('failed' in run ? [run.failed] : []));
  if (measured.length === 0) return { skipped: failures[0] ?? 'no run' };
  return {
    failedRuns: failures,
    realtimeFactor: figure(
      'program s / wall s',
      measured.map((run) => run.realtimeFactor),
    ),
    programSeconds: figure(
      's',
      measured.map((run) => run.programSec),
    ),
    wallSeconds: figure(
      's',
      measured.map((run) => run.wallSec),
    ),
    wallSources: [...new Set(measured.map((run) => run.wallSource))],
    deliveredFps: figure(
      'frames/s',
      measured.map((run) => run.deliveredFps),
    ),
    deliveredToLessonFps: figure(
      'ratio',
      measured.map((run) => run.deliveredFps / lessonFps),
    ),
    framesPerWallSecond: figure(
      'frames / wall s',
      measured.map((run) => run.framesPerWallSecond),
    ),
    loggedRealtimeFactor: figureOf(
      'program s / wall s',
      measured.map((run) => run.loggedRealtimeFactor),
    ),
    exporterWallSeconds: {
      prepare: breakdownFigure(measured, 'prepare'),
      audio: breakdownFigure(measured, 'audio'),
      draw: breakdownFigure(measured, 'draw'),
      encode: breakdownFigure(measured, 'encode'),
    },
  };
}

export async function runExportBench(options: {
  runs: number;
  quick: boolean;
}): Promise<ExportBenchResult> {
  const scratch = createScratch();
  try {
    const results: ExportSizeResult[] = [];
    let estimatedMs = 0;
    let description = '';
    for (const size of sizes) {
      // Two slides (about 30 s of program, one slide change); --quick: the first only (17 s).
      const { dir, lesson } = await sampleLessonAt(size.width, size.height, (original) => ({
        ...original,
        slides: original.slides.slice(0, options.quick ? 1 : 2),
      }));
      scratch.track(dir);
      estimatedMs = estimatedLessonMs(lesson);
      description = `the sample lesson (${lesson.slides.length} slides, offline voice, local avatar) at ${lesson.output.fps} fps`;
      const exportRuns: (ModeRun | { failed: string })[] = [];
      const liveRuns: (ModeRun | { failed: string })[] = [];
      for (let runIndex = 0; runIndex < options.runs; runIndex += 1) {
        const order: RenderMode[] =
          runIndex % 2 === 0 ? ['export', 'realtime'] : ['realtime', 'export'];
        for (const mode of order) {
          const result = await renderMode(mode, dir);
          (mode === 'export' ? exportRuns : liveRuns).push(result);
        }
      }
      const exported = summariseMode(exportRuns, lesson.output.fps);
      const live = summariseMode(liveRuns, lesson.output.fps);
      // Only runs where both sides measured: a ratio needs the pair.
      const pairs = exportRuns.map((run, index) => [run, liveRuns[index]] as const);
      const bothMeasured = pairs.filter(
        (pair): pair is readonly [ModeRun, ModeRun] =>
          pair[1] !== undefined && !('failed' in pair[0]) && !('failed' in pair[1]),
      );
      const ratio = ratioFigure(
        bothMeasured.map(([exportRun]) => exportRun.realtimeFactor),
        bothMeasured.map(([, liveRun]) => liveRun.realtimeFactor),
        'x',
      );
      const framesRatio = ratioFigure(
        bothMeasured.map(([exportRun]) => exportRun.framesPerWallSecond),
        bothMeasured.map(([, liveRun]) => liveRun.framesPerWallSecond),
        'x',
      );
      const noPair = { skipped: 'no run where both the export and the live recording measured' };
      results.push({
        output: `${size.width}x${size.height}`,
        lessonFps: lesson.output.fps,
        export: exported,
        live,
        exportToLiveRatio: ratio ?? noPair,
        exportToLiveFramesRatio: framesRatio ?? noPair,
      });
    }
    return {
      lesson: description,
      estimatedProgramSeconds: Math.round(estimatedMs / 100) / 10,
      runs: options.runs,
      sizes: results,
    };
  } finally {
    await scratch.cleanup();
  }
}
