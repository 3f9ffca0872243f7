import type { RapidoApi } from '../../shared/ipc/rapido-api.ts';
import { err, ok, type Result } from '../../shared/result.ts';
import type { RecordingInfo } from '../../shared/ipc/contract.ts';

/**
 * H.264 level for a frame size and rate (MaxFS in macroblocks and MaxMBPS per H.264 Table A-1),
 * so the codec string we ask MediaRecorder for is one a player will accept.
 */
export function h264CodecFor(width: number, height: number, fps: number): string {
  return `avc1.42E0${h264LevelFor(width, height, fps).toString(16).toUpperCase().padStart(2, '0')}`;
}

/** The lowest H.264 level (level_idc, e.g. 0x1f for 3.1) that carries this size and rate. */
export function h264LevelFor(width: number, height: number, fps: number): number {
  const macroblocks = Math.ceil(width / 16) * Math.ceil(height / 16);
  const perSecond = macroblocks * fps;
  const levels: [number, number, number][] = [
    [0x1e, 1620, 40_500],
    [0x1f, 3600, 108_000],
    [0x20, 5120, 216_000],
    [0x28, 8192, 245_760],
    [0x2a, 8704, 522_240],
    [0x32, 22_080, 589_824],
    [0x33, 36_864, 983_040],
  ];
  return (
    levels.find(([, maxFrame, maxRate]) => macroblocks <= maxFrame && perSecond <= maxRate)?.[0] ??
    0x33
  );
}

export function recordingMimeType(width: number, height: number, fps: number): string {
  return `video/mp4;codecs=${h264CodecFor(width, height, fps)},opus`;
}

/** Bits per second for a clean 8-bit H.264 recording of slides and a presenter. */
export function videoBitrateFor(width: number, height: number, fps: number): number {
  return Math.round(width * height * fps * 0.1);
}

export type RecorderState = 'idle' | 'starting' | 'recording' | 'paused' | 'finishing';

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

  constructor(
    private readonly api: RapidoApi,
    private readonly onChange: (state: RecorderState, info: RecordingInfo | null) => void,
  ) {}

  get state(): RecorderState {
    return this.stateValue;
  }

  async start(options: {
    stream: MediaStream;
    lessonId: string;
    directory?: string;
    outPath?: string;
    width: number;
    height: number;
    fps: number;
  }): Promise<Result<RecordingInfo>> {
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
      mimeType,
      ...(options.outPath === undefined ? {} : { outPath: options.outPath }),
      ...(options.directory === undefined ? {} : { directory: options.directory }),
    });
    if (!started.ok) {
      this.setState('idle');
      return started;
    }
    this.recording = started.value;
    this.writeError = null;
    const recorder = new MediaRecorder(options.stream, {
      mimeType,
      videoBitsPerSecond: videoBitrateFor(options.width, options.height, options.fps),
      audioBitsPerSecond: 128_000,
    });
    recorder.addEventListener('dataavailable', (event) => this.enqueue(event.data));
    this.recorder = recorder;
    // One-second chunks: at most a second is lost if the app dies mid-recording.
    recorder.start(1000);
    this.startedAtMs = performance.now();
    this.setState('recording');
    return ok(started.value);
  }

  pause(): void {
    if (this.recorder?.state === 'recording') {
      this.recorder.pause();
      this.setState('paused');
    }
  }

  resume(): void {
    if (this.recorder?.state === 'paused') {
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
