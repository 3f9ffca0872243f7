import { detectKeyColor } from '../../../shared/keying/detect-key-color.ts';
import type { KeyPresenceVerdict } from '../../../shared/keying/key-presence.ts';
import type { ChromaKeySettings } from '../../../shared/lesson/lesson-schema.ts';
import type { RapidoError } from '../../../shared/result.ts';
import { KeyPresenceWatch } from '../avatar/key-presence-watch.ts';
import {
  maxHoldMs,
  type SegmentImage,
  type SyncTalkSegment,
  type SyncTalkSegments,
} from '../avatar/synctalk-segments.ts';
import type { AvatarFrame } from '../compositor/compositor.ts';
import { avatarPoseAt } from '../local-avatar/avatar-motion.ts';
import { LocalAvatarRenderer } from '../local-avatar/local-avatar-renderer.ts';
import type { ProgramFrame } from '../playback/presentation-player.ts';
import type { WarningAction } from './program-types.ts';

/** Which avatar is on screen: the lesson's SyncTalk one, or the local one standing in. */
export type AvatarSourceName = 'local' | 'synctalk' | 'local-fallback';

/** SyncTalk frame accounting for one run (logged, and read by tests and the benchmark). */
export interface AvatarRunStats {
  syncTalkFrames: number;
  /** Program frames that held an earlier image because the wanted one had not arrived. */
  underrunFrames: number;
  fallbackFrames: number;
  /** From Play (or Record) to the first SyncTalk image composed, for the latest run. */
  playToFirstFrameMs: number | null;
}

/** What the avatar source tells the engine. */
export interface AvatarSourceHost {
  log(
    level: 'info' | 'warn',
    message: string,
    eventType: string,
    performance?: Record<string, number | string | boolean | null>,
  ): void;
  /** Something the user should know that does not stop the show (and what it offers to do). */
  warn(error: RapidoError, action?: WarningAction): void;
  /** The avatar on screen changed source (for the snapshot). */
  sourceChanged(source: AvatarSourceName): void;
  /** A new avatar image reached the program (for the avatar frame rate). */
  newImage(): void;
}

const avatarFrameSize = 512;

/**
 * Chooses the avatar image for each program frame: SyncTalk's frame due on the audio clock when
 * the lesson has a SyncTalk avatar and the frame is there, else the local avatar posed for the
 * time. Keeps the SyncTalk run's frame accounting and says once per segment when it falls back.
 */
export class AvatarSource {
  private readonly local = new LocalAvatarRenderer({
    width: avatarFrameSize,
    height: avatarFrameSize,
    keyColor: '#00b140',
  });
  private segments: SyncTalkSegments | null = null;
  /** The slide whose SyncTalk segment is being read, to release it when it goes off air. */
  private segmentSlide: number | null = null;
  private lastSyncTalkImage: SegmentImage | null = null;
  /** The newest frame of a played segment, on air or not (behind the playhead). */
  private lastArrivedImage: SegmentImage | null = null;
  /** Images the key check has read: each frame counts once, on arrival or on air. */
  private keyWatched = new WeakSet<SegmentImage>();
  private readonly fallbackNoticed = new WeakSet<SyncTalkSegment>();
  private sourceValue: AvatarSourceName = 'local';
  private runStartedMs: number | null = null;
  private avatarName = '';
  private keyColor = '#00b140';
  private readonly keyWatch = new KeyPresenceWatch((verdict) => this.onKeyVerdict(verdict));
  private readonly stats: AvatarRunStats = {
    syncTalkFrames: 0,
    underrunFrames: 0,
    fallbackFrames: 0,
    playToFirstFrameMs: null,
  };

  constructor(private readonly host: AvatarSourceHost) {}

  get source(): AvatarSourceName {
    return this.sourceValue;
  }

  /** A lesson was loaded: its SyncTalk segments (and avatar's name), or null for the local one. */
  useSegments(segments: SyncTalkSegments | null, avatarName = ''): void {
    this.segments = segments;
    this.avatarName = avatarName;
    this.keyWatch.rearm();
    this.keyWatched = new WeakSet();
    this.segmentSlide = null;
    this.lastSyncTalkImage = null;
    this.lastArrivedImage = null;
    this.sourceValue = segments ? 'synctalk' : 'local';
  }

  /** The lesson's key: the local avatar's screen, and what SyncTalk frames are checked against. */
  setKey(keyColor: string, chromaKey: ChromaKeySettings): void {
    this.keyColor = keyColor;
    this.local.setKeyColor(keyColor);
    this.keyWatch.setKey(keyColor, chromaKey);
  }

  /** A new Play/Record/jump: played segments cannot be replayed, and stats start again. */
  beginRun(): void {
    this.segments?.releaseConsumed();
    this.segmentSlide = null;
    this.runStartedMs = performance.now();
    this.stats.syncTalkFrames = 0;
    this.stats.underrunFrames = 0;
    this.stats.fallbackFrames = 0;
    this.stats.playToFirstFrameMs = null;
  }

  logRunStats(): void {
    if (!this.segments) return;
    this.host.log('info', 'SyncTalk avatar run summary', 'avatar_run_stats', {
      syncTalkFrames: this.stats.syncTalkFrames,
      underrunFrames: this.stats.underrunFrames,
      fallbackFrames: this.stats.fallbackFrames,
      playToFirstFrameMs: Math.round(this.stats.playToFirstFrameMs ?? -1),
    });
  }

  /** The avatar for this program frame (the local one posed for `poseTimeMs` if none else). */
  frameFor(programFrame: ProgramFrame | null, poseTimeMs: number): AvatarFrame {
    const syncTalk = this.segments ? this.syncTalkFrame(programFrame) : null;
    if (syncTalk) return syncTalk;
    this.local.draw(avatarPoseAt(poseTimeMs, programFrame?.mouthOpen ?? 0));
    this.host.newImage();
    return {
      source: this.local.canvas,
      width: this.local.canvas.width,
      height: this.local.canvas.height,
    };
  }

  /**
   * The avatar frame as it arrives, before keying (the eyedropper and key detection read it):
   * the SyncTalk image on air, else the local avatar's current pose.
   */
  frameImage(): ImageData | null {
    // While the local avatar stands in for late frames, the newest SyncTalk frame is still what
    // a key is to be taken from: the local avatar's own screen would say nothing of the server's.
    const image = this.segments ? (this.lastSyncTalkImage ?? this.lastArrivedImage) : null;
    if (!image) return this.local.snapshot();
    const rgba = new Uint8ClampedArray(image.width * image.height * 4);
    for (let i = 0, j = 0; i < image.rgb.length; i += 3, j += 4) {
      rgba[j] = image.rgb[i] ?? 0;
      rgba[j + 1] = image.rgb[i + 1] ?? 0;
      rgba[j + 2] = image.rgb[i + 2] ?? 0;
      rgba[j + 3] = 255;
    }
    return new ImageData(rgba, image.width, image.height);
  }

  onSegmentComplete(segment: SyncTalkSegment): void {
    this.host.log(
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
    );
  }

  /**
   * A frame of a played segment arrived. The key check reads it here as well as on air: frames
   * from a server slower than real time arrive behind the playhead and never go on air while
   * the local avatar stands in, yet they show whether the server keeps the key colour.
   */
  onPlayedFrame(image: SegmentImage): void {
    this.lastArrivedImage = image;
    this.watchKey(image);
  }

  /** Nobody waits for a pre-rolled segment yet: logged only, and Play asks again. */
  onPreRollFailed(segment: SyncTalkSegment, error: RapidoError): void {
    this.host.log(
      'info',
      `slide ${segment.speech.slideIndex + 1}: SyncTalk pre-roll failed (${error.message}); Play asks again`,
      'avatar_preroll_failed',
      { slideIndex: segment.speech.slideIndex },
    );
  }

  onSegmentFailed(segment: SyncTalkSegment, error: RapidoError): void {
    const slide = segment.speech.slideIndex + 1;
    this.host.log(
      'warn',
      `slide ${slide}: SyncTalk avatar unavailable (${error.message}); the local avatar stands in`,
      'avatar_fallback',
      { slideIndex: segment.speech.slideIndex, framesReceived: segment.contiguousFrames },
    );
    if (this.fallbackNoticed.has(segment)) return;
    this.fallbackNoticed.add(segment);
    this.host.warn({
      code: 'not-available',
      message: `Slide ${slide}: the SyncTalk avatar is unavailable, so the built-in avatar stands in. The show goes on.`,
      hint: error.hint ?? 'Check that the SyncTalk server is running, then play the slide again.',
      details: [error.message],
    });
  }

  dispose(): void {
    this.local.dispose();
  }

  /**
   * The SyncTalk image for this program frame: the frame due on the audio clock, else the last
   * image held (underrun), or null when the local avatar must stand in (the segment failed, or
   * its frames are more than maxHoldMs overdue).
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
      this.stats.fallbackFrames += 1;
      this.setSource('local-fallback');
      if (!this.fallbackNoticed.has(segment) && segment.state !== 'failed') {
        this.fallbackNoticed.add(segment);
        this.host.log(
          'warn',
          `slide ${index + 1}: SyncTalk frames are over ${maxHoldMs / 1000} s late; the local avatar stands in until they arrive`,
          'avatar_fallback',
          { slideIndex: index, wantedFrame: pick.wantedIndex },
        );
      }
      return null;
    }
    if (pick.underrun) this.stats.underrunFrames += 1;
    const image = pick.image ?? this.lastSyncTalkImage;
    if (!image) return null;
    if (pick.image) this.onSyncTalkImage(pick.image, segment);
    return rgbFrame(image);
  }

  private onSyncTalkImage(image: SegmentImage, segment: SyncTalkSegment): void {
    if (image !== this.lastSyncTalkImage) {
      this.host.newImage();
      this.watchKey(image);
    }
    this.stats.syncTalkFrames += 1;
    this.lastSyncTalkImage = image;
    this.setSource('synctalk');
    if (this.stats.playToFirstFrameMs !== null || this.runStartedMs === null) return;
    this.stats.playToFirstFrameMs = performance.now() - this.runStartedMs;
    this.host.log('info', 'first SyncTalk frame on air', 'avatar_first_frame', {
      playToFirstFrameMs: Math.round(this.stats.playToFirstFrameMs),
      requestToFirstFrameMs:
        segment.firstFrameAtMs === null
          ? -1
          : Math.round(segment.firstFrameAtMs - segment.requestedAtMs),
      source: segment.source ?? 'streaming',
    });
  }

  private watchKey(image: SegmentImage): void {
    if (this.keyWatched.has(image)) return;
    this.keyWatched.add(image);
    this.keyWatch.observe(image);
  }

  /**
   * The first second of SyncTalk frames played had no key colour: the server composited them
   * onto a background of its own (its avatar_config.json keys them, see key-presence.ts).
   */
  private onKeyVerdict(verdict: KeyPresenceVerdict): void {
    const keyedPercent = Math.round(verdict.keyedShare * 100);
    this.host.log(
      verdict.kind === 'keyed' ? 'info' : 'warn',
      verdict.kind === 'keyed'
        ? `SyncTalk frames carry the key colour (${keyedPercent} % of their border)`
        : `SyncTalk frames carry no key colour (${keyedPercent} % of their border is ${this.keyColor})`,
      'avatar_key_presence',
      {
        verdict: verdict.kind,
        keyedShare: Math.round(verdict.keyedShare * 1000) / 1000,
        background: verdict.kind === 'missing' ? verdict.background : null,
      },
    );
    if (verdict.kind === 'keyed') return;
    this.host.warn(this.keyMissingNotice(verdict), 'detect-key-from-border');
  }

  /**
   * What to tell: a frame whose border is one chromatic colour still has a screen, only not the
   * lesson's key colour (take it from the border); otherwise the server composited the frames.
   */
  private keyMissingNotice(verdict: KeyPresenceVerdict & { kind: 'missing' }): RapidoError {
    const frame = this.frameImage();
    const screen = frame && verdict.background === 'image' ? detectKeyColor(frame) : null;
    if (screen?.ok) {
      return {
        code: 'invalid-request',
        message: `The SyncTalk avatar stands on ${screen.value.keyColor}, not on the lesson's key colour ${this.keyColor}, so it shows in a box.`,
        hint: 'Detect from border takes the key colour from its frames.',
      };
    }
    const avatar = this.avatarName ? `"${this.avatarName}"` : 'this avatar';
    return {
      code: 'not-available',
      message: `The SyncTalk avatar arrives without its key colour ${this.keyColor}: the server puts it on a background of its own, so it shows in a box.`,
      details: [
        verdict.background === 'black'
          ? 'Its frames are on black: the server keys them and could not download its background image.'
          : 'Its frames are on a picture: the server keys them onto its default background.',
        `On the SyncTalk server, set "chroma_key": { "enabled": false } for ${avatar} in avatar_config.json and restart it; or have it key onto an image in ${this.keyColor} by its background_url.`,
      ],
      hint: 'If the frames do show a screen colour, Detect from border takes the key colour from them.',
    };
  }

  private heldSyncTalkFrame(): AvatarFrame | null {
    return this.lastSyncTalkImage ? rgbFrame(this.lastSyncTalkImage) : null;
  }

  private setSource(source: AvatarSourceName): void {
    if (this.sourceValue === source) return;
    this.sourceValue = source;
    this.host.log('info', `avatar source: ${source}`, 'avatar_source');
    this.host.sourceChanged(source);
  }
}

function rgbFrame(image: SegmentImage): AvatarFrame {
  return { source: { rgb: image.rgb }, width: image.width, height: image.height };
}
