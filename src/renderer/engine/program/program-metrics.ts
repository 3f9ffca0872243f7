import type { RenderProgress } from '../../../shared/ipc/contract.ts';
import { int16Samples } from '../../../shared/pcm-samples.ts';
import type { PlayState } from '../playback/presentation-player.ts';

/** What the metrics panel shows of the program; read once a second (never per frame). */
export interface EngineMetrics {
  composerFps: number;
  /** New avatar images per second (SyncTalk frames arriving on air, or local avatar poses). */
  avatarFps: number;
  /** Frames handed to the capture track per second (recording and LiveKit read it). */
  captureFps: number;
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

/**
 * Counts the program's own figures frame by frame and turns them into per-second rates once a
 * second (the draw loop calls it; nothing here touches React or the store).
 */
export class ProgramMetricsCounter {
  composerFps = 0;
  avatarFps = 0;
  droppedFrames = 0;
  avOffsetMs: number | null = null;
  private framesThisSecond = 0;
  private avatarFramesThisSecond = 0;
  private avOffsetSumMs = 0;
  private avOffsetCount = 0;
  private windowStartMs = performance.now();

  /** A new avatar image reached the program (a SyncTalk frame or a local pose). */
  avatarFrame(): void {
    this.avatarFramesThisSecond += 1;
  }

  /** Frames skipped between the last one drawn and this one. */
  dropped(frames: number): void {
    this.droppedFrames += Math.max(0, frames);
  }

  avOffset(offsetMs: number): void {
    this.avOffsetSumMs += offsetMs;
    this.avOffsetCount += 1;
  }

  /** One program frame drawn; true when a second has passed and the rates were renewed. */
  frame(nowMs: number): boolean {
    this.framesThisSecond += 1;
    const elapsed = nowMs - this.windowStartMs;
    if (elapsed < 1000) return false;
    this.composerFps = (this.framesThisSecond * 1000) / elapsed;
    this.avatarFps = (this.avatarFramesThisSecond * 1000) / elapsed;
    this.avatarFramesThisSecond = 0;
    this.avOffsetMs = this.avOffsetCount > 0 ? this.avOffsetSumMs / this.avOffsetCount : null;
    this.avOffsetSumMs = 0;
    this.avOffsetCount = 0;
    this.framesThisSecond = 0;
    this.windowStartMs = nowMs;
    return true;
  }

  read(lookAhead: { lookAheadSlides: number; lookAheadMs: number }): EngineMetrics {
    const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
    return {
      composerFps: this.composerFps,
      avatarFps: this.avatarFps,
      captureFps: this.composerFps,
      ...lookAhead,
      droppedFrames: this.droppedFrames,
      avOffsetMs: this.avOffsetMs,
      jsHeapMB: memory ? memory.usedJSHeapSize / 1_048_576 : null,
    };
  }
}

/** The start of the latest play() as the player scheduled it. */
interface ScheduledStart {
  readonly firstStartAtSec: number | null;
  readonly firstScheduled: {
    pcm: Uint8Array;
    sampleRateHz: number;
    cached: boolean;
    continuation?: unknown;
  } | null;
}

/**
 * Play to the first audible sample: the wait for speech, the scheduling lead and any quiet
 * lead-in in the audio itself (a voice service's), as a listener would time it. Null when
 * nothing was scheduled.
 */
export function firstSampleTiming(
  player: ScheduledStart | null,
  audioNowSec: number,
  at: { pressedMs: number; openedMs: number; slideIndex: number },
): Record<string, number | boolean> | null {
  const startAtSec = player?.firstStartAtSec;
  const slide = player?.firstScheduled;
  if (startAtSec === null || startAtSec === undefined || !slide) return null;
  const samples = int16Samples(slide.pcm);
  const audibleLevel = 328; // -40 dBFS
  let firstAudible = samples.findIndex((sample) => Math.abs(sample) > audibleLevel);
  if (firstAudible < 0) firstAudible = 0;
  const scheduledMs = performance.now() + (startAtSec - audioNowSec) * 1000;
  const firstSampleMs = scheduledMs + (firstAudible / slide.sampleRateHz) * 1000;
  return {
    playToFirstSampleMs: Math.round(firstSampleMs - at.pressedMs),
    openToFirstSampleMs: Math.round(firstSampleMs - at.openedMs),
    leadInMs: Math.round((firstAudible / slide.sampleRateHz) * 1000),
    speechCached: slide.cached,
    startedOnFirstSentence: slide.continuation !== undefined,
    slideIndex: at.slideIndex,
  };
}

/** Progress of the current run, for the render CLI. */
export function renderProgress(
  playState: PlayState,
  preparer: { totalMs(): number | null } | null,
  programMs: number,
  slideIndex: number,
): RenderProgress {
  const totalMs = preparer?.totalMs() ?? null;
  return {
    phase: playState === 'playing' || playState === 'paused' ? 'playing' : 'preparing',
    fraction: totalMs ? Math.min(1, programMs / totalMs) : 0,
    programMs,
    totalMs,
    slideIndex,
  };
}
