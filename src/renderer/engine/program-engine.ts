import type { RenderProgress } from '../../shared/ipc/contract.ts';
import type { RapidoApi } from '../../shared/ipc/rapido-api.ts';
import type { Lesson } from '../../shared/lesson/lesson-schema.ts';
import { engineLog, type EngineLog } from './program/engine-log.ts';
import { effectivePlacement, lessonEditKind } from '../../shared/lesson/lesson-edits.ts';
import { SyncTalkSegments } from './avatar/synctalk-segments.ts';
import { CaptionTrack } from './captions/caption-track.ts';
import { Compositor } from './compositor/compositor.ts';
import { SteppedAvatarFrames } from './avatar/stepped-avatar-frames.ts';
import { AvatarSlides, syncTalkLoaded } from './playback/avatar-slides.ts';
import {
  PresentationPlayer,
  type PlayState,
  type PlayerSlides,
  type ProgramFrame,
} from './playback/presentation-player.ts';
import { ProgramAudio } from './playback/program-audio.ts';
import { SlidePreparer, type DisplaySlide } from './playback/slide-preparer.ts';
import { AvatarSource } from './program/avatar-source.ts';
import { EditGate } from './program/edit-gate.ts';
import { IdleLookAhead, measureLookAhead } from './program/look-ahead.ts';
import { ProgramObservers, type ProgramObserver } from './program/program-events.ts';
import {
  ProgramMetricsCounter,
  firstSampleTiming,
  renderProgress,
  type EngineMetrics,
} from './program/program-metrics.ts';
import type { EngineEvents, EngineSnapshot, ProgramStepper } from './program/program-types.ts';
import { SpeechFallbackNotices } from './program/speech-fallback.ts';
import { SpokenWordTracker, sentenceEndAfter, type SpokenWord } from './program/spoken-word.ts';

export type { EngineMetrics, ProgramObserver, SpokenWord };
export type { EngineEvents, EngineSnapshot, ProgramStepper };

/**
 * The framework-free program: the clock and draw loop, the sources (slides, the local avatar,
 * SyncTalk segments), the compositor and captions, one program canvas and one audio mix. It
 * knows no output: recording, live and export observe it (ProgramObserver) and consume
 * `programStream()`. React only adapts it (nothing per frame goes through React or the store).
 *
 * Size (about 690 lines, over the ~600 guide): what is left here is the program's own state
 * machine (open, prepare, play, jump, step, edit) around fields every part of it reads (lesson,
 * player, preparer, selection); each part that owns something of its own already lives in
 * engine/program/ (avatar source, look-ahead, captions, metrics, observers, edit gate, log).
 */
export class ProgramEngine {
  readonly canvas: HTMLCanvasElement;
  private readonly compositor: Compositor;
  private readonly audio = new ProgramAudio();
  private readonly captureTrack: CanvasCaptureMediaStreamTrack;
  private readonly observers = new ProgramObservers();
  private readonly avatar: AvatarSource;
  private readonly metricsCounter = new ProgramMetricsCounter();
  private readonly lookAhead = new IdleLookAhead();
  private readonly spoken = new SpokenWordTracker();
  private readonly captions = new CaptionTrack();
  private readonly log: EngineLog;
  private readonly speechFallbacks: SpeechFallbackNotices;
  private preparer: SlidePreparer | null = null;
  private segments: SyncTalkSegments | null = null;
  /** The player's slides when the avatar is SyncTalk (pre-roll asks them for avatar video). */
  private avatarSlides: AvatarSlides | null = null;
  /** When the lesson began to open: "Play at once" latency is measured from here. */
  private lessonOpenedAtMs = performance.now();
  private player: PresentationPlayer | null = null;
  private lesson: Lesson | null = null;
  private lessonDir = '';
  private selectedIndex = 0;
  private shownSlide: DisplaySlide | null = null;
  private lastFrameIndex = -1;
  private animationHandle = 0;
  private programMs = 0;
  private lastSnapshotMs = 0;
  private disposed = false;
  private blanked = false;
  /** Audio-clock time at which a pause asked for at a sentence boundary takes effect. */
  private pauseAtSec: number | null = null;
  private readonly edits = new EditGate(() => void this.applyPendingLesson());
  /** Preview of one slide: stop when the program leaves it. */
  private previewOnly: number | null = null;
  /** The frame-stepped run holding the canvas, and when it ends. */
  private stepping: { finished: Promise<void> } | null = null;
  /** The slow part of the last open (slide image, look-ahead), and whether it still runs. */
  private preparing: Promise<void> = Promise.resolve();
  private preparingLesson = false;

  constructor(
    private readonly api: RapidoApi,
    private readonly events: EngineEvents,
    output: { width: number; height: number },
  ) {
    this.log = engineLog(api, () => this.lesson?.id ?? null);
    this.canvas = document.createElement('canvas');
    this.canvas.width = output.width;
    this.canvas.height = output.height;
    this.canvas.className = 'program-canvas';
    this.compositor = new Compositor(this.canvas, output);
    this.avatar = new AvatarSource({
      log: this.log,
      warn: (error, action) => this.events.onWarning(error, action),
      sourceChanged: () => this.pushSnapshot(true),
      newImage: () => this.metricsCounter.avatarFrame(),
    });
    this.speechFallbacks = new SpeechFallbackNotices(
      (message, eventType, performance) => this.log('warn', message, eventType, performance),
      (error) => this.events.onWarning(error),
    );
    // captureStream(0) + requestFrame: exactly one video frame per program frame we render.
    const stream = this.canvas.captureStream(0);
    const [track] = stream.getVideoTracks();
    if (!track) throw new Error('the program canvas gave no video track');
    this.captureTrack = track as CanvasCaptureMediaStreamTrack;
    this.animationHandle = requestAnimationFrame(this.loop);
  }

  /** The program as one MediaStream: every output consumes this, nothing renders twice. */
  programStream(): MediaStream {
    return new MediaStream([
      this.captureTrack,
      ...this.audio.streamDestination.stream.getAudioTracks(),
    ]);
  }

  /** Tells `observer` what the program does until the returned function is called. */
  observe(observer: ProgramObserver): () => void {
    return this.observers.add(observer);
  }

  /** Holds the lesson for an output set up for it (a recording): content edits wait. */
  holdLesson(): () => void {
    return this.edits.hold();
  }

  get currentLesson(): Lesson | null {
    return this.lesson;
  }

  get playState(): PlayState {
    return this.player?.state ?? 'idle';
  }

  /** The slide selected, or on air while presenting. */
  get slideIndex(): number {
    return this.selectedIndex;
  }

  /** A frame-stepped run (the export) holds the program canvas. */
  get isStepping(): boolean {
    return this.stepping !== null;
  }

  get isBlank(): boolean {
    return this.blanked;
  }

  /** From now on: a function giving the captions heard since, as WebVTT (a recording's). */
  captionsFromNow(): () => string {
    const fromAudioSec = this.audio.now();
    return () => this.captions.webVttSince(fromAudioSec);
  }

  async loadLesson(lessonDir: string, lesson: Lesson, startSlide = 0): Promise<void> {
    this.lessonOpenedAtMs = performance.now();
    // A frame-stepped run works on the lesson as it was when it started; an edit shows after.
    await this.stepping?.finished;
    await this.stop();
    this.preparer?.dispose();
    this.segments?.dispose();
    this.segments = null;
    this.avatarSlides = null;
    this.lesson = lesson;
    this.lessonDir = lessonDir;
    this.edits.take();
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
    this.avatar.setKey(lesson.avatar.keyColor, lesson.avatar.chromaKey);
    this.speechFallbacks.clear();
    if (lesson.voice.provider === 'elevenlabs') this.api.speech.warm();
    this.preparer = new SlidePreparer(this.api, this.audio, lessonDir, lesson, (slide) =>
      this.speechFallbacks.notice(slide),
    );
    let slides: PlayerSlides = this.preparer;
    if (lesson.avatar.provider === 'synctalk') {
      this.segments = new SyncTalkSegments(this.api.avatar, {
        onFailed: (segment, error) => this.avatar.onSegmentFailed(segment, error),
        onComplete: (segment) => this.avatar.onSegmentComplete(segment),
        onPreRollFailed: (segment, error) => this.avatar.onPreRollFailed(segment, error),
        onPlayedFrame: (_segment, image) => this.avatar.onPlayedFrame(image),
      });
      this.avatarSlides = new AvatarSlides(this.preparer, lesson, lessonDir, this.segments);
      slides = this.avatarSlides;
    }
    this.avatar.useSegments(
      this.segments,
      lesson.avatar.provider === 'synctalk' ? lesson.avatar.avatarName : '',
    );
    this.player = new PresentationPlayer(this.audio, slides, {
      onState: (state) => this.onPlayState(state),
      onSlide: (index) => {
        this.selectedIndex = index;
        this.pushSnapshot(true);
        this.log('info', `slide ${index + 1} on air`, 'slide_change');
        this.observers.emit('slideChange', index);
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
    // The lesson is open now (the UI shows it at once); the slide image and the look-ahead's
    // speech follow, reported as `preparingLesson` (a busy machine takes seconds for them).
    this.preparing = this.prepareOpened(this.preparer);
    this.pushSnapshot(true);
  }

  /**
   * Resolves once the lesson opened last shows its slide and its free look-ahead is prepared
   * (what a player expects before Play; failures are told as errors and resolve it too).
   */
  whenPrepared(): Promise<void> {
    return this.preparing;
  }

  /** The slow part of an open: the selected slide's image, then the idle look-ahead. */
  private async prepareOpened(preparer: SlidePreparer): Promise<void> {
    this.preparingLesson = true;
    try {
      // A newer open (or an export taking the canvas) owns the program from then on.
      const current = () => this.preparer === preparer && !this.stepping;
      if (current()) await this.showSlide(this.selectedIndex);
      if (current()) await this.scheduleLookAhead(this.selectedIndex);
    } finally {
      if (this.preparer === preparer) {
        this.preparingLesson = false;
        this.pushSnapshot(true);
      }
    }
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
      this.edits.lookChanged(lesson);
      this.applyLook();
      this.pushSnapshot(true);
      return;
    }
    if (this.presenting() || this.stepping) {
      this.edits.defer(lesson);
      this.pushSnapshot(true);
      return;
    }
    await this.loadLesson(this.lessonDir, lesson, this.selectedIndex);
  }

  private presenting(): boolean {
    const state = this.player?.state;
    return state === 'playing' || state === 'paused' || state === 'preparing' || this.edits.held;
  }

  private applyLook(): void {
    const lesson = this.lesson;
    if (!lesson) return;
    this.compositor.setKey(lesson.avatar.keyColor, lesson.avatar.chromaKey);
    this.avatar.setKey(lesson.avatar.keyColor, lesson.avatar.chromaKey);
    if (this.shownSlide) {
      this.compositor.setAvatarPlacement(effectivePlacement(lesson, this.shownSlide.index));
    }
  }

  /** Applies an edit that waited for the presentation to stop. */
  private async applyPendingLesson(): Promise<void> {
    if (!this.edits.waiting || this.presenting() || this.stepping) return;
    const pending = this.edits.take();
    if (pending) await this.loadLesson(this.lessonDir, pending, this.selectedIndex);
  }

  /** Black on every output (PowerPoint's B): the presentation goes on underneath. */
  setBlank(blank: boolean): void {
    if (this.blanked === blank) return;
    this.blanked = blank;
    this.lastFrameIndex = -1;
    this.log('info', blank ? 'program blanked' : 'program shown again', 'program_blank');
    this.pushSnapshot(true);
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
    return this.avatar.frameImage();
  }

  /** Plays one slide from its start and stops when it ends (the editor's preview). */
  async previewSlide(index: number): Promise<void> {
    if (!this.player || !this.lesson || this.stepping) return;
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
    const frame = player.frameAt(this.audio.now());
    const endMs =
      frame && this.pauseAtSec === null ? sentenceEndAfter(frame.slide, frame.speechMs) : null;
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
    const preparer = this.preparer;
    return this.metricsCounter.read(
      preparer && this.lesson
        ? measureLookAhead(preparer, this.player, this.selectedIndex, this.audio.now())
        : { lookAheadSlides: 0, lookAheadMs: 0 },
    );
  }

  /**
   * Plays from the selected slide (from the start after the lesson ended), or resumes when
   * paused. `beforeClock` runs once the first slide is prepared and before the clock starts
   * (a recorder starts there, so its file begins with the first word); false cancels.
   */
  async play(beforeClock?: () => Promise<boolean>): Promise<boolean> {
    if (!this.player || this.stepping) return false;
    if (this.player.state === 'paused') {
      await this.resume();
      return true;
    }
    const from = this.player.state === 'ended' ? 0 : this.selectedIndex;
    this.beginRun();
    const pressedMs = performance.now();
    const started = await this.player.play(from, beforeClock);
    if (started) {
      const timing = firstSampleTiming(this.player, this.audio.now(), {
        pressedMs,
        openedMs: this.lessonOpenedAtMs,
        slideIndex: from,
      });
      if (timing) this.log('info', 'first sample scheduled', 'play_to_first_sample', timing);
    }
    return started;
  }

  async pause(): Promise<void> {
    this.pauseAtSec = null;
    await this.player?.pause();
  }

  async resume(): Promise<void> {
    await this.player?.resume();
  }

  async stop(): Promise<void> {
    this.captions.cutAt(this.audio.now());
    this.pauseAtSec = null;
    this.previewOnly = null;
    this.player?.stop();
    await this.observers.stopping();
    await this.applyPendingLesson();
  }

  async goToSlide(index: number): Promise<void> {
    if (!this.player || !this.lesson || this.stepping) return;
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
   * Takes the program canvas for a frame-stepped run (the export): playback stops first; the
   * program view shows the frames as they are made. Null without a lesson or while one runs.
   */
  async beginStepping(): Promise<ProgramStepper | null> {
    const lesson = this.lesson;
    if (!lesson || !this.preparer || this.stepping) return null;
    await this.stop();
    const preparer = new SlidePreparer(this.api, this.audio, this.lessonDir, lesson, (slide) =>
      this.speechFallbacks.notice(slide),
    );
    const avatarSlides = this.segments
      ? new AvatarSlides(preparer, lesson, this.lessonDir, this.segments)
      : null;
    const slides: PlayerSlides = avatarSlides ?? preparer;
    const avatarFrames =
      this.segments && avatarSlides
        ? new SteppedAvatarFrames(this.segments, avatarSlides, this.log)
        : null;
    let markFinished: () => void = () => undefined;
    this.stepping = { finished: new Promise((resolve) => (markFinished = resolve)) };
    this.beginRun();
    this.pushSnapshot(true);
    const segments = this.segments;
    return {
      lesson,
      preparer,
      slides,
      canvas: this.canvas,
      drawFrame: async (frame, captions) => {
        await avatarFrames?.whenFrame(frame);
        // The program view shows the canvas itself, so it follows the run as it goes; the
        // capture track is not fed: a live stream must not get the lesson fast-forwarded.
        this.drawProgram(frame, frame.programMs, captions);
        this.programMs = frame.programMs;
      },
      releaseSlide: (index) => segments?.release(index),
      showSlideIndex: (index, force) => {
        this.selectedIndex = index;
        this.pushSnapshot(force);
      },
      end: async () => {
        preparer.dispose();
        this.avatar.logRunStats();
        this.stepping = null;
        markFinished();
        this.shownSlide = null;
        this.compositor.setCaption(null);
        this.selectedIndex = 0;
        this.programMs = 0;
        await this.showSlide(0);
        this.pushSnapshot(true);
        await this.applyPendingLesson();
      },
    };
  }

  /** See IdleLookAhead.whenPreRolled (after the open's look-ahead has begun it). */
  async whenPreRolled(): Promise<void> {
    await this.preparing;
    await this.lookAhead.whenPreRolled();
  }

  /** Progress of the current run, for the render CLI. */
  progress(): RenderProgress {
    return renderProgress(
      this.player?.state ?? 'idle',
      this.preparer,
      this.programMs,
      this.selectedIndex,
    );
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.lookAhead.cancel();
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
    if (this.idle()) this.putOnAir(shown.value);
  }

  private async scheduleLookAhead(index: number): Promise<void> {
    const preparer = this.preparer;
    if (!preparer || !this.lesson) return;
    await this.lookAhead.schedule(
      preparer,
      index,
      this.lesson.voice.provider !== 'offline',
      () => this.preparer === preparer && this.selectedIndex === index,
      async (prepared) =>
        this.avatarSlides?.preRollIfLoaded(prepared, {
          isLoaded: (avatar) => syncTalkLoaded(this.api.avatar, avatar),
          // Only while nothing plays (a run's own look-ahead owns the segments then).
          stillWanted: () =>
            this.preparer === preparer && this.selectedIndex === prepared.index && this.idle(),
        }),
    );
  }

  private idle(): boolean {
    return this.player?.state === 'idle' || this.player?.state === 'ended';
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
    // A frame-stepped run steps the program canvas itself, frame by frame.
    if (this.stepping) return;
    const fps = this.lesson?.output.fps ?? 25;
    const player = this.player;
    const onAir = player && (player.state === 'playing' || player.state === 'paused');
    // While presenting, the audio clock decides which frame is due; otherwise the wall clock.
    const videoNowSec = onAir ? this.audio.videoNow() : 0;
    const clockMs = onAir ? videoNowSec * 1000 : nowMs;
    const frameIndex = Math.floor(clockMs / (1000 / fps));
    if (frameIndex === this.lastFrameIndex) return;
    if (onAir && player.state === 'playing' && this.lastFrameIndex >= 0) {
      this.metricsCounter.dropped(frameIndex - this.lastFrameIndex - 1);
    }
    this.lastFrameIndex = frameIndex;
    if (this.pauseAtSec !== null && this.audio.now() >= this.pauseAtSec) {
      this.pauseAtSec = null;
      void this.pause();
    }
    let programFrame: ProgramFrame | null = null;
    if (onAir) {
      programFrame = player.frameAt(videoNowSec);
      if (programFrame && this.followFrame(programFrame, frameIndex * (1000 / fps), videoNowSec)) {
        return;
      }
    } else if (this.spoken.clear()) {
      this.pushSnapshot(true);
    }
    if (this.blanked) {
      this.compositor.renderBlack();
    } else if (!this.drawProgram(programFrame, programFrame?.programMs ?? nowMs, this.captions)) {
      return;
    }
    this.observers.emit('frameDrawn', {
      drawCounter: (value) => this.compositor.drawFrameCounter(value),
    });
    this.captureTrack.requestFrame();
    if (this.metricsCounter.frame(nowMs)) this.logComposerFps();
    this.pushSnapshot(false);
  };

  /**
   * Keeps captions, the spoken word and the A/V offset with the frame on air; true when the
   * previewed slide has ended (the preview stops and stays on it for the next edit).
   */
  private followFrame(frame: ProgramFrame, frameMs: number, videoNowSec: number): boolean {
    if (frame.speechMs >= 0) this.captions.onAir(frame.slide, videoNowSec - frame.speechMs / 1000);
    this.programMs = frame.programMs;
    if (this.spoken.follow(frame)) this.pushSnapshot(true);
    // The frame drawn against the audio clock pictures must follow: frame rounding plus how
    // late this animation frame came (negative: the picture trails the sound).
    this.metricsCounter.avOffset(frameMs - videoNowSec * 1000);
    const previewed = this.previewOnly;
    if (previewed === null || frame.slide.index <= previewed) return false;
    void this.stop().then(() => this.goToSlide(previewed));
    return true;
  }

  /**
   * Draws one program frame: the slide on air, the avatar (SyncTalk's image for the frame, else
   * the local avatar posed for `poseTimeMs`), the caption. The one drawing path of live playback
   * and frame-stepped runs. False when there is nothing to draw yet.
   */
  private drawProgram(
    programFrame: ProgramFrame | null,
    poseTimeMs: number,
    captions: CaptionTrack,
  ): boolean {
    if (programFrame) this.putOnAir(programFrame.slide);
    if (!this.shownSlide) return false;
    const avatarFrame = this.avatar.frameFor(programFrame, poseTimeMs);
    this.compositor.setCaption(
      programFrame && this.lesson?.captions.burnIn
        ? captions.textAt(programFrame.slide, programFrame.speechMs)
        : null,
    );
    this.compositor.render(avatarFrame);
    return true;
  }

  /** A new Play/Record/jump/stepped run: captions cut, avatar stats start again. */
  private beginRun(): void {
    this.captions.cutAt(this.audio.now());
    this.avatar.beginRun();
    this.observers.emit('runStart');
  }

  private logComposerFps(): void {
    if (this.player?.state !== 'playing') return;
    this.api.log.write({
      level: 'info',
      logger: 'composer',
      message: 'composer fps',
      lessonId: this.lesson?.id ?? null,
      eventType: 'composer_fps',
      performance: {
        fps: Math.round(this.metricsCounter.composerFps * 10) / 10,
        renderMs: this.compositor.stats.lastRenderMs,
      },
      performanceLog: true,
    });
  }

  private onPlayState(state: PlayState): void {
    this.log('info', `playback ${state}`, `playback_${state}`);
    if (state === 'ended' || state === 'idle') this.avatar.logRunStats();
    if (state === 'ended') this.programMs = this.preparer?.totalMs() ?? this.programMs;
    if (state === 'ended' || state === 'idle') {
      this.pauseAtSec = null;
      this.previewOnly = null;
    }
    this.observers.emit('playState', state);
    if (state === 'ended' || state === 'idle') void this.applyPendingLesson();
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
      composerFps: this.metricsCounter.composerFps,
      avatarSource: this.avatar.source,
      blanked: this.blanked,
      pausePending: this.pauseAtSec !== null,
      spokenWord: this.spoken.current,
      editPending: this.edits.waiting,
      preparingLesson: this.preparingLesson,
    });
  }
}
