import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { runCli, tempDir } from '../testing/support/render-cli.ts';
import { audioTrackFingerprint, countedStream } from '../testing/support/media-probe.ts';
import { figure, figureOf, ratioFigure, type Figure, type Skipped } from './figures.ts';
import { createScratch, longSampleLesson } from './lessons.ts';
import { failureReason, lastEvent, renderOnce, type RenderOutcome } from './render.ts';

/**
 * The export of one long 720p lesson whole against `rapido render --parallel 2` (issue 18 item 5),
 * back to back in each run (the order alternates so neither always gets the quieter machine),
 * from one data folder whose speech cache `rapido prepare` filled first, so both read the same
 * speech. Real-time factor = program seconds in the file / wall seconds, two ways: the CLI's whole
 * run (Chromium, lesson, speech read back, render, join: what a user waits for) and the render
 * alone from the log (first export_start to export_end, or to export_parts_joined for the split).
 * Every run also checks that the split file has exactly the whole file's frames (count and
 * times), audio (the same packets, so the same samples) and chapters.
 */
const width = 1280;
const height = 720;
const parts = 2;

interface PairRun {
  wholeCli: number;
  splitCli: number;
  wholeRender: number | null;
  splitRender: number | null;
  programSec: number;
  identical: boolean;
  /** What differed, when something did. */
  differences: string[];
}

export type ExportParallelBenchResult =
  | Skipped
  | {
      readonly lesson: string;
      readonly output: string;
      readonly programMinutes: number;
      readonly parts: number;
      readonly runs: number;
      readonly failedRuns: readonly string[];
      /** Program s / CLI wall s, whole export. */
      readonly wholeRealtimeFactor: Figure;
      /** Program s / CLI wall s, --parallel 2. */
      readonly parallelRealtimeFactor: Figure;
      /** parallel / whole, per run (CLI wall). */
      readonly speedup: Figure | null;
      /** Program s / render wall s from the log (start-up left out). */
      readonly wholeRenderRealtimeFactor: Figure | null;
      readonly parallelRenderRealtimeFactor: Figure | null;
      /** Runs whose split file had exactly the whole file's frames, audio and chapters. */
      readonly identicalRuns: number;
      readonly differences: readonly string[];
    };

function spanSec(outcome: RenderOutcome, endEvent: string): number | null {
  const start = outcome.lines.find((line) => line.event_type === 'export_start');
  const end = lastEvent(outcome.lines, endEvent);
  if (!start || !end) return null;
  const ms = Date.parse(end.timestamp) - Date.parse(start.timestamp);
  return Number.isFinite(ms) && ms > 0 ? ms / 1000 : null;
}

async function packetTimes(file: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    'ffprobe',
    [
      ...['-v', 'error', '-select_streams', 'v:0'],
      ...['-show_entries', 'packet=pts,duration', '-of', 'csv=p=0', file],
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return stdout;
}

/** What differs between the whole and the split file (empty: the same frames, audio, chapters). */
async function differences(wholePath: string, splitPath: string): Promise<string[]> {
  const found: string[] = [];
  const [wholeVideo, splitVideo] = await Promise.all(
    [wholePath, splitPath].map((path) => countedStream(path, 'v:0')),
  );
  if (!wholeVideo || !splitVideo) return ['no video stream'];
  if (wholeVideo.frames !== splitVideo.frames) {
    found.push(`frames ${splitVideo.frames} vs ${wholeVideo.frames}`);
  }
  if ((await packetTimes(wholePath)) !== (await packetTimes(splitPath))) {
    found.push('video frame times differ');
  }
  const [wholeAudio, splitAudio] = await Promise.all(
    [wholePath, splitPath].map((path) => audioTrackFingerprint(path)),
  );
  if (wholeAudio?.decodedSamples !== splitAudio?.decodedSamples) {
    found.push(`audio samples ${splitAudio?.decodedSamples} vs ${wholeAudio?.decodedSamples}`);
  }
  if (wholeAudio?.packetsSha256 !== splitAudio?.packetsSha256) found.push('audio packets differ');
  if (JSON.stringify(wholeVideo.chapters) !== JSON.stringify(splitVideo.chapters)) {
    found.push('chapters differ');
  }
  for (const suffix of ['.vtt', '.chapters.vtt']) {
    const [a, b] = await Promise.all(
      [wholePath, splitPath].map((path) => readFile(path.replace(/\.mp4$/, suffix), 'utf8')),
    );
    if (a !== b) found.push(`${suffix} differs`);
  }
  return found;
}

async function pairRun(
  lessonDir: string,
  dataDir: string,
  splitFirst: boolean,
): Promise<PairRun | { failed: string }> {
  const outDir = await tempDir('bench-parallel');
  try {
    const render = (name: string, extraArgs: string[]) =>
      renderOnce({ mode: 'export', lessonDir, outDir, outName: name, dataDir, extraArgs });
    const order = splitFirst ? (['split', 'whole'] as const) : (['whole', 'split'] as const);
    const outcomes: Partial<Record<'whole' | 'split', RenderOutcome>> = {};
    for (const which of order) {
      const outcome =
        which === 'whole'
          ? await render('whole.mp4', [])
          : await render('split.mp4', ['--parallel', String(parts)]);
      if ('unavailable' in outcome) return { failed: outcome.unavailable };
      if (outcome.code !== 0) return { failed: `${which}: ${failureReason(outcome)}` };
      outcomes[which] = outcome;
    }
    const whole = outcomes.whole;
    const split = outcomes.split;
    if (!whole || !split) return { failed: 'a render did not run' };
    const programSec = (await countedStream(whole.outPath, 'v:0')).durationSec;
    const found = await differences(whole.outPath, split.outPath);
    const wholeRender = spanSec(whole, 'export_end');
    const splitRender = spanSec(split, 'export_parts_joined');
    return {
      wholeCli: programSec / (whole.cliWallMs / 1000),
      splitCli: programSec / (split.cliWallMs / 1000),
      wholeRender: wholeRender === null ? null : programSec / wholeRender,
      splitRender: splitRender === null ? null : programSec / splitRender,
      programSec,
      identical: found.length === 0,
      differences: found,
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

export async function runExportParallelBench(options: {
  runs: number;
  quick: boolean;
  parallelMinutes: number;
}): Promise<ExportParallelBenchResult> {
  const scratch = createScratch();
  try {
    const { dir, lesson, estimatedMs } = await longSampleLesson(
      width,
      height,
      options.parallelMinutes * 60_000,
    );
    scratch.track(dir);
    const dataDir = scratch.track(await tempDir('bench-parallel-data'));
    // Speech made once, before either side is timed: both then read it from the same cache.
    const prepared = await runCli(['prepare', dir], {}, { dataDir });
    if (prepared.code !== 0) return { skipped: `rapido prepare failed: ${prepared.stderr.trim()}` };
    const runs: (PairRun | { failed: string })[] = [];
    for (let index = 0; index < options.runs; index += 1) {
      runs.push(await pairRun(dir, dataDir, index % 2 === 1));
      process.stderr.write(`bench: exportParallel run ${index + 1}/${options.runs} done\n`);
    }
    const measured = runs.filter((run): run is PairRun => !('failed' in run));
    const failedRuns = runs.flatMap((run) => ('failed' in run ? [run.failed] : []));
    if (measured.length === 0) return { skipped: failedRuns[0] ?? 'no run' };
    return {
      lesson: `the sample lesson repeated to about ${Math.round(estimatedMs / 60_000)} min (${lesson.slides.length} slides, offline voice, local avatar) at ${lesson.output.fps} fps`,
      output: `${width}x${height}`,
      programMinutes: Math.round((measured[0]?.programSec ?? 0) / 6) / 10,
      parts,
      runs: options.runs,
      failedRuns,
      wholeRealtimeFactor: figure(
        'program s / wall s',
        measured.map((run) => run.wholeCli),
      ),
      parallelRealtimeFactor: figure(
        'program s / wall s',
        measured.map((run) => run.splitCli),
      ),
      speedup: ratioFigure(
        measured.map((run) => run.splitCli),
        measured.map((run) => run.wholeCli),
        'x',
      ),
      wholeRenderRealtimeFactor: figureOf(
        'program s / wall s',
        measured.map((run) => run.wholeRender),
      ),
      parallelRenderRealtimeFactor: figureOf(
        'program s / wall s',
        measured.map((run) => run.splitRender),
      ),
      identicalRuns: measured.filter((run) => run.identical).length,
      differences: [...new Set(measured.flatMap((run) => run.differences))],
    };
  } finally {
    await scratch.cleanup();
  }
}
