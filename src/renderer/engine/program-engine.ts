import type { RecordingInfo, RenderProgress } from '../../shared/ipc/contract.ts';
import type { RapidoApi } from '../../shared/ipc/rapido-api.ts';
import type { Lesson } from '../../shared/lesson/lesson-schema.ts';
import type { RapidoError } from '../../shared/result.ts';
import { Compositor } from './compositor/compositor.ts';
import { avatarPoseAt } from './local-avatar/avatar-motion.ts';
import { LocalAvatarRenderer } from './local-avatar/local-avatar-renderer.ts';
import { PresentationPlayer, type PlayState } from './playback/presentation-player.ts';
import { ProgramAudio } from './playback/program-audio.ts';
import { SlidePreparer, type PreparedSlide } from './playback/slide-preparer.ts';
import { LiveRecorder, type RecorderState } from '../outputs/live-recorder.ts';

/** What the UI needs to know, pushed at most a few times a second (never per frame). */
export interface EngineSnapshot {
  playState: PlayState;
  slideIndex: number;
  programMs: number;
  totalMs: number | null;
  /** Shown until every slide is prepared and totalMs is exact. */
  estimatedTotalMs: number;
  recorderState: RecorderState;
  recording: RecordingInfo | null;
  composerFps: number;
}

export interface EngineEvents {
  onSnapshot(snapshot: EngineSnapshot): void;
  onError(error: RapidoError): void;
  onRecordingSaved(info: RecordingInfo): void;
}

const avatarFrameSize = 512;

/**
 * The framework-free engine: one program canvas fed by the compositor, one audio mix, and the
 * outputs that consume them. React only adapts it (STYLE.md: nothing per frame goes through
 * React or the store).
 */
export class ProgramEngine {
  readonly canvas: HTMLCanvasElement;
  private readonly compositor: Compositor;
  private readonly avatar: LocalAvatarRenderer;
  private readonly audio = new ProgramAudio();
  private readonly captureTrack: CanvasCaptureMediaStreamTrack;
  private readonly recorder: LiveRecorder;
  private preparer: SlidePreparer | null = null;
  private player: PresentationPlayer | null = null;
  private lesson: Lesson | null = null;
  private lessonDir = '';
  private selectedIndex = 0;
  private shownSlide: PreparedSlide | null = null;
  private lastFrameIndex = -1;
  private animationHandle = 0;
  private framesThisSecond = 0;
  private fpsWindowStartMs = performance.now();
  private composerFps = 0;
  private programMs = 0;
  private lastSnapshotMs = 0;
  private recordingInfo: RecordingInfo | null = null;
  private stopRecordingAtEnd = false;
  private disposed = false;

  constructor(
    private readonly api: RapidoApi,
    private readonly events: EngineEvents,
    output: { width: number; height: number },
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.width = output.width;
    this.canvas.height = output.height;
    this.canvas.className = 'program-canvas';
    this.compositor = new Compositor(this.canvas, output);
    this.avatar = new LocalAvatarRenderer({
      width: avatarFrameSize,
      height: avatarFrameSize,
      keyColor: '#00b140',
    });
    // captureStream(0) + requestFrame: exactly one video frame per program frame we render.
    const stream = this.canvas.captureStream(0);
    const [track] = stream.getVideoTracks();
    if (!track) throw new Error('the program canvas gave no video track');
    this.captureTrack = track as CanvasCaptureMediaStreamTrack;
    this.recorder = new LiveRecorder(api, (_state, info) => {
      this.recordingInfo = info;
      this.pushSnapshot(true);
    });
    this.animationHandle = requestAnimationFrame(this.loop);
  }

  /** The program as one MediaStream: every output consumes this, nothing renders twice. */
  programStream(): MediaStream {
    return new MediaStream([
      this.captureTrack,
      ...this.audio.streamDestination.stream.getAudioTracks(),
    ]);
  }

  async loadLesson(lessonDir: string, lesson: Lesson): Promise<void> {
    await this.stop();
    this.preparer?.dispose();
    this.lesson = lesson;
    this.lessonDir = lessonDir;
    this.selectedIndex = 0;
    this.shownSlide = null;
    if (this.canvas.width !== lesson.output.width || this.canvas.height !== lesson.output.height) {
      this.canvas.width = lesson.output.width;
      this.canvas.height = lesson.output.height;
    }
    this.compositor.resize(lesson.output);
    this.compositor.setKey(lesson.avatar.keyColor, lesson.avatar.chromaKey);
    this.avatar.setKeyColor(lesson.avatar.keyColor);
    this.preparer = new SlidePreparer(this.api, this.audio, lessonDir, lesson);
    this.player = new PresentationPlayer(this.audio, this.preparer, {
      onState: (state) => this.onPlayState(state),
      onSlide: (index) => {
        this.selectedIndex = index;
        this.pushSnapshot(true);
        this.log('info', `slide ${index + 1} on air`, 'slide_change');
      },
      onError: (error) => this.events.onError(error),
      onStall: (index, stallMs) =>
        this.log(
          'warn',
          `slide ${index + 1} started ${Math.round(stallMs)} ms late`,
          'slide_stall',
          { stallMs },
        ),
    });
    await this.showSlide(0);
    // Look-ahead from the moment a lesson opens: Play then starts without waiting.
    void this.preparer.prepare(1);
    this.pushSnapshot(true);
  }

  get currentLesson(): Lesson | null {
    return this.lesson;
  }

  async play(): Promise<void> {
    if (!this.player) return;
    if (this.player.state === 'paused') {
      await this.resume();
      return;
    }
    const from = this.player.state === 'ended' ? 0 : this.selectedIndex;
    await this.player.play(from);
  }

  async pause(): Promise<void> {
    await this.player?.pause();
    this.recorder.pause();
  }

  async resume(): Promise<void> {
    this.recorder.resume();
    await this.player?.resume();
  }

  async stop(): Promise<void> {
    this.player?.stop();
    if (this.recorder.state !== 'idle') await this.stopRecording();
  }

  async goToSlide(index: number): Promise<void> {
    if (!this.player || !this.lesson) return;
    const clamped = Math.max(0, Math.min(this.lesson.slides.length - 1, index));
    if (this.player.state === 'idle' || this.player.state === 'ended') {
      this.selectedIndex = clamped;
      await this.showSlide(clamped);
      this.pushSnapshot(true);
      return;
    }
    await this.player.jumpTo(clamped);
  }

  /**
   * Records the presentation: the recorder starts after the first slide is prepared and before
   * the clock starts, so the file begins with the first word, not with waiting. Ends with the
   * lesson unless the user stops it first.
   */
  async record(target: { directory?: string; outPath?: string }): Promise<boolean> {
    if (!this.player || !this.lesson) return false;
    const lesson = this.lesson;
    const startRecorder = async (): Promise<boolean> => {
      const started = await this.recorder.start({
        stream: this.programStream(),
        lessonId: lesson.id,
        width: lesson.output.width,
        height: lesson.output.height,
        fps: lesson.output.fps,
        ...target,
      });
      if (!started.ok) this.events.onError(started.error);
      else this.log('info', `recording to ${started.value.path}`, 'recording_start');
      return started.ok;
    };
    this.stopRecordingAtEnd = true;
    if (this.player.state === 'playing' || this.player.state === 'paused') {
      return startRecorder();
    }
    // From the selected slide, as Play does; after the lesson has ended, from the beginning.
    const from = this.player.state === 'ended' ? 0 : this.selectedIndex;
    return this.player.play(from, startRecorder);
  }

  async stopRecording(): Promise<void> {
    if (this.recorder.state === 'idle') return;
    this.stopRecordingAtEnd = false;
    const result = await this.recorder.stop();
    if (result.ok) {
      this.log('info', `recording saved: ${result.value.path}`, 'recording_end', {
        bytes: result.value.bytesWritten,
      });
      this.events.onRecordingSaved(result.value);
    } else {
      this.events.onError(result.error);
    }
    this.pushSnapshot(true);
  }

  /** Progress of the current run, for the render CLI. */
  progress(): RenderProgress {
    const totalMs = this.preparer?.totalMs() ?? null;
    return {
      phase:
        this.player?.state === 'playing' || this.player?.state === 'paused'
          ? 'playing'
          : 'preparing',
      fraction: totalMs ? Math.min(1, this.programMs / totalMs) : 0,
      programMs: this.programMs,
      totalMs,
      slideIndex: this.selectedIndex,
    };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    cancelAnimationFrame(this.animationHandle);
    await this.stop();
    this.player?.dispose();
    this.preparer?.dispose();
    this.avatar.dispose();
    this.compositor.dispose();
    this.captureTrack.stop();
    await this.audio.dispose();
  }

  private async showSlide(index: number): Promise<void> {
    if (!this.preparer) return;
    const prepared = await this.preparer.prepare(index);
    if (!prepared.ok) {
      this.events.onError(prepared.error);
      return;
    }
    if (this.player?.state === 'idle' || this.player?.state === 'ended')
      this.putOnAir(prepared.value);
  }

  private putOnAir(slide: PreparedSlide): void {
    if (this.shownSlide === slide || !this.lesson) return;
    this.shownSlide = slide;
    this.compositor.setSlide(slide.image.source, {
      width: slide.image.width,
      height: slide.image.height,
    });
    const override = slide.slide.avatar;
    this.compositor.setAvatarPlacement(
      override?.hidden ? null : (override?.placement ?? this.lesson.avatar.placement),
    );
  }

  private readonly loop = (nowMs: number): void => {
    if (this.disposed) return;
    this.animationHandle = requestAnimationFrame(this.loop);
    const fps = this.lesson?.output.fps ?? 25;
    const player = this.player;
    const onAir = player && (player.state === 'playing' || player.state === 'paused');
    // While presenting, the audio clock decides which frame is due; otherwise the wall clock.
    const clockMs = onAir ? this.audio.now() * 1000 : nowMs;
    const frameIndex = Math.floor(clockMs / (1000 / fps));
    if (frameIndex === this.lastFrameIndex) return;
    this.lastFrameIndex = frameIndex;

    let mouthOpen = 0;
    let poseTimeMs = nowMs;
    if (onAir) {
      const frame = player.frameAt(this.audio.now());
      if (frame) {
        this.putOnAir(frame.slide);
        mouthOpen = frame.mouthOpen;
        this.programMs = frame.programMs;
        poseTimeMs = frame.programMs;
      }
    }
    if (!this.shownSlide) return;
    this.avatar.draw(avatarPoseAt(poseTimeMs, mouthOpen));
    this.compositor.render({
      source: this.avatar.canvas,
      width: this.avatar.canvas.width,
      height: this.avatar.canvas.height,
    });
    this.captureTrack.requestFrame();
    this.countFrame(nowMs);
    this.pushSnapshot(false);
  };

  private countFrame(nowMs: number): void {
    this.framesThisSecond += 1;
    const elapsed = nowMs - this.fpsWindowStartMs;
    if (elapsed >= 1000) {
      this.composerFps = (this.framesThisSecond * 1000) / elapsed;
      this.framesThisSecond = 0;
      this.fpsWindowStartMs = nowMs;
      if (this.player?.state === 'playing') {
        this.api.log.write({
          level: 'info',
          logger: 'composer',
          message: 'composer fps',
          lessonId: this.lesson?.id ?? null,
          eventType: 'composer_fps',
          performance: {
            fps: Math.round(this.composerFps * 10) / 10,
            renderMs: this.compositor.stats.lastRenderMs,
          },
          performanceLog: true,
        });
      }
    }
  }

  private onPlayState(state: PlayState): void {
    this.log('info', `playback ${state}`, `playback_${state}`);
    if (state === 'ended') {
      this.programMs = this.preparer?.totalMs() ?? this.programMs;
      if (this.stopRecordingAtEnd) void this.stopRecording();
    }
    this.pushSnapshot(true);
  }

  private pushSnapshot(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastSnapshotMs < 250) return;
    this.lastSnapshotMs = now;
    this.events.onSnapshot({
      playState: this.player?.state ?? 'idle',
      slideIndex: this.selectedIndex,
      programMs: this.programMs,
      totalMs: this.preparer?.totalMs() ?? null,
      estimatedTotalMs: this.preparer?.estimatedTotalMs() ?? 0,
      recorderState: this.recorder.state,
      recording: this.recordingInfo,
      composerFps: this.composerFps,
    });
  }

  private log(
    level: 'debug' | 'info' | 'warn' | 'error',
    message: string,
    eventType: string,
    performance?: Record<string, number>,
  ): void {
    this.api.log.write({
      level,
      logger: 'engine',
      message,
      lessonId: this.lesson?.id ?? null,
      eventType,
      ...(performance ? { performance } : {}),
    });
  }
}
