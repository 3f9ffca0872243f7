import type { RapidoApi } from '../../../shared/ipc/rapido-api.ts';
import { slideTitle } from '../../../shared/lesson/lesson-schema.ts';
import type { RapidoError } from '../../../shared/result.ts';
import type { ProgramEngine } from '../../engine/program-engine.ts';
import { outputLog, type OutputLog } from '../output-log.ts';
import { FrameCounter, type PublishedFrame } from './frame-counter.ts';
import { LivePublisher, type LiveStatus } from './live-publisher.ts';

export interface LiveEvents {
  onChange(status: LiveStatus): void;
  onError(error: RapidoError): void;
}

/**
 * The LiveKit output: the session's config and token (from main), publishing the program's
 * stream (one canvas, one mix, nothing rendered twice), and the room's data channel (stream
 * start and end, each slide as it goes on air). Playback, preview and any recording are its
 * neighbours, not its business: stopping the stream leaves them running.
 */
export class LiveOutput {
  private readonly publisher: LivePublisher;
  private readonly log: OutputLog;
  private readonly unobserve: () => void;
  private lastState: LiveStatus['state'] = 'idle';
  /** Whether the current run's first slide has been announced to the room. */
  private runAnnounced = false;
  /** Whether streamEnd went out for the current session (lesson end or Stop). */
  private streamEndSent = false;
  private frameCounter: FrameCounter | null = null;

  constructor(
    private readonly engine: ProgramEngine,
    private readonly api: RapidoApi,
    private readonly events: LiveEvents,
  ) {
    this.log = outputLog(api, engine, 'live');
    this.publisher = new LivePublisher(
      (status) => this.onStatus(status),
      (stats) =>
        api.log.write({
          level: 'info',
          logger: 'live',
          message: 'outbound stats',
          lessonId: engine.currentLesson?.id ?? null,
          eventType: 'live_stats',
          performance: { ...stats },
          performanceLog: true,
        }),
    );
    this.unobserve = engine.observe({
      runStart: () => (this.runAnnounced = false),
      slideChange: (index) => this.announceSlide(index),
      playState: (state) => {
        if (state === 'playing' && !this.runAnnounced) {
          // The first slide of a run never changes *to* itself: announce it when the clock starts.
          this.runAnnounced = true;
          this.announceSlide(engine.slideIndex);
        }
        if (state === 'ended') void this.announceStreamEnd('ended');
      },
    });
  }

  get status(): LiveStatus {
    return this.publisher.status;
  }

  /**
   * Goes live with the program as it is and plays the lesson from the selected slide unless it
   * already plays (or `play` is false). Recording and preview are untouched.
   */
  async goLive(options: { room?: string; play?: boolean } = {}): Promise<boolean> {
    const lesson = this.engine.currentLesson;
    if (!lesson) return false;
    const config = await this.api.live.config();
    if (!config.ok) return this.failed(config.error);
    const connect = await this.api.live.connectInfo(lesson.id, options.room);
    if (!connect.ok) return this.failed(connect.error);
    const started = await this.publisher.start({
      connect: connect.value,
      stream: this.engine.programStream(),
      width: lesson.output.width,
      height: lesson.output.height,
      fps: lesson.output.fps,
      video: config.value.settings.video,
    });
    if (!started.ok) return this.failed(started.error);
    this.streamEndSent = false;
    this.log('info', `live in room ${connect.value.room}`, 'live_start', {
      room: connect.value.room,
    });
    await this.publisher.sendEvent({
      type: 'streamStarting',
      lessonId: lesson.id,
      title: lesson.title,
      slideCount: lesson.slides.length,
      atMs: Date.now(),
    });
    const state = this.engine.playState;
    if (state === 'playing' || state === 'paused') {
      this.announceSlide(this.engine.slideIndex);
    } else if (options.play !== false) {
      await this.engine.play();
    }
    return true;
  }

  /** Ends the stream only: playback, preview and any recording carry on. */
  async stopLive(): Promise<void> {
    await this.announceStreamEnd('stopped');
    await this.publisher.stop();
    this.log('info', 'live stream stopped', 'live_stop');
  }

  /** Diagnostics (the latency benchmark): draw a frame counter into the program from now on. */
  enableFrameCounter(): void {
    this.frameCounter ??= new FrameCounter(this.engine);
  }

  /** Counter values drawn and when each frame went to the outputs. */
  publishedFrames(): PublishedFrame[] {
    return this.frameCounter?.publishedFrames() ?? [];
  }

  async dispose(): Promise<void> {
    this.unobserve();
    this.frameCounter?.dispose();
    await this.publisher.stop();
  }

  private failed(error: RapidoError): false {
    this.events.onError(error);
    return false;
  }

  private announceSlide(index: number): void {
    const slide = this.engine.currentLesson?.slides[index];
    if (!slide) return;
    void this.publisher.sendEvent({
      type: 'slideChange',
      slideId: slide.id,
      index,
      title: slideTitle(slide, index),
      atMs: Date.now(),
    });
  }

  private async announceStreamEnd(reason: 'ended' | 'stopped'): Promise<void> {
    const lesson = this.engine.currentLesson;
    if (this.streamEndSent || !lesson) return;
    const state = this.publisher.status.state;
    if (state !== 'live' && state !== 'reconnecting') return;
    this.streamEndSent = true;
    await this.publisher.sendEvent({
      type: 'streamEnd',
      lessonId: lesson.id,
      reason,
      atMs: Date.now(),
    });
  }

  private onStatus(status: LiveStatus): void {
    if (status.state !== this.lastState) {
      this.lastState = status.state;
      this.log(
        status.state === 'failed' || status.state === 'reconnecting' ? 'warn' : 'info',
        `live: ${status.state}${status.problem ? ` (${status.problem.message})` : ''}`,
        `live_${status.state}`,
      );
    }
    this.events.onChange(status);
  }
}
