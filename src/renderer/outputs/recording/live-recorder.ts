import type { RapidoApi } from '../../../shared/ipc/rapido-api.ts';
import { err, ok, type Result } from '../../../shared/result.ts';
import type { RecordingInfo } from '../../../shared/ipc/contract.ts';
import { recordingMimeType, videoBitrateFor } from '../video-codec.ts';

/**
 * Chromium's MP4 muxer closes a fragment (moof + mdat) only at the next video key frame, and a
 * `dataavailable` chunk carries only closed fragments; its encoder's default key frame interval
 * left 4-7 s of every recording in memory, lost on a crash (measured by
 * e2e/recording-crash.spec.ts). A key frame every half second and a chunk every quarter keep what
 * a SIGKILL loses under a second, at a few percent more bits for the extra key frames.
 */
const keyFrameIntervalMs = 500;
const chunkIntervalMs = 250;

/** Chromium's MediaRecorder options the DOM typings do not have yet (Chromium 118+). */
interface CrashSafeRecorderOptions extends MediaRecorderOptions {
  videoKeyFrameIntervalDuration?: number;
}

export type RecorderState = 'idle' | 'starting' | 'recording' | 'paused' | 'finishing';

export interface RecorderOptions {
  stream: MediaStream;
  lessonId: string;
  lessonTitle: string;
  /** An id main handed out (the CLI's --out); without one, main's recordings folder. */
  destinationId?: string;
  width: number;
  height: number;
  fps: number;
}

/**
 * Records the program (one canvas track + the program audio mix) with MediaRecorder and streams
 * each chunk to the main process as it arrives, so the file on disk grows while recording.
 */
export class LiveRecorder {
  private recorder: MediaRecorder | null = null;
  private recording: RecordingInfo | null = null;
  private writes: Promise<void> = Promise.resolve();
  private writeError: string | null = null;
  private stateValue: RecorderState = 'idle';
  private startedAtMs = 0;
  /** Started and paused by `arm`, waiting for `go`. */
  private armed = false;

  constructor(
    private readonly api: RapidoApi,
    private readonly onChange: (state: RecorderState, info: RecordingInfo | null) => void,
  ) {}

  get state(): RecorderState {
    return this.stateValue;
  }

  get isArmed(): boolean {
    return this.armed;
  }

  /** Opens the file and starts recording at once (as Record does). */
  async start(options: RecorderOptions): Promise<Result<RecordingInfo>> {
    const armed = await this.arm(options);
    if (armed.ok) this.go();
    return armed;
  }

  /**
   * Opens the file and starts the encoder paused, so that `go` begins the file at once: the
   * render command arms before it presses Play, and the file still starts with the first word.
   * Reads as 'starting' until `go`.
   */
  async arm(options: RecorderOptions): Promise<Result<RecordingInfo>> {
    if (this.stateValue !== 'idle')
      return err('recording-failed', 'A recording is already running.');
    const mimeType = recordingMimeType(options.width, options.height, options.fps);
    if (!MediaRecorder.isTypeSupported(mimeType)) {
      return err('recording-failed', `This browser cannot record ${mimeType}.`, {
        hint: 'Use a Chromium-based browser (Chromium 126 or newer) or the desktop app.',
      });
    }
    this.setState('starting');
    const started = await this.api.recording.start({
      lessonId: options.lessonId,
      lessonTitle: options.lessonTitle,
      mimeType,
      ...(options.destinationId === undefined ? {} : { destinationId: options.destinationId }),
    });
    if (!started.ok) {
      this.setState('idle');
      return started;
    }
    this.recording = started.value;
    this.writeError = null;
    const recorderOptions: CrashSafeRecorderOptions = {
      mimeType,
      videoBitsPerSecond: videoBitrateFor(options.width, options.height, options.fps),
      audioBitsPerSecond: 128_000,
      videoKeyFrameIntervalDuration: keyFrameIntervalMs,
    };
    const recorder = new MediaRecorder(options.stream, recorderOptions);
    recorder.addEventListener('dataavailable', (event) => this.enqueue(event.data));
    this.recorder = recorder;
    recorder.start(chunkIntervalMs);
    // Paused in the same task it started in, so no frame before `go` reaches the file.
    recorder.pause();
    this.armed = true;
    return ok(started.value);
  }

  /** Begins the file an `arm` prepared; false when nothing is armed. */
  go(): boolean {
    if (!this.armed || !this.recorder) return false;
    this.armed = false;
    this.recorder.resume();
    this.startedAtMs = performance.now();
    this.setState('recording');
    return true;
  }

  pause(): void {
    if (this.recorder?.state === 'recording') {
      this.recorder.pause();
      this.setState('paused');
    }
  }

  resume(): void {
    if (this.recorder?.state === 'paused' && !this.armed) {
      this.recorder.resume();
      this.setState('recording');
    }
  }

  /**
   * Stops, waits for the last chunk to reach the disk, and closes the file; `captionsVtt`
   * (asked for once the last frame is in) is written beside it.
   */
  async stop(captionsVtt?: () => string): Promise<Result<RecordingInfo>> {
    const recorder = this.recorder;
    const recording = this.recording;
    if (!recorder || !recording) return err('recording-failed', 'No recording is running.');
    this.armed = false;
    this.setState('finishing');
    const stopped = new Promise<void>((resolve) =>
      recorder.addEventListener('stop', () => resolve(), { once: true }),
    );
    if (recorder.state !== 'inactive') recorder.stop();
    await stopped;
    await this.writes;
    const finished = await this.api.recording.finish(
      recording.recordingId,
      performance.now() - this.startedAtMs,
      captionsVtt?.(),
    );
    this.recorder = null;
    this.recording = null;
    this.setState('idle', finished.ok ? finished.value : null);
    if (this.writeError !== null) return err('recording-failed', this.writeError);
    return finished;
  }

  private enqueue(blob: Blob): void {
    const recording = this.recording;
    if (!recording || blob.size === 0) return;
    this.writes = this.writes.then(async () => {
      const chunk = new Uint8Array(await blob.arrayBuffer());
      const appended = await this.api.recording.append(recording.recordingId, chunk);
      if (appended.ok) this.onChange(this.stateValue, appended.value);
      else this.writeError = appended.error.message;
    });
  }

  private setState(state: RecorderState, info: RecordingInfo | null = this.recording): void {
    this.stateValue = state;
    this.onChange(state, info);
  }
}
