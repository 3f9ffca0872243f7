import type { RecordingInfo } from '../../../shared/ipc/contract.ts';
import type { RapidoApi } from '../../../shared/ipc/rapido-api.ts';
import type { RapidoError } from '../../../shared/result.ts';
import type { ProgramEngine } from '../../engine/program-engine.ts';
import { outputLog, type OutputLog } from '../output-log.ts';
import type { OutputTarget } from '../output-target.ts';
import { LiveRecorder, type RecorderState } from './live-recorder.ts';

export interface RecordingStatus {
  recorderState: RecorderState;
  /** The file being written (its size grows as chunks land), or the last one finished. */
  recording: RecordingInfo | null;
}

export interface RecordingEvents {
  onChange(status: RecordingStatus): void;
  onError(error: RapidoError): void;
  onSaved(info: RecordingInfo): void;
}

/**
 * The recording output: records the program's stream (one canvas track and the mix) to a file
 * with its captions beside it. It starts after the first slide is prepared and before the clock
 * starts, follows pause and resume, and ends with the lesson or on Stop; while it runs, content
 * edits wait, so the file is one lesson.
 */
export class RecordingOutput {
  private readonly recorder: LiveRecorder;
  private readonly log: OutputLog;
  private readonly unobserve: () => void;
  private info: RecordingInfo | null = null;
  private stopAtEnd = false;
  private captions: (() => string) | null = null;
  private releaseLesson: (() => void) | null = null;
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly engine: ProgramEngine,
    api: RapidoApi,
    private readonly events: RecordingEvents,
  ) {
    this.log = outputLog(api, engine, 'recording');
    this.recorder = new LiveRecorder(api, (_state, info) => {
      this.info = info;
      this.events.onChange(this.status);
    });
    this.unobserve = engine.observe({
      playState: (state) => {
        if (state === 'paused') this.recorder.pause();
        if (state === 'playing') this.recorder.resume();
        if (state === 'ended' && this.stopAtEnd) void this.stop();
      },
      stopping: () => this.stop(),
    });
  }

  get status(): RecordingStatus {
    return { recorderState: this.recorder.state, recording: this.info };
  }

  get state(): RecorderState {
    return this.recorder.state;
  }

  /**
   * Records the presentation: from the selected slide as Play does (from the start after the
   * lesson ended), or from now when it already plays. Ends with the lesson unless stopped first.
   * After `arm`, the armed file is the one recorded.
   */
  async record(target: OutputTarget = {}): Promise<boolean> {
    const engine = this.engine;
    if (!engine.currentLesson || engine.isStepping) return false;
    this.stopAtEnd = true;
    const state = engine.playState;
    if (state === 'playing' || state === 'paused') return this.startRecorder(target);
    const started = await engine.play(() => this.startRecorder(target));
    // Play was cancelled before its clock: an armed file must not stay open.
    if (!started && this.recorder.isArmed) await this.stop();
    return started;
  }

  /**
   * Opens the file and readies the encoder before Play, so that Play starts the file at once
   * (the render command, which knows it will record, arms while the first slide pre-rolls).
   */
  async arm(target: OutputTarget): Promise<boolean> {
    const engine = this.engine;
    if (!engine.currentLesson || engine.isStepping || this.recorder.state !== 'idle') return false;
    return this.armRecorder(target);
  }

  /** Stops, waits for the file to be complete, and says where it is. */
  async stop(): Promise<void> {
    if (this.recorder.state === 'idle') return;
    this.stopping ??= this.stopNow().finally(() => (this.stopping = null));
    await this.stopping;
  }

  async dispose(): Promise<void> {
    this.unobserve();
    await this.stop();
  }

  private async startRecorder(target: OutputTarget): Promise<boolean> {
    if (!this.recorder.isArmed && !(await this.armRecorder(target))) return false;
    this.recorder.go();
    // The WebVTT file's zero is the audio clock when the recorder started.
    this.captions = this.engine.captionsFromNow();
    this.log('info', `recording to ${this.info?.path ?? '?'}`, 'recording_start');
    return true;
  }

  private async armRecorder(target: OutputTarget): Promise<boolean> {
    const lesson = this.engine.currentLesson;
    if (!lesson) return false;
    this.releaseLesson = this.engine.holdLesson();
    const armed = await this.recorder.arm({
      stream: this.engine.programStream(),
      lessonId: lesson.id,
      lessonTitle: lesson.title,
      width: lesson.output.width,
      height: lesson.output.height,
      fps: lesson.output.fps,
      ...target,
    });
    if (!armed.ok) {
      this.release();
      this.events.onError(armed.error);
      return false;
    }
    return true;
  }

  private async stopNow(): Promise<void> {
    this.stopAtEnd = false;
    const captions = this.captions;
    const result = await this.recorder.stop(captions ?? undefined);
    this.captions = null;
    if (result.ok) {
      this.log('info', `recording saved: ${result.value.path}`, 'recording_end', {
        bytes: result.value.bytesWritten,
      });
      this.events.onSaved(result.value);
    } else {
      this.events.onError(result.error);
    }
    this.release();
    this.events.onChange(this.status);
  }

  private release(): void {
    const release = this.releaseLesson;
    this.releaseLesson = null;
    release?.();
  }
}
