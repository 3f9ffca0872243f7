import { mkdir, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { RenderPart, RenderProgress } from '../../../shared/ipc/contract.ts';
import type { Lesson } from '../../../shared/lesson/lesson-schema.ts';
import { err, errorMessage, ok, type Result } from '../../../shared/result.ts';
import {
  headlessDataDir,
  sharedCacheDir,
  type Environment,
} from '../../services/platform/config/environment.ts';
import { createLogger } from '../../services/logging/logger.ts';
import { processAlive } from '../../services/export/export-sink.ts';
import { createVoiceServices } from '../../services/speech/voice-services.ts';
import { slideDurationsMs } from '../../services/render-parts/slide-durations.ts';
import { splitSlides, type SlideRange } from '../../services/render-parts/split-parts.ts';
import { assembleSplitRender } from '../../services/render-parts/split-render-output.ts';
import { chromiumPath, launchChromium } from '../headless/chromium.ts';
import { startHeadlessHost, type HeadlessHost } from '../headless/headless-host.ts';

/**
 * `rapido render --parallel N`: one lesson exported by N pages side by side. Every slide's speech
 * is made first (once, into the shared cache), the slides are split into N ranges of about equal
 * length, each range's video is exported by its own headless host and page (its own renderer
 * process, so its own encoder thread), the whole lesson's audio, chapters and captions by one
 * more page, and main joins the parts into one MP4 without re-encoding anything.
 */
export interface ParallelRenderRequest {
  environment: Environment;
  lesson: Lesson;
  lessonDir: string;
  outPath: string;
  parts: number;
  consoleLog: boolean;
  /** The whole render's progress, from the parts' (at most a few times a second). */
  onProgress(progress: RenderProgress): void;
}

export interface ParallelRenderResult {
  outPath: string;
  ranges: SlideRange[];
  wallMs: number;
}

interface PartRun {
  part: RenderPart;
  outPath: string;
  /** Program milliseconds this part covers (its share of the progress). */
  weightMs: number;
  progress: RenderProgress | null;
  finished: Promise<RenderProgress>;
  settle(progress: RenderProgress): void;
  host: HeadlessHost | null;
}

function failedProgress(message: string): RenderProgress {
  return { phase: 'failed', fraction: 0, programMs: 0, totalMs: null, slideIndex: null, message };
}

function partRun(part: RenderPart, outPath: string, weightMs: number): PartRun {
  let settle: (progress: RenderProgress) => void = () => undefined;
  const finished = new Promise<RenderProgress>((resolve) => {
    settle = resolve;
  });
  return { part, outPath, weightMs, progress: null, finished, settle, host: null };
}

/** The parts' progress as one render's: the video parts weighted by their program length. */
export function combinedProgress(
  parts: readonly { weightMs: number; progress: RenderProgress | null }[],
  totalMs: number,
): RenderProgress {
  let doneMs = 0;
  let speed = 0;
  let etaMs: number | null = null;
  for (const part of parts) {
    if (part.weightMs <= 0) continue;
    const fraction = part.progress?.phase === 'done' ? 1 : (part.progress?.fraction ?? 0);
    doneMs += fraction * part.weightMs;
    speed += part.progress?.realtimeFactor ?? 0;
    const left = part.progress?.phase === 'done' ? 0 : (part.progress?.etaMs ?? null);
    if (left !== null) etaMs = Math.max(etaMs ?? 0, left);
  }
  const exporting = parts.some((part) => part.progress?.phase === 'exporting');
  return {
    phase: exporting ? 'exporting' : 'preparing',
    fraction: totalMs > 0 ? Math.min(1, doneMs / totalMs) : 0,
    programMs: doneMs,
    totalMs,
    slideIndex: null,
    etaMs,
    realtimeFactor: speed > 0 ? speed : null,
  };
}

/** `talk.mp4` → `.talk.mp4.<pid>.parts/`, beside it (as the export sink's part files). */
export function partFolderFor(outPath: string, pid: number = process.pid): string {
  return join(dirname(outPath), `.${basename(outPath)}.${pid}.parts`);
}

const partFolderPattern = /^\..+\.(\d+)\.parts$/;

/** Removes the part folders in `directory` of split renders whose process died. */
export async function removeStalePartFolders(directory: string): Promise<string[]> {
  const names = await readdir(directory).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(partFolderPattern.exec(name)?.[1] ?? Number.NaN);
    if (!Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    await rm(join(directory, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

async function openPage(browser: Browser, run: PartRun, host: HeadlessHost): Promise<void> {
  const page = await browser.newPage();
  page.on('pageerror', (error) =>
    host.logger.error('renderer page error', { event_type: 'renderer_error', error }),
  );
  page.on('crash', () => run.settle(failedProgress('the renderer crashed')));
  page.on('console', (message) => {
    if (message.type() === 'error')
      host.logger.warn(`renderer console: ${message.text()}`, { event_type: 'renderer_console' });
  });
  await page.goto(host.server.appUrl);
}

/** Every slide's speech, made once (the parts then read it from the cache): slide lengths. */
async function measureSlides(request: ParallelRenderRequest): Promise<Result<number[]>> {
  const env = request.environment;
  const dataDir = headlessDataDir(env);
  const logger = createLogger({
    directory: env.RAPIDO_LOG_DIR ?? join(dataDir, 'logs'),
    level: env.LOG_LEVEL ?? 'info',
    console: request.consoleLog,
    secrets: () => [env.ELEVENLABS_API_KEY ?? ''],
  });
  const voices = createVoiceServices({
    cacheDir: join(sharedCacheDir(env), 'speech'),
    secretsDir: join(dataDir, 'secrets'),
    cipher: null,
    environment: {
      apiKey: env.ELEVENLABS_API_KEY,
      baseUrl: env.ELEVENLABS_BASE_URL,
      voiceId: env.ELEVENLABS_VOICE_ID,
      modelId: env.ELEVENLABS_MODEL_ID,
    },
    logger,
  });
  try {
    return await slideDurationsMs({
      lesson: request.lesson,
      lessonDir: request.lessonDir,
      voices,
      onSlide: (done, total) =>
        request.onProgress({
          phase: 'preparing',
          fraction: 0,
          programMs: 0,
          totalMs: null,
          slideIndex: done - 1,
          message: `speech ${done}/${total}`,
        }),
    });
  } finally {
    voices.close();
  }
}

export async function renderInParts(
  request: ParallelRenderRequest,
): Promise<Result<ParallelRenderResult>> {
  const startedMs = Date.now();
  const durations = await measureSlides(request);
  if (!durations.ok) return durations;
  const ranges = splitSlides(durations.value, request.parts);
  if (ranges.length === 0) return err('invalid-request', 'The lesson has no slides to render.');
  const totalMs = durations.value.reduce((sum, ms) => sum + ms, 0);
  // Hidden, beside the target (same disk): removed at the end, whatever happens; one left by a
  // killed render (its process gone) is removed by the next split render into that folder.
  await removeStalePartFolders(dirname(request.outPath));
  const workDir = partFolderFor(request.outPath);
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  // The first part also makes the whole lesson's audio, chapters and captions: one page fewer
  // (each page costs a core's worth of start-up and compositing on a 2-core machine).
  const runs: PartRun[] = ranges.map((range, index) =>
    partRun(
      { track: 'video', ...range, audio: index === 0 },
      // Each part in its own folder: an export sink removes part files it does not know there.
      join(workDir, `part-${index + 1}`, 'video.mp4'),
      durations.value.slice(range.fromSlide, range.toSlide).reduce((sum, ms) => sum + ms, 0),
    ),
  );
  const audioRun = runs[0];
  if (!audioRun) return err('invalid-request', 'The lesson has no slides to render.');
  const browsers: Browser[] = [];
  let lastReportMs = 0;
  const report = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastReportMs < 250) return;
    lastReportMs = now;
    request.onProgress(combinedProgress(runs, totalMs));
  };
  try {
    for (const run of runs) {
      await mkdir(dirname(run.outPath), { recursive: true });
      run.host = await startHeadlessHost({
        environment: request.environment,
        mode: 'render',
        lessonDir: request.lessonDir,
        outPath: run.outPath,
        part: run.part,
        consoleLog: request.consoleLog,
        onRenderProgress(progress) {
          run.progress = progress;
          if (progress.phase === 'done' || progress.phase === 'failed') run.settle(progress);
          report(false);
        },
      });
    }
    const firstHost = runs[0]?.host;
    if (!firstHost) return err('internal', 'no part to render');
    const launch = () =>
      launchChromium({
        executablePath: chromiumPath(request.environment.CHROMIUM_PATH),
        headless: true,
        warn: (message) => firstHost.logger.warn(message, { event_type: 'chromium_unsandboxed' }),
      });
    // A browser per part: each has its own GPU process, which draws and reads back the frames
    // (one GPU process serves every page of a browser on one thread; measured on the sample
    // lesson, two parts in one browser took 47 s, in two browsers 37 s, the whole export 37-41 s).
    for (const run of runs) {
      const browser = await launch();
      browsers.push(browser);
      if (run.host) await openPage(browser, run, run.host);
    }
    // One part failing fails the render: the others stop when their browsers close.
    const failed = await Promise.race([
      Promise.all(runs.map((run) => run.finished)).then(() => null),
      ...runs.map((run) =>
        run.finished.then((outcome) =>
          outcome.phase === 'failed' ? outcome : new Promise<never>(() => undefined),
        ),
      ),
    ]);
    if (failed) return err('export-failed', failed.message ?? 'a part of the render failed');
    report(true);
    request.onProgress({ ...combinedProgress(runs, totalMs), phase: 'finishing' });
    const assembled = await assembleSplitRender({
      videoParts: runs.map((run) => run.outPath),
      audioPart: audioRun.outPath,
      outPath: request.outPath,
      fps: request.lesson.output.fps,
      title: request.lesson.title,
    });
    if (!assembled.ok) return assembled;
    firstHost.logger.info(`split render joined: ${request.outPath}`, {
      lesson_id: request.lesson.id,
      event_type: 'export_parts_joined',
      performance_data: {
        parts: ranges.length,
        videoPackets: assembled.value.videoPackets,
        audioPackets: assembled.value.audioPackets,
        programMs: Math.round(totalMs),
        wallMs: Date.now() - startedMs,
      },
    });
    return ok({ outPath: request.outPath, ranges, wallMs: Date.now() - startedMs });
  } catch (error) {
    return err('export-failed', `The split render failed: ${errorMessage(error)}`);
  } finally {
    for (const browser of browsers) await browser.close().catch(() => undefined);
    for (const run of runs) await run.host?.close().catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  }
}
