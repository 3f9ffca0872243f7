import type { ExportInfo, RenderPart } from '../../../shared/ipc/contract.ts';
import type { RapidoApi } from '../../../shared/ipc/rapido-api.ts';
import { slideTitle, type Lesson } from '../../../shared/lesson/lesson-schema.ts';
import { err, errorMessage, ok, type RapidoError, type Result } from '../../../shared/result.ts';
import {
  ExportFailure,
  Mp4ExportWriter,
  exportAudioSampleRateHz,
  type ExportCodecs,
} from './mp4-export-writer.ts';
import { CaptionTrack } from '../../engine/captions/caption-track.ts';
import {
  programFrameOf,
  slidesAhead,
  type PlayerSlides,
  type ProgramFrame,
} from '../../engine/playback/presentation-player.ts';
import type { SlidePreparer } from '../../engine/playback/slide-preparer.ts';
import {
  chapterFor,
  etaMs,
  frameCountFor,
  firstFrameAtOrAfter,
  frameTimeMs,
  framesOf,
  sampleAt,
  type Chapter,
} from './export-timeline.ts';
import { ProgramAudioTrack, slideSamplesAt } from './slide-audio.ts';
import type { OutputTarget } from '../output-target.ts';

/**
 * The frame-stepped exporter: walks the lesson in program time, draws every frame exactly once
 * through the same compositor and avatar sources as live playback, and encodes it as fast as the
 * machine allows. Slides are prepared a little ahead (speech from cache or the voice service)
 * and forgotten once encoded, so memory stays flat however long the lesson is.
 */
export interface ExportStage {
  /** The program canvas the frame is drawn on. */
  readonly canvas: HTMLCanvasElement;
  /** Draws the program as it is at `frame`, waiting for any avatar image it needs. */
  drawFrame(frame: ProgramFrame, captions: CaptionTrack): Promise<void>;
  /** The slide is encoded: its avatar frames may go. */
  releaseSlide(index: number): void;
}

export interface ExportProgress {
  phase: 'checking' | 'preparing' | 'exporting' | 'finishing';
  fraction: number;
  programMs: number;
  /** Exact for the slides prepared so far, estimated for the rest. */
  totalMs: number;
  slideIndex: number;
  etaMs: number | null;
  /** Program seconds encoded per wall second so far. */
  realtimeFactor: number | null;
}

/** Where an export's wall time went, in milliseconds (the rest is yielding and bookkeeping). */
export interface ExportTimings {
  /** Waiting for slides' speech (and avatar) to be prepared. */
  prepareMs: number;
  /** Resampling and encoding the audio. */
  audioMs: number;
  /** Drawing program frames (compositor and avatar, plus any wait for SyncTalk images). */
  drawMs: number;
  /** Handing frames to the encoder and waiting for it and the file to take more. */
  encodeMs: number;
}

/** Where every export starts: checking the slide images, nothing made yet. */
export function startingProgress(estimatedTotalMs: number): ExportProgress {
  return {
    phase: 'checking',
    fraction: 0,
    programMs: 0,
    totalMs: estimatedTotalMs,
    slideIndex: 0,
    etaMs: null,
    realtimeFactor: null,
  };
}

export interface ExportResult extends ExportInfo {
  frames: number;
  programMs: number;
  timings: ExportTimings;
  wallMs: number;
  codecs: ExportCodecs;
  chapters: Chapter[];
}

export interface ExportRequest {
  api: RapidoApi;
  lesson: Lesson;
  preparer: SlidePreparer;
  /** Where prepared slides come from (the preparer, or the avatar-aware wrapper over it). */
  slides: PlayerSlides;
  stage: ExportStage;
  /** Where main writes it: an id it handed out, or (none) its recordings folder. */
  target: OutputTarget;
  signal: AbortSignal;
  /** One part of a split render (`rapido render --parallel`); absent: the whole lesson. */
  part?: RenderPart | null;
  onProgress(progress: ExportProgress): void;
  /** Told when the encoders are set up, before the first frame (for logs). */
  onStart?(info: { path: string; codecs: ExportCodecs }): void;
  /** Told once the writer is done with, finished or not: whether its encoders were released. */
  onClosed?(info: { encodersClosed: boolean }): void;
}

const progressIntervalMs = 250;
/** Give the page a turn this often, so the progress bar moves and Cancel can be clicked. */
const yieldEveryMs = 50;

function cancelled(): RapidoError {
  return { code: 'cancelled', message: 'The export was cancelled; nothing was kept.' };
}

/** A function, not an inline check: the signal changes across the awaits between checks. */
function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new ExportFailure(cancelled());
}

/** Lets input and rendering run between frames (scheduler.yield where the browser has it). */
function yieldToPage(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (scheduler?.yield) return scheduler.yield();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

/**
 * Every slide image must decode before a byte is written: a missing or broken image is named,
 * and nothing is left behind.
 */
async function checkSlideImages(request: ExportRequest, range: ExportRange): Promise<Result<void>> {
  const { preparer } = request;
  // The audio part draws nothing: the video parts check their own slides.
  if (!range.video) return ok(undefined);
  for (let index = range.fromSlide; index < range.toSlide; index += 1) {
    if (request.signal.aborted) return { ok: false, error: cancelled() };
    const shown = await preparer.display(index);
    preparer.release(index);
    if (!shown.ok) {
      const named = shown.error.message.startsWith(`Slide ${index + 1}:`);
      return err(
        'asset-not-found',
        named ? shown.error.message : `Slide ${index + 1}: ${shown.error.message}`,
        {
          hint: 'Fix or replace the slide image, then export again. Nothing was written.',
        },
      );
    }
  }
  return ok(undefined);
}

/** What one export run makes: the slides whose video it draws, and which tracks. */
export interface ExportRange {
  /** First slide whose video is drawn (the walk starts here). */
  fromSlide: number;
  /** One past the last slide whose video is drawn. */
  toSlide: number;
  video: boolean;
  /** The whole lesson's audio (then the walk goes on to the last slide, drawing nothing more). */
  audio: boolean;
}

/** The whole lesson, or the part of a split render this run makes (null: a part it cannot). */
export function exportRange(
  part: RenderPart | null | undefined,
  slideCount: number,
): ExportRange | null {
  if (!part) return { fromSlide: 0, toSlide: slideCount, video: true, audio: true };
  if (part.track === 'audio') {
    return { fromSlide: 0, toSlide: slideCount, video: false, audio: true };
  }
  const toSlide = Math.min(part.toSlide, slideCount);
  const fromSlide = Math.min(part.fromSlide, toSlide);
  const audio = part.audio ?? false;
  // The audio is walked from the lesson's start: only a part that starts there can carry it.
  if (audio && fromSlide !== 0) return null;
  return { fromSlide, toSlide, video: true, audio };
}

/**
 * Where slide `fromSlide` starts in program time: every slide before it is prepared (speech
 * from cache) for its length alone, then forgotten. The sum is made exactly as the export loop
 * makes it, so a part's frames line up with the whole render's.
 */
async function programStartOf(
  preparer: SlidePreparer,
  fromSlide: number,
  signal: AbortSignal,
): Promise<Result<number>> {
  let startMs = 0;
  for (let index = 0; index < fromSlide; index += 1) {
    if (signal.aborted) return { ok: false, error: cancelled() };
    const prepared = await preparer.prepare(index);
    if (!prepared.ok) return prepared;
    startMs = startMs + prepared.value.speechMs + prepared.value.holdMs;
    preparer.release(index);
  }
  return ok(startMs);
}

export async function exportLesson(request: ExportRequest): Promise<Result<ExportResult>> {
  const { api, lesson, preparer, stage, signal } = request;
  const startedMs = performance.now();
  const fps = lesson.output.fps;
  const range = exportRange(request.part, lesson.slides.length);
  if (!range) {
    return err(
      'invalid-request',
      'Only a part that starts at the first slide can carry the audio.',
    );
  }
  // Slides whose video is drawn come with their avatar; the others need speech and words only.
  const slidesFor = (index: number): PlayerSlides =>
    range.video && index < range.toSlide ? request.slides : preparer;
  const slideCount = range.audio ? lesson.slides.length : range.toSlide;
  const starting = startingProgress(preparer.estimatedTotalMs());
  request.onProgress(starting);
  const checked = await checkSlideImages(request, range);
  if (!checked.ok) return checked;

  request.onProgress({ ...starting, phase: 'preparing' });
  const rangeStart = await programStartOf(preparer, range.fromSlide, signal);
  if (!rangeStart.ok) return rangeStart;
  if (range.fromSlide < slideCount) {
    const first = await slidesFor(range.fromSlide).prepare(range.fromSlide);
    if (signal.aborted) return { ok: false, error: cancelled() };
    if (!first.ok) return first;
  }
  let startMs = rangeStart.value;
  let frame = firstFrameAtOrAfter(startMs, fps);

  const opened = await Mp4ExportWriter.open(api, {
    lessonId: lesson.id,
    title: lesson.title,
    width: lesson.output.width,
    height: lesson.output.height,
    fps,
    ...request.target,
    ...(request.part
      ? { part: { video: range.video, audio: range.audio, firstFrame: frame } }
      : {}),
  });
  if (!opened.ok) return opened;
  const writer = opened.value;
  request.onStart?.({ path: writer.info.path, codecs: writer.codecs });
  const audio = new ProgramAudioTrack((samples, at) => writer.addAudio(samples, at));
  const captions = new CaptionTrack();
  const chapters: Chapter[] = [];
  const timings: ExportTimings = { prepareMs: 0, audioMs: 0, drawMs: 0, encodeMs: 0 };
  const encodeStartedMs = performance.now();
  let lastProgressMs = 0;
  let lastYieldMs = performance.now();
  const firstFrame = frame;
  /** One past the last frame drawn. */
  let videoEndFrame = frame;

  /**
   * `pendingFrom`: the first slide not yet encoded (its length may still be an estimate). A part
   * reports its own share: program time from its first frame.
   */
  const report = (phase: ExportProgress['phase'], pendingFrom: number, force: boolean) => {
    const now = performance.now();
    if (!force && now - lastProgressMs < progressIntervalMs) return;
    lastProgressMs = now;
    const programMs = frameTimeMs(frame - firstFrame, fps);
    let totalMs = startMs - rangeStart.value;
    // A part's share is its video; the audio walk after it is quick.
    const progressEnd = range.video ? range.toSlide : slideCount;
    for (let index = pendingFrom; index < progressEnd; index += 1) {
      totalMs += preparer.estimatedSlideMs(index);
    }
    const elapsedMs = now - encodeStartedMs;
    request.onProgress({
      phase,
      slideIndex: Math.min(pendingFrom, slideCount - 1),
      programMs,
      totalMs: Math.max(totalMs, programMs),
      fraction: Math.min(1, programMs / Math.max(1, totalMs)),
      etaMs: etaMs(programMs, totalMs, elapsedMs),
      realtimeFactor: programMs > 0 && elapsedMs > 0 ? programMs / elapsedMs : null,
    });
  };

  try {
    for (let index = range.fromSlide; index < slideCount; index += 1) {
      let markMs = performance.now();
      const prepared = await slidesFor(index).prepare(index);
      if (!prepared.ok) throw new ExportFailure(prepared.error);
      timings.prepareMs += performance.now() - markMs;
      // Look-ahead: the next slides' speech (and avatar) are made while this one encodes.
      for (const ahead of slidesAhead(index, slideCount)) void slidesFor(ahead).prepare(ahead);
      const slide = prepared.value;
      const span = { index, startMs, endMs: startMs + slide.speechMs + slide.holdMs };
      markMs = performance.now();
      if (range.audio) {
        await audio.speechAt(
          sampleAt(startMs, exportAudioSampleRateHz),
          await slideSamplesAt(slide.audio, exportAudioSampleRateHz),
        );
      }
      timings.audioMs += performance.now() - markMs;
      captions.onAir(slide, startMs / 1000);
      const chapter = chapterFor(span, slideTitle(slide.slide, index), fps);
      if (chapter) chapters.push(chapter);
      const frames = framesOf(span, fps);
      // Past its video (or with none), a part draws no frame: it only counts them.
      if (!range.video || index >= range.toSlide) frame = frames.end;
      for (; frame < frames.end; frame += 1) {
        throwIfCancelled(signal);
        const programFrame = programFrameOf(slide, frameTimeMs(frame, fps) - startMs, startMs);
        markMs = performance.now();
        await stage.drawFrame(programFrame, captions);
        const drawnMs = performance.now();
        timings.drawMs += drawnMs - markMs;
        await writer.addVideoFrame(stage.canvas, frame, frame === frames.first);
        timings.encodeMs += performance.now() - drawnMs;
        report('exporting', index, frame === frames.first);
        if (performance.now() - lastYieldMs > yieldEveryMs) {
          await yieldToPage();
          lastYieldMs = performance.now();
        }
      }
      if (range.video && index < range.toSlide) videoEndFrame = frame;
      stage.releaseSlide(index);
      preparer.release(index);
      startMs = span.endMs;
    }
    throwIfCancelled(signal);
    const totalFrames = frameCountFor(startMs, fps);
    const drawnFrames = range.video ? videoEndFrame - firstFrame : 0;
    if (frame !== totalFrames) {
      throw new ExportFailure({
        code: 'internal',
        message: `the export made ${frame} frames for ${totalFrames} frame intervals`,
      });
    }
    const durationMs = frameTimeMs(totalFrames, fps);
    // The audio ends where the video does: the last frame's interval, in silence after speech.
    if (range.audio) await audio.silenceUntil(sampleAt(durationMs, exportAudioSampleRateHz));
    report('finishing', slideCount, true);
    const finished = await writer.finish({
      chapters,
      durationMs,
      captionsVtt: captions.webVttSince(0),
    });
    request.onClosed?.({ encodersClosed: writer.encodersClosed });
    if (!finished.ok) return finished;
    return ok({
      ...finished.value,
      frames: drawnFrames,
      // A video part's own program time (what its speed is measured on), else the lesson's.
      programMs: request.part && range.video ? frameTimeMs(drawnFrames, fps) : startMs,
      wallMs: performance.now() - startedMs,
      timings,
      codecs: writer.codecs,
      chapters,
    });
  } catch (error) {
    await writer.cancel();
    request.onClosed?.({ encodersClosed: writer.encodersClosed });
    if (error instanceof ExportFailure) return { ok: false, error: error.error };
    return err('export-failed', `The export failed: ${errorMessage(error)}`);
  }
}
