import type { RecordingInfo, RenderProgress } from '../../shared/ipc/contract.ts';
import type { RapidoApi } from '../../shared/ipc/rapido-api.ts';
import { slideTitle, type Lesson } from '../../shared/lesson/lesson-schema.ts';
import { effectivePlacement, lessonEditKind } from '../../shared/lesson/lesson-edits.ts';
import { splitSentences } from '../../shared/speech/narration-text.ts';
import {
  SyncTalkSegments,
  type SegmentImage,
  type SyncTalkSegment,
} from './avatar/synctalk-segments.ts';
import { Compositor, type AvatarFrame } from './compositor/compositor.ts';
import { avatarPoseAt } from './local-avatar/avatar-motion.ts';
import { LocalAvatarRenderer } from './local-avatar/local-avatar-renderer.ts';
import { AvatarSlides } from './playback/avatar-slides.ts';
import {
  PresentationPlayer,
  type PlayState,
  type PlayerSlides,
  type ProgramFrame,
} from './playback/presentation-player.ts';
import { ProgramAudio } from './playback/program-audio.ts';
import { SlidePreparer, type DisplaySlide, type PreparedSlide } from './playback/slide-preparer.ts';
import { CaptionTrack } from './captions/caption-track.ts';
import { LivePublisher, type LiveStatus } from '../outputs/live-publisher.ts';
import { int16Samples } from '../../shared/pcm-samples.ts';
import { LiveRecorder, type RecorderState } from '../outputs/live-recorder.ts';
import { err, type RapidoError, type Result } from '../../shared/result.ts';
import {
  exportLesson,
  startingProgress,
  type ExportProgress,
  type ExportResult,
} from './export/lesson-export.ts';

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
  /** Which avatar is on screen: the lesson's SyncTalk one, or the local one standing in. */
  avatarSource: 'local' | 'synctalk' | 'local-fallback';
  /** The LiveKit output: idle, connecting, live, reconnecting or failed (with why). */
  live: LiveStatus;
  /** The frame-stepped export under way, if any. */
  exporting: ExportProgress | null;
  /** The program shows black (the presenter's "blank"); every output gets black. */
  blanked: boolean;
  /** A pause was asked for and waits for the end of the sentence being spoken. */
  pausePending: boolean;
  /** The word being heard now, as characters of the slide's narration. */
  spokenWord: SpokenWord | null;
  /** An edit that changes speech or slides waits for the presentation to stop. */
  editPending: boolean;
}

export interface SpokenWord {
  slideIndex: number;
  charStart: number;
  charEnd: number;
}

/** What the metrics panel shows; read once a second (never per frame). */
export interface EngineMetrics {
  composerFps: number;
  /** New avatar images per second (SyncTalk frames arriving on air, or local avatar poses). */
  avatarFps: number;
  /** Frames handed to the capture track per second (recording and LiveKit read it). */
  captureFps: number;
  /** Frames per second leaving for LiveKit, as WebRTC reports them; null when not live. */
  liveFps: number | null;
  /** Slides after the one on air whose speech (and avatar) are ready. */
  lookAheadSlides: number;
  /** Program time ready beyond now: the rest of the slide on air plus the prepared ones. */
  lookAheadMs: number;
  /** Program frames skipped because the composer was late, since the lesson opened. */
  droppedFrames: number;
  /**
   * Mean over the last second of (the program time a frame shows − the program time being
   * heard when it is drawn): positive means the picture leads the sound.
   */
  avOffsetMs: number | null;
  /** The renderer's JavaScript heap (Chromium's performance.memory), if the browser tells. */
  jsHeapMB: number | null;
}

/** SyncTalk frame accounting for one run (logged, and read by tests and the benchmark). */
export interface AvatarRunStats {
  syncTalkFrames: number;
  /** Program frames that held an earlier image because the wanted one had not arrived. */
  underrunFrames: number;
  fallbackFrames: number;
  /** From Play (or Record) to the first SyncTalk image composed, for the latest run. */
  playToFirstFrameMs: number | null;
}

export interface EngineEvents {
  onSnapshot(snapshot: EngineSnapshot): void;
  onError(error: RapidoError): void;
  onRecordingSaved(info: RecordingInfo): void;
  /** Something the user should know that does not stop the show (e.g. an avatar fallback). */
  onWarning(error: RapidoError): void;
}

const avatarFrameSize = 512;
/** How long a lesson with a paid voice must stay unchanged before its look-ahead is bought. */
const paidLookAheadSettleMs = 2_000;

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
  private segments: SyncTalkSegments | null = null;
  /** The slide whose SyncTalk segment is being read, to release it when it goes off air. */
  private segmentSlide: number | null = null;
  private lastSyncTalkImage: SegmentImage | null = null;
  private readonly fallbackNoticed = new WeakSet<SyncTalkSegment>();
  private readonly speechFallbackNoticed = new Set<string>();
  private readonly captions = new CaptionTrack();
  /** When the lesson began to open: "Play at once" latency is measured from here. */
  private lessonOpenedAtMs = performance.now();
  /** Audio-clock time the recorder started: the WebVTT file's zero. */
  private recordingStartAudioSec = 0;
  private avatarSource: EngineSnapshot['avatarSource'] = 'local';
  private runStartedMs: number | null = null;
  private readonly avatarStats: AvatarRunStats = {
    syncTalkFrames: 0,
    underrunFrames: 0,
    fallbackFrames: 0,
    playToFirstFrameMs: null,
  };
  private player: PresentationPlayer | null = null;
  private lesson: Lesson | null = null;
  private lessonDir = '';
  private selectedIndex = 0;
  private shownSlide: DisplaySlide | null = null;
  private lookAheadTimer: ReturnType<typeof setTimeout> | undefined = undefined;
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
  private readonly live: LivePublisher;
  /** Latency diagnostics: a counter drawn into each program frame, and when each was handed on. */
  private frameCounter: {
    next: number;
    published: { counter: number; publishedAtMs: number }[];
  } | null = null;
  private lastLiveState: LiveStatus['state'] = 'idle';
  private blanked = false;
  /** Audio-clock time at which a pause asked for at a sentence boundary takes effect. */
  private pauseAtSec: number | null = null;
  private spokenWord: SpokenWord | null = null;
  /** A content edit made while presenting; applied when the presentation stops. */
  private pendingLesson: Lesson | null = null;
  /** Preview of one slide: stop when the program leaves it. */
  private previewOnly: number | null = null;
  private droppedFrames = 0;
  private avatarFramesThisSecond = 0;
  private avatarFps = 0;
  private avOffsetSumMs = 0;
  private avOffsetCount = 0;
  private avOffsetMs: number | null = null;
  /** Whether the current run's first slide has been announced to the room. */
  private runAnnounced = false;
  /** Whether streamEnd went out for the current live session (lesson end or Stop). */
  private streamEndSent = false;
  /** The export under way: the program canvas is its stage until it ends. */
  private exportRun: {
    controller: AbortController;
    progress: ExportProgress;
    finished: Promise<void>;
  } | null = null;

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
    this.live = new LivePublisher(
      (status) => this.onLiveStatus(status),
      (stats) =>
        this.api.log.write({
          level: 'info',
          logger: 'live',
          message: 'outbound stats',
          lessonId: this.lesson?.id ?? null,
          eventType: 'live_stats',
          performance: { ...stats },
          performanceLog: true,
        }),
    );
    this.animationHandle = requestAnimationFrame(this.loop);
  }

  /** The program as one MediaStream: every output consumes this, nothing renders twice. */
  programStream(): MediaStream {
    return new MediaStream([
      this.captureTrack,
      ...this.audio.streamDestination.stream.getAudioTracks(),
    ]);
  }

  async loadLesson(lessonDir: string, lesson: Lesson, startSlide = 0): Promise<void> {
    this.lessonOpenedAtMs = performance.now();
    // The export runs on the lesson as it was when it started; an edit shows once it is done.
    await this.exportRun?.finished;
    await this.stop();
    this.preparer?.dispose();
    this.segments?.dispose();
    this.segments = null;
    this.segmentSlide = null;
    this.lastSyncTalkImage = null;
    this.lesson = lesson;
    this.lessonDir = lessonDir;
    this.pendingLesson = null;
    this.previewOnly = null;
    this.pauseAtSec = null;
    this.selectedIndex = Math.max(0, Math.min(lesson.slides.length - 1, startSlide));
    this.shownSlide = null;
    if (this.canvas.width !== lesson.output.width || this.canvas.height !== lesson.output.height) {
      this.canvas.width = lesson.output.width;
      this.canvas.height = lesson.output.height;
    }
    this.compositor.resize(lesson.output);
    this.compositor.setKey(lesson.avatar.keyColor, lesson.avatar.chromaKey);
    this.avatar.setKeyColor(lesson.avatar.keyColor);
    this.speechFallbackNoticed.clear();
    if (lesson.voice.provider === 'elevenlabs') this.api.speech.warm();
    this.preparer = new SlidePreparer(this.api, this.audio, lessonDir, lesson, (slide) =>
      this.onSpeechFallback(slide),
    );
    let slides: PlayerSlides = this.preparer;
    if (lesson.avatar.provider === 'synctalk') {
      this.segments = new SyncTalkSegments(this.api.avatar, {
        onFailed: (segment, error) => this.onSegmentFailed(segment, error),
        onComplete: (segment) =>
          this.log(
            'info',
            `slide ${segment.speech.slideIndex + 1}: avatar segment complete`,
            'avatar_segment_complete',
            {
              slideIndex: segment.speech.slideIndex,
              source: segment.source ?? 'unknown',
              frames: segment.contiguousFrames,
              requestToFirstFrameMs:
                segment.firstFrameAtMs === null
                  ? -1
                  : Math.round(segment.firstFrameAtMs - segment.requestedAtMs),
              // Frames whose 40 ms of audio is not the speech played at their time: must be 0.
              audioMismatches: segment.audioMismatches,
            },
          ),
      });
      slides = new AvatarSlides(this.preparer, lesson, this.segments);
    }
    this.avatarSource = lesson.avatar.provider === 'synctalk' ? 'synctalk' : 'local';
    this.player = new PresentationPlayer(this.audio, slides, {
      onState: (state) => this.onPlayState(state),
      onSlide: (index) => {
        this.selectedIndex = index;
        this.pushSnapshot(true);
        this.log('info', `slide ${index + 1} on air`, 'slide_change');
        this.announceSlide(index);
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
    await this.showSlide(this.selectedIndex);
    await this.scheduleLookAhead(this.selectedIndex);
    this.pushSnapshot(true);
  }

  /**
   * The editor changed the lesson. Placement, key, notes and titles apply at once, even on air;
   * a change to speech, slides, voice, avatar provider or size reloads the lesson on the selected
   * slide (speech and avatar come from cache, so only what changed is made again). While
   * presenting, such a change waits until the presentation stops, so the show is never cut.
   */
  async applyLesson(lesson: Lesson): Promise<void> {
    const current = this.lesson;
    if (!current) return;
    const kind = lessonEditKind(current, lesson);
    if (kind === 'none') return;
    if (kind === 'look') {
      this.lesson = lesson;
      if (this.pendingLesson) this.pendingLesson = lesson;
      this.applyLook();
      this.pushSnapshot(true);
      return;
    }
    if (this.presenting() || this.exportRun) {
      this.pendingLesson = lesson;
      this.pushSnapshot(true);
      return;
    }
    await this.loadLesson(this.lessonDir, lesson, this.selectedIndex);
  }

  private presenting(): boolean {
    const state = this.player?.state;
    return (
      state === 'playing' ||
      state === 'paused' ||
      state === 'preparing' ||
      this.recorder.state !== 'idle'
    );
  }

  private applyLook(): void {
    const lesson = this.lesson;
    if (!lesson) return;
    this.compositor.setKey(lesson.avatar.keyColor, lesson.avatar.chromaKey);
    this.avatar.setKeyColor(lesson.avatar.keyColor);
    if (this.shownSlide) {
      this.compositor.setAvatarPlacement(effectivePlacement(lesson, this.shownSlide.index));
    }
  }

  /** Applies an edit that waited for the presentation to stop. */
  private async applyPendingLesson(): Promise<void> {
    const pending = this.pendingLesson;
    if (!pending || this.presenting() || this.exportRun) return;
    this.pendingLesson = null;
    await this.loadLesson(this.lessonDir, pending, this.selectedIndex);
  }

  /** Black on every output (PowerPoint's B): the presentation goes on underneath. */
  setBlank(blank: boolean): void {
    if (this.blanked === blank) return;
    this.blanked = blank;
    this.lastFrameIndex = -1;
    this.log('info', blank ? 'program blanked' : 'program shown again', 'program_blank');
    this.pushSnapshot(true);
  }

  get isBlank(): boolean {
    return this.blanked;
  }

  /** The alpha of the key as greyscale, to judge edges (the preview and every output show it). */
  setMatteView(enabled: boolean): void {
    this.compositor.setMatteView(enabled);
    this.lastFrameIndex = -1;
  }

  /**
   * The avatar frame as it arrives, before keying (the eyedropper and key detection read it):
   * the SyncTalk image on air, else the local avatar's current pose.
   */
  avatarFrameImage(): ImageData | null {
    const image = this.segments ? this.lastSyncTalkImage : null;
    if (image) {
      const rgba = new Uint8ClampedArray(image.width * image.height * 4);
      for (let i = 0, j = 0; i < image.rgb.length; i += 3, j += 4) {
        rgba[j] = image.rgb[i] ?? 0;
        rgba[j + 1] = image.rgb[i + 1] ?? 0;
        rgba[j + 2] = image.rgb[i + 2] ?? 0;
        rgba[j + 3] = 255;
      }
      return new ImageData(rgba, image.width, image.height);
    }
    return this.avatar.snapshot();
  }

  /** Plays one slide from its start and stops when it ends (the editor's preview). */
  async previewSlide(index: number): Promise<void> {
    if (!this.player || !this.lesson || this.exportRun) return;
    if (this.presenting()) await this.stop();
    this.selectedIndex = Math.max(0, Math.min(this.lesson.slides.length - 1, index));
    this.previewOnly = this.selectedIndex;
    await this.play();
  }

  /**
   * Pauses at the end of the sentence being spoken (a presenter never cuts a word); in a hold,
   * or with no sentence ahead, at once. A second call while one waits pauses at once.
   */
  async pauseAtSentenceEnd(): Promise<void> {
    const player = this.player;
    if (!player || player.state !== 'playing') return;
    if (this.pauseAtSec !== null) {
      this.pauseAtSec = null;
      await this.pause();
      return;
    }
    const frame = player.frameAt(this.audio.now());
    const endMs = frame ? sentenceEndAfter(frame.slide, frame.speechMs) : null;
    if (!frame || endMs === null) {
      await this.pause();
      return;
    }
    this.pauseAtSec = this.audio.now() + (endMs - frame.speechMs) / 1000;
    this.log('info', 'pause at the end of the sentence', 'pause_requested', {
      waitMs: Math.round(endMs - frame.speechMs),
    });
    this.pushSnapshot(true);
  }

  /** Read by the metrics panel once a second. */
  metrics(): EngineMetrics {
    const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
    return {
      composerFps: this.composerFps,
      avatarFps: this.avatarFps,
      captureFps: this.composerFps,
      liveFps: this.live.status.stats?.framesPerSecond ?? null,
      ...this.lookAhead(),
      droppedFrames: this.droppedFrames,
      avOffsetMs: this.avOffsetMs,
      jsHeapMB: memory ? memory.usedJSHeapSize / 1_048_576 : null,
    };
  }

  private lookAhead(): { lookAheadSlides: number; lookAheadMs: number } {
    const preparer = this.preparer;
    const player = this.player;
    if (!preparer || !this.lesson) return { lookAheadSlides: 0, lookAheadMs: 0 };
    const onAir = this.selectedIndex;
    let slides = 0;
    let readyMs = 0;
    const frame =
      player && (player.state === 'playing' || player.state === 'paused')
        ? player.frameAt(this.audio.now())
        : null;
    if (frame) readyMs += Math.max(0, frame.slide.speechMs + frame.slide.holdMs - frame.speechMs);
    for (let index = onAir + 1; index < preparer.slideCount; index += 1) {
      const ready = preparer.ready(index);
      if (!ready) break;
      slides += 1;
      readyMs += ready.speechMs + ready.holdMs;
    }
    return { lookAheadSlides: slides, lookAheadMs: readyMs };
  }

  get currentLesson(): Lesson | null {
    return this.lesson;
  }

  async play(): Promise<void> {
    if (!this.player || this.exportRun) return;
    if (this.player.state === 'paused') {
      await this.resume();
      return;
    }
    const from = this.player.state === 'ended' ? 0 : this.selectedIndex;
    this.beginRun();
    const pressedMs = performance.now();
    if (await this.player.play(from)) this.logPlayToFirstSample(pressedMs, from);
  }

  /**
   * Play to the first audible sample: the wait for speech, the scheduling lead and any quiet
   * lead-in in the audio itself (a voice service's), as a listener would time it.
   */
  private logPlayToFirstSample(pressedMs: number, index: number): void {
    const startAtSec = this.player?.firstStartAtSec;
    const slide = this.player?.firstScheduled;
    if (startAtSec === null || startAtSec === undefined || !slide) return;
    const samples = int16Samples(slide.pcm);
    const audibleLevel = 328; // -40 dBFS
    let firstAudible = samples.findIndex((sample) => Math.abs(sample) > audibleLevel);
    if (firstAudible < 0) firstAudible = 0;
    const scheduledMs = performance.now() + (startAtSec - this.audio.now()) * 1000;
    const firstSampleMs = scheduledMs + (firstAudible / slide.sampleRateHz) * 1000;
    this.log('info', 'first sample scheduled', 'play_to_first_sample', {
      playToFirstSampleMs: Math.round(firstSampleMs - pressedMs),
      openToFirstSampleMs: Math.round(firstSampleMs - this.lessonOpenedAtMs),
      leadInMs: Math.round((firstAudible / slide.sampleRateHz) * 1000),
      speechCached: slide.cached,
      startedOnFirstSentence: slide.continuation !== undefined,
      slideIndex: index,
    });
  }

  async pause(): Promise<void> {
    this.pauseAtSec = null;
    await this.player?.pause();
    this.recorder.pause();
  }

  async resume(): Promise<void> {
    this.recorder.resume();
    await this.player?.resume();
  }

  async stop(): Promise<void> {
    this.captions.cutAt(this.audio.now());
    this.pauseAtSec = null;
    this.previewOnly = null;
    this.player?.stop();
    if (this.recorder.state !== 'idle') await this.stopRecording();
    await this.applyPendingLesson();
  }

  async goToSlide(index: number): Promise<void> {
    if (!this.player || !this.lesson || this.exportRun) return;
    const clamped = Math.max(0, Math.min(this.lesson.slides.length - 1, index));
    if (this.player.state === 'idle' || this.player.state === 'ended') {
      this.selectedIndex = clamped;
      await this.showSlide(clamped);
      void this.scheduleLookAhead(clamped);
      this.pushSnapshot(true);
      return;
    }
    this.beginRun();
    await this.player.jumpTo(clamped);
  }

  /**
   * Records the presentation: the recorder starts after the first slide is prepared and before
   * the clock starts, so the file begins with the first word, not with waiting. Ends with the
   * lesson unless the user stops it first.
   */
  async record(target: { directory?: string; outPath?: string }): Promise<boolean> {
    if (!this.player || !this.lesson || this.exportRun) return false;
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
      else {
        this.recordingStartAudioSec = this.audio.now();
        this.log('info', `recording to ${started.value.path}`, 'recording_start');
      }
      return started.ok;
    };
    this.stopRecordingAtEnd = true;
    if (this.player.state === 'playing' || this.player.state === 'paused') {
      return startRecorder();
    }
    // From the selected slide, as Play does; after the lesson has ended, from the beginning.
    const from = this.player.state === 'ended' ? 0 : this.selectedIndex;
    this.beginRun();
    const pressedMs = performance.now();
    const started = await this.player.play(from, startRecorder);
    if (started) this.logPlayToFirstSample(pressedMs, from);
    return started;
  }

  /** SyncTalk frame accounting since the last Play/Record/jump. */
  avatarRunStats(): AvatarRunStats {
    return { ...this.avatarStats };
  }

  async stopRecording(): Promise<void> {
    if (this.recorder.state === 'idle') return;
    this.stopRecordingAtEnd = false;
    const result = await this.recorder.stop(() =>
      this.captions.webVttSince(this.recordingStartAudioSec),
    );
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

  /**
   * Exports the lesson to an MP4, frame-stepped (every frame drawn once, as fast as the machine
   * allows) through the same program canvas, compositor and avatars as playback. Playback stops
   * first; the program view shows the frames as they are made.
   */
  async exportVideo(target: {
    outPath?: string;
    directory?: string;
  }): Promise<Result<ExportResult>> {
    const lesson = this.lesson;
    if (!lesson || !this.preparer) return err('invalid-request', 'Open a lesson before exporting.');
    if (this.exportRun) return err('invalid-request', 'An export is already running.');
    if (this.recorder.state !== 'idle') {
      return err('invalid-request', 'Stop the recording before exporting.');
    }
    await this.stop();
    const controller = new AbortController();
    const preparer = new SlidePreparer(this.api, this.audio, this.lessonDir, lesson, (slide) =>
      this.onSpeechFallback(slide),
    );
    const slides: PlayerSlides = this.segments
      ? new AvatarSlides(preparer, lesson, this.segments)
      : preparer;
    let markFinished: () => void = () => undefined;
    this.exportRun = {
      controller,
      finished: new Promise((resolve) => {
        markFinished = resolve;
      }),
      progress: startingProgress(preparer.estimatedTotalMs()),
    };
    this.beginRun();
    this.pushSnapshot(true);
    const segments = this.segments;
    const result = await exportLesson({
      api: this.api,
      lesson,
      preparer,
      slides,
      target,
      signal: controller.signal,
      stage: {
        canvas: this.canvas,
        drawFrame: async (frame, captions) => {
          const segment = segments?.get(frame.slide.index);
          if (segment && frame.speechMs >= 0) await segment.whenFrame(frame.speechMs);
          // The program view shows the canvas itself, so it follows the export as it goes; the
          // capture track is not fed: a live stream must not get the lesson fast-forwarded.
          this.drawProgram(frame, frame.programMs, captions);
          this.programMs = frame.programMs;
        },
        releaseSlide: (index) => segments?.release(index),
      },
      onClosed: ({ encodersClosed }) =>
        this.log('info', 'export encoders released', 'export_encoders', { encodersClosed }),
      onProgress: (progress) => {
        if (this.exportRun?.controller !== controller) return;
        this.exportRun.progress = progress;
        this.selectedIndex = progress.slideIndex;
        this.pushSnapshot(progress.phase !== 'exporting');
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
    preparer.dispose();
    this.logAvatarRunStats();
    this.exportRun = null;
    markFinished();
    this.shownSlide = null;
    this.compositor.setCaption(null);
    this.selectedIndex = 0;
    this.programMs = 0;
    await this.showSlide(0);
    if (result.ok) {
      const { frames, programMs, wallMs } = result.value;
      this.log('info', `export saved: ${result.value.path}`, 'export_end', {
        frames,
        programMs: Math.round(programMs),
        wallMs: Math.round(wallMs),
        realtimeFactor: Math.round((programMs / wallMs) * 100) / 100,
        bytes: result.value.bytesWritten,
        chapters: result.value.chapters.length,
        prepareMs: Math.round(result.value.timings.prepareMs),
        audioMs: Math.round(result.value.timings.audioMs),
        drawMs: Math.round(result.value.timings.drawMs),
        encodeMs: Math.round(result.value.timings.encodeMs),
      });
    } else if (result.error.code === 'cancelled') {
      this.log('info', 'export cancelled; nothing kept', 'export_cancelled');
    } else {
      this.log('warn', `export failed: ${result.error.message}`, 'export_failed');
    }
    this.pushSnapshot(true);
    return result;
  }

  /** Stops the export under way; what it wrote is deleted. */
  cancelExport(): void {
    this.exportRun?.controller.abort();
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
    this.cancelExport();
    clearTimeout(this.lookAheadTimer);
    await this.live.stop();
    cancelAnimationFrame(this.animationHandle);
    await this.stop();
    this.player?.dispose();
    this.preparer?.dispose();
    this.segments?.dispose();
    this.avatar.dispose();
    this.compositor.dispose();
    this.captureTrack.stop();
    await this.audio.dispose();
  }

  /** Shows a slide while nothing plays: its image only, so browsing costs no synthesis. */
  private async showSlide(index: number): Promise<void> {
    if (!this.preparer) return;
    const shown = await this.preparer.display(index);
    if (!shown.ok) {
      this.events.onError(shown.error);
      return;
    }
    if (this.player?.state === 'idle' || this.player?.state === 'ended') this.putOnAir(shown.value);
  }

  /**
   * Look-ahead while idle: the selected slide and the next are prepared, so Play starts without
   * waiting. The offline voice costs nothing and starts at once; a paid voice waits until the
   * lesson has been left alone for a moment, so dragging a voice slider or clicking through slides
   * does not buy speech for every intermediate state.
   */
  private async scheduleLookAhead(index: number): Promise<void> {
    clearTimeout(this.lookAheadTimer);
    const preparer = this.preparer;
    if (!preparer || !this.lesson) return;
    const run = async () => {
      if (this.preparer !== preparer || this.selectedIndex !== index) return;
      if (index + 1 < preparer.slideCount) void preparer.prepare(index + 1);
      await preparer.prepare(index);
    };
    // Free speech is ready by the time the lesson has opened, as a player expects.
    if (this.lesson.voice.provider === 'offline') await run();
    else this.lookAheadTimer = setTimeout(() => void run(), paidLookAheadSettleMs);
  }

  private putOnAir(slide: DisplaySlide): void {
    if (
      (this.shownSlide?.image === slide.image && this.shownSlide.index === slide.index) ||
      !this.lesson
    )
      return;
    this.shownSlide = slide;
    this.compositor.setSlide(slide.image.source, {
      width: slide.image.width,
      height: slide.image.height,
    });
    // The lesson's current overrides, not the prepared copy's: placement edits apply on air.
    this.compositor.setAvatarPlacement(effectivePlacement(this.lesson, slide.index));
  }

  private readonly loop = (nowMs: number): void => {
    if (this.disposed) return;
    this.animationHandle = requestAnimationFrame(this.loop);
    // An export steps the program canvas itself, frame by frame.
    if (this.exportRun) return;
    const fps = this.lesson?.output.fps ?? 25;
    const player = this.player;
    const onAir = player && (player.state === 'playing' || player.state === 'paused');
    // While presenting, the audio clock decides which frame is due; otherwise the wall clock.
    const videoNowSec = onAir ? this.audio.videoNow() : 0;
    const clockMs = onAir ? videoNowSec * 1000 : nowMs;
    const frameIndex = Math.floor(clockMs / (1000 / fps));
    if (frameIndex === this.lastFrameIndex) return;
    if (onAir && player.state === 'playing' && this.lastFrameIndex >= 0) {
      this.droppedFrames += Math.max(0, frameIndex - this.lastFrameIndex - 1);
    }
    this.lastFrameIndex = frameIndex;
    if (this.pauseAtSec !== null && this.audio.now() >= this.pauseAtSec) {
      this.pauseAtSec = null;
      void this.pause();
    }

    let programFrame: ProgramFrame | null = null;
    if (onAir) {
      programFrame = player.frameAt(videoNowSec);
      if (programFrame && programFrame.speechMs >= 0) {
        this.captions.onAir(programFrame.slide, videoNowSec - programFrame.speechMs / 1000);
      }
      if (programFrame) {
        this.programMs = programFrame.programMs;
        this.noteSpokenWord(programFrame);
        // The frame drawn against the audio clock pictures must follow: frame rounding plus
        // how late this animation frame came (negative: the picture trails the sound).
        this.avOffsetSumMs += frameIndex * (1000 / fps) - videoNowSec * 1000;
        this.avOffsetCount += 1;
      }
      const previewed = this.previewOnly;
      if (previewed !== null && programFrame && programFrame.slide.index > previewed) {
        // The previewed slide has ended: stop, and stay on it for the next edit.
        void this.stop().then(() => this.goToSlide(previewed));
        return;
      }
    } else if (this.spokenWord) {
      this.spokenWord = null;
      this.pushSnapshot(true);
    }
    if (this.blanked) {
      this.compositor.renderBlack();
    } else if (!this.drawProgram(programFrame, programFrame?.programMs ?? nowMs, this.captions)) {
      return;
    }
    if (this.frameCounter) {
      this.compositor.drawFrameCounter(this.frameCounter.next);
      this.frameCounter.published.push({
        counter: this.frameCounter.next,
        publishedAtMs: performance.timeOrigin + performance.now(),
      });
      if (this.frameCounter.published.length > 10_000) this.frameCounter.published.shift();
      this.frameCounter.next += 1;
    }
    this.captureTrack.requestFrame();
    this.countFrame(nowMs);
    this.pushSnapshot(false);
  };

  /**
   * Draws one program frame: the slide on air, the avatar (SyncTalk's image for the frame, else
   * the local avatar posed for `poseTimeMs`), the caption. The one drawing path of live playback
   * and the exporter. False when there is nothing to draw yet.
   */
  private drawProgram(
    programFrame: ProgramFrame | null,
    poseTimeMs: number,
    captions: CaptionTrack,
  ): boolean {
    if (programFrame) this.putOnAir(programFrame.slide);
    if (!this.shownSlide) return false;
    let avatarFrame = this.segments ? this.syncTalkFrame(programFrame) : null;
    if (!avatarFrame) {
      this.avatar.draw(avatarPoseAt(poseTimeMs, programFrame?.mouthOpen ?? 0));
      this.avatarFramesThisSecond += 1;
      avatarFrame = {
        source: this.avatar.canvas,
        width: this.avatar.canvas.width,
        height: this.avatar.canvas.height,
      };
    }
    this.compositor.setCaption(
      programFrame && this.lesson?.captions.burnIn
        ? captions.textAt(programFrame.slide, programFrame.speechMs)
        : null,
    );
    this.compositor.render(avatarFrame);
    return true;
  }

  /**
   * The SyncTalk image for this program frame: the frame due on the audio clock, else the last
   * image held (underrun), or null when the local avatar must stand in (the segment failed, or
   * its frames are more than a second overdue).
   */
  private syncTalkFrame(frame: ProgramFrame | null): AvatarFrame | null {
    const segments = this.segments;
    if (!segments) return null;
    if (!frame) return this.heldSyncTalkFrame();
    const index = frame.slide.index;
    if (this.segmentSlide !== index) {
      if (this.segmentSlide !== null) segments.release(this.segmentSlide);
      this.segmentSlide = index;
    }
    const segment = segments.get(index);
    if (!segment) return this.heldSyncTalkFrame();
    const pick = segment.pick(frame.speechMs);
    if (pick.useFallback) {
      this.avatarStats.fallbackFrames += 1;
      this.setAvatarSource('local-fallback');
      if (!this.fallbackNoticed.has(segment) && segment.state !== 'failed') {
        this.fallbackNoticed.add(segment);
        this.log(
          'warn',
          `slide ${index + 1}: SyncTalk frames are over a second late; the local avatar stands in until they arrive`,
          'avatar_fallback',
          { slideIndex: index, wantedFrame: pick.wantedIndex },
        );
      }
      return null;
    }
    if (pick.underrun) this.avatarStats.underrunFrames += 1;
    const image = pick.image ?? this.lastSyncTalkImage;
    if (!image) return null;
    if (pick.image) {
      if (pick.image !== this.lastSyncTalkImage) this.avatarFramesThisSecond += 1;
      this.avatarStats.syncTalkFrames += 1;
      this.lastSyncTalkImage = pick.image;
      this.setAvatarSource('synctalk');
      if (this.avatarStats.playToFirstFrameMs === null && this.runStartedMs !== null) {
        this.avatarStats.playToFirstFrameMs = performance.now() - this.runStartedMs;
        this.log('info', 'first SyncTalk frame on air', 'avatar_first_frame', {
          playToFirstFrameMs: Math.round(this.avatarStats.playToFirstFrameMs),
          requestToFirstFrameMs:
            segment.firstFrameAtMs === null
              ? -1
              : Math.round(segment.firstFrameAtMs - segment.requestedAtMs),
          source: segment.source ?? 'streaming',
        });
      }
    }
    return rgbFrame(image);
  }

  private heldSyncTalkFrame(): AvatarFrame | null {
    return this.lastSyncTalkImage ? rgbFrame(this.lastSyncTalkImage) : null;
  }

  private onSegmentFailed(segment: SyncTalkSegment, error: RapidoError): void {
    const slide = segment.speech.slideIndex + 1;
    this.log(
      'warn',
      `slide ${slide}: SyncTalk avatar unavailable (${error.message}); the local avatar stands in`,
      'avatar_fallback',
      { slideIndex: segment.speech.slideIndex, framesReceived: segment.contiguousFrames },
    );
    if (this.fallbackNoticed.has(segment)) return;
    this.fallbackNoticed.add(segment);
    this.events.onWarning({
      code: 'not-available',
      message: `Slide ${slide}: the SyncTalk avatar is unavailable, so the built-in avatar stands in. The show goes on.`,
      hint: error.hint ?? 'Check that the SyncTalk server is running, then play the slide again.',
      details: [error.message],
    });
  }

  private onSpeechFallback(slide: PreparedSlide): void {
    const fallback = slide.speechFallback;
    if (!fallback) return;
    this.log(
      'warn',
      `slide ${slide.index + 1}: ${fallback.sentences} sentence(s) in the offline voice (${fallback.message})`,
      'speech_fallback',
      { slideIndex: slide.index, sentences: fallback.sentences },
    );
    // One notice per cause: an outage would otherwise raise one for every slide.
    if (this.speechFallbackNoticed.has(fallback.message)) return;
    this.speechFallbackNoticed.add(fallback.message);
    this.events.onWarning({
      code: 'speech-failed',
      message: `Slide ${slide.index + 1}: ${fallback.sentences === 1 ? 'one sentence is' : `${fallback.sentences} sentences are`} spoken by the offline voice. ${fallback.message}`,
      ...(fallback.hint ? { hint: fallback.hint } : {}),
    });
  }

  private setAvatarSource(source: EngineSnapshot['avatarSource']): void {
    if (this.avatarSource === source) return;
    this.avatarSource = source;
    this.log('info', `avatar source: ${source}`, 'avatar_source');
    this.pushSnapshot(true);
  }

  /** A new Play/Record/jump: played segments cannot be replayed, and stats start again. */
  private beginRun(): void {
    this.runAnnounced = false;
    this.captions.cutAt(this.audio.now());
    this.segments?.releaseConsumed();
    this.segmentSlide = null;
    this.runStartedMs = performance.now();
    this.avatarStats.syncTalkFrames = 0;
    this.avatarStats.underrunFrames = 0;
    this.avatarStats.fallbackFrames = 0;
    this.avatarStats.playToFirstFrameMs = null;
  }

  private logAvatarRunStats(): void {
    if (!this.segments) return;
    this.log('info', 'SyncTalk avatar run summary', 'avatar_run_stats', {
      syncTalkFrames: this.avatarStats.syncTalkFrames,
      underrunFrames: this.avatarStats.underrunFrames,
      fallbackFrames: this.avatarStats.fallbackFrames,
      playToFirstFrameMs: Math.round(this.avatarStats.playToFirstFrameMs ?? -1),
    });
  }

  private countFrame(nowMs: number): void {
    this.framesThisSecond += 1;
    const elapsed = nowMs - this.fpsWindowStartMs;
    if (elapsed >= 1000) {
      this.composerFps = (this.framesThisSecond * 1000) / elapsed;
      this.avatarFps = (this.avatarFramesThisSecond * 1000) / elapsed;
      this.avatarFramesThisSecond = 0;
      this.avOffsetMs = this.avOffsetCount > 0 ? this.avOffsetSumMs / this.avOffsetCount : null;
      this.avOffsetSumMs = 0;
      this.avOffsetCount = 0;
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
    if (state === 'ended' || state === 'idle') this.logAvatarRunStats();
    if (state === 'playing' && !this.runAnnounced) {
      // The first slide of a run never changes *to* itself: announce it when the clock starts.
      this.runAnnounced = true;
      this.announceSlide(this.selectedIndex);
    }
    if (state === 'ended') {
      this.programMs = this.preparer?.totalMs() ?? this.programMs;
      if (this.stopRecordingAtEnd) void this.stopRecording();
      void this.announceStreamEnd('ended');
    }
    if (state === 'ended' || state === 'idle') {
      this.pauseAtSec = null;
      this.previewOnly = null;
      void this.applyPendingLesson();
    }
    this.pushSnapshot(true);
  }

  /**
   * Goes live on LiveKit with the program as it is (one canvas, one mix, nothing rendered twice)
   * and plays the lesson from the selected slide unless it is already playing. Recording and
   * preview are untouched; so is playback when the stream stops.
   */
  async goLive(options: { room?: string; play?: boolean } = {}): Promise<boolean> {
    const lesson = this.lesson;
    if (!lesson) return false;
    const config = await this.api.live.config();
    if (!config.ok) {
      this.events.onError(config.error);
      return false;
    }
    const connect = await this.api.live.connectInfo(lesson.id, options.room);
    if (!connect.ok) {
      this.events.onError(connect.error);
      return false;
    }
    const started = await this.live.start({
      connect: connect.value,
      stream: this.programStream(),
      width: lesson.output.width,
      height: lesson.output.height,
      fps: lesson.output.fps,
      video: config.value.settings.video,
    });
    if (!started.ok) {
      this.events.onError(started.error);
      return false;
    }
    this.streamEndSent = false;
    this.log('info', `live in room ${connect.value.room}`, 'live_start', {
      room: connect.value.room,
    });
    await this.live.sendEvent({
      type: 'streamStarting',
      lessonId: lesson.id,
      title: lesson.title,
      slideCount: lesson.slides.length,
      atMs: Date.now(),
    });
    const state = this.player?.state;
    if (state === 'playing' || state === 'paused') {
      this.announceSlide(this.selectedIndex);
    } else if (options.play !== false) {
      await this.play();
    }
    return true;
  }

  /** Ends the stream only: playback, preview and any recording carry on. */
  async stopLive(): Promise<void> {
    await this.announceStreamEnd('stopped');
    await this.live.stop();
    this.log('info', 'live stream stopped', 'live_stop');
  }

  /** Diagnostics (the latency benchmark): draw a frame counter into the program from now on. */
  enableFrameCounter(): void {
    this.frameCounter ??= { next: 0, published: [] };
  }

  /** Counter values drawn and when each frame went to the outputs (epoch milliseconds). */
  publishedFrames(): { counter: number; publishedAtMs: number }[] {
    return [...(this.frameCounter?.published ?? [])];
  }

  get liveStatus(): LiveStatus {
    return this.live.status;
  }

  private announceSlide(index: number): void {
    const slide = this.lesson?.slides[index];
    if (!slide) return;
    void this.live.sendEvent({
      type: 'slideChange',
      slideId: slide.id,
      index,
      title: slideTitle(slide, index),
      atMs: Date.now(),
    });
  }

  private async announceStreamEnd(reason: 'ended' | 'stopped'): Promise<void> {
    if (this.streamEndSent || !this.lesson) return;
    if (this.live.status.state !== 'live' && this.live.status.state !== 'reconnecting') return;
    this.streamEndSent = true;
    await this.live.sendEvent({
      type: 'streamEnd',
      lessonId: this.lesson.id,
      reason,
      atMs: Date.now(),
    });
  }

  private onLiveStatus(status: LiveStatus): void {
    if (status.state !== this.lastLiveState) {
      this.lastLiveState = status.state;
      this.log(
        status.state === 'failed' || status.state === 'reconnecting' ? 'warn' : 'info',
        `live: ${status.state}${status.problem ? ` (${status.problem.message})` : ''}`,
        `live_${status.state}`,
      );
    }
    this.pushSnapshot(true);
  }

  private noteSpokenWord(frame: ProgramFrame): void {
    const word = frame.slide.words.find(
      (candidate) => candidate.startMs <= frame.speechMs && frame.speechMs < candidate.endMs,
    );
    const next: SpokenWord | null = word
      ? { slideIndex: frame.slide.index, charStart: word.charStart, charEnd: word.charEnd }
      : null;
    const same =
      next?.slideIndex === this.spokenWord?.slideIndex &&
      next?.charStart === this.spokenWord?.charStart;
    if (same && (next === null) === (this.spokenWord === null)) return;
    this.spokenWord = next;
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
      avatarSource: this.avatarSource,
      live: this.live.status,
      exporting: this.exportRun ? { ...this.exportRun.progress } : null,
      blanked: this.blanked,
      pausePending: this.pauseAtSec !== null,
      spokenWord: this.spokenWord,
      editPending: this.pendingLesson !== null,
    });
  }

  private log(
    level: 'debug' | 'info' | 'warn' | 'error',
    message: string,
    eventType: string,
    performance?: Record<string, number | string | boolean | null>,
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

function rgbFrame(image: SegmentImage): AvatarFrame {
  return { source: { rgb: image.rgb }, width: image.width, height: image.height };
}

/**
 * When the sentence being spoken at `speechMs` ends (the end of its last word), or null when no
 * word lies ahead (a hold). Sentences are cut as the voice cuts them (splitSentences).
 */
export function sentenceEndAfter(
  slide: Pick<PreparedSlide, 'words' | 'slide'>,
  speechMs: number,
): number | null {
  const words = slide.words;
  if (words.length === 0) return null;
  const sentences = splitSentences(slide.slide.narration);
  for (const sentence of sentences) {
    const inside = words.filter(
      (word) => word.charStart >= sentence.start && word.charEnd <= sentence.end,
    );
    const last = inside[inside.length - 1];
    if (last && last.endMs > speechMs) return last.endMs;
  }
  return null;
}
