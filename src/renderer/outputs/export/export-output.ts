import type { RenderPart } from '../../../shared/ipc/contract.ts';
import type { RapidoApi } from '../../../shared/ipc/rapido-api.ts';
import { err, type Result } from '../../../shared/result.ts';
import type { OutputTarget } from '../output-target.ts';
import type { ProgramEngine } from '../../engine/program-engine.ts';
import { outputLog, type OutputLog } from '../output-log.ts';
import {
  exportLesson,
  startingProgress,
  type ExportProgress,
  type ExportResult,
} from './lesson-export.ts';

export interface ExportEvents {
  /** The export's progress, or null when none runs (at most a few times a second). */
  onChange(progress: ExportProgress | null): void;
}

/**
 * The export output: the lesson to an MP4, frame-stepped (every frame drawn once, as fast as
 * the machine allows) through the program's own canvas, compositor and avatars, which it holds
 * for the run. Playback stops first; the program view shows the frames as they are made.
 */
export class ExportOutput {
  private readonly log: OutputLog;
  private run: { controller: AbortController; progress: ExportProgress } | null = null;

  constructor(
    private readonly engine: ProgramEngine,
    private readonly api: RapidoApi,
    private readonly events: ExportEvents,
    /** Whether a recording runs: an export then waits for it to be stopped. */
    private readonly isRecording: () => boolean,
  ) {
    this.log = outputLog(api, engine, 'export');
  }

  get progress(): ExportProgress | null {
    return this.run ? { ...this.run.progress } : null;
  }

  /** `part`: one part of a split render (`rapido render --parallel`); absent: the whole lesson. */
  async exportVideo(
    target: OutputTarget = {},
    part: RenderPart | null = null,
  ): Promise<Result<ExportResult>> {
    if (!this.engine.currentLesson)
      return err('invalid-request', 'Open a lesson before exporting.');
    if (this.run) return err('invalid-request', 'An export is already running.');
    if (this.isRecording()) return err('invalid-request', 'Stop the recording before exporting.');
    const controller = new AbortController();
    this.run = { controller, progress: startingProgress(0) };
    const stepper = await this.engine.beginStepping();
    if (!stepper) {
      this.run = null;
      return err('invalid-request', 'Open a lesson before exporting.');
    }
    const { lesson, preparer } = stepper;
    this.run.progress = startingProgress(preparer.estimatedTotalMs());
    this.events.onChange(this.progress);
    const result = await exportLesson({
      api: this.api,
      lesson,
      preparer,
      slides: stepper.slides,
      target,
      part,
      signal: controller.signal,
      stage: stepper,
      onClosed: ({ encodersClosed }) =>
        this.log('info', 'export encoders released', 'export_encoders', { encodersClosed }),
      onProgress: (progress) => {
        if (this.run?.controller !== controller) return;
        this.run.progress = progress;
        stepper.showSlideIndex(progress.slideIndex, progress.phase !== 'exporting');
        this.events.onChange(this.progress);
      },
      onStart: ({ path, codecs }) =>
        this.log('info', `exporting to ${path}`, 'export_start', {
          width: lesson.output.width,
          height: lesson.output.height,
          fps: lesson.output.fps,
          videoCodec: codecs.video,
          audioCodec: codecs.audio,
        }),
    });
    this.run = null;
    await stepper.end();
    this.logResult(result);
    this.events.onChange(null);
    return result;
  }

  /** Stops the export under way; what it wrote is deleted. */
  cancel(): void {
    this.run?.controller.abort();
  }

  dispose(): void {
    this.cancel();
  }

  private logResult(result: Result<ExportResult>): void {
    if (result.ok) {
      const { frames, programMs, wallMs, timings } = result.value;
      this.log('info', `export saved: ${result.value.path}`, 'export_end', {
        frames,
        programMs: Math.round(programMs),
        wallMs: Math.round(wallMs),
        realtimeFactor: Math.round((programMs / wallMs) * 100) / 100,
        bytes: result.value.bytesWritten,
        chapters: result.value.chapters.length,
        prepareMs: Math.round(timings.prepareMs),
        audioMs: Math.round(timings.audioMs),
        drawMs: Math.round(timings.drawMs),
        encodeMs: Math.round(timings.encodeMs),
      });
    } else if (result.error.code === 'cancelled') {
      this.log('info', 'export cancelled; nothing kept', 'export_cancelled');
    } else {
      this.log('warn', `export failed: ${result.error.message}`, 'export_failed');
    }
  }
}
