/**
 * The LiveKit test page's contract (testing/harness/subscriber.html): `window.subscriberApi` watches
 * a room as a viewer would, `window.testPublisher` publishes a known signal into it (self-test
 * only). Arguments and results are plain data, because Playwright carries them across as JSON.
 * No DOM types, so the Node-side tests import this file too.
 */

/** Times are wall-clock milliseconds from src/shared/time/wall-clock.ts, comparable across pages. */
export interface SubscriberFrame {
  /**
   * When the page got the frame: requestVideoFrameCallback's `now`, the start of the rendering
   * frame it was shown in, up to one display refresh before the callback itself runs: it can
   * precede the frame's arrival by a few ms. Measure latency to `expectedDisplayAtMs`.
   */
  readonly receivedAtMs: number;
  /** When the compositor is expected to put it on screen (the "glass"). */
  readonly expectedDisplayAtMs: number;
  /** When its last packet arrived from the network, where the browser says (WebRTC does). */
  readonly networkReceivedAtMs: number | null;
  readonly width: number;
  readonly height: number;
  /** The frame counter read from the top-left pattern, or null when unreadable. */
  readonly counter: number | null;
  /** Identity of the participant whose track this frame came from. */
  readonly participantIdentity: string;
}

export interface SubscriberAudioLevel {
  readonly atMs: number;
  /** RMS of the last analyser window over all subscribed audio, dBFS; floored at -160. */
  readonly rmsDb: number;
}

export interface SubscriberDataMessage {
  readonly atMs: number;
  readonly topic: string;
  /** The payload decoded as UTF-8. */
  readonly text: string;
  readonly participantIdentity: string;
}

export type SubscriberEventName =
  | 'TrackSubscribed'
  | 'TrackUnsubscribed'
  | 'Reconnecting'
  | 'SignalReconnecting'
  | 'Reconnected'
  | 'Disconnected'
  | 'ConnectionStateChanged'
  | 'ParticipantConnected'
  | 'ParticipantDisconnected';

export interface SubscriberEvent {
  readonly atMs: number;
  readonly event: SubscriberEventName;
  /**
   * What it was about: `video:<identity>` / `audio:<identity>` for tracks, the new state for
   * ConnectionStateChanged, the reason for Disconnected, the identity for participants.
   */
  readonly detail: string;
}

export interface SubscriberStats {
  /** livekit-client's ConnectionState ('disconnected' before join and after leave). */
  readonly connectionState: string;
  /** Size of the video being shown now, or null when no video track is subscribed. */
  readonly video: { readonly width: number; readonly height: number } | null;
  /** Remote participants seen since join (clear() keeps them). */
  readonly participantIdentities: readonly string[];
  readonly frames: readonly SubscriberFrame[];
  readonly audioLevels: readonly SubscriberAudioLevel[];
  readonly dataMessages: readonly SubscriberDataMessage[];
  readonly events: readonly SubscriberEvent[];
}

export interface SubscriberJoinOptions {
  /** Cell size the publisher drew the frame counter pattern with; 16 by default. */
  readonly cellPx?: number;
}

export interface SubscriberApi {
  /**
   * Joins the room and subscribes to everything in it. Resolves once connected; rejects when the
   * connection fails (wrong URL, bad token). Only one room at a time: leave() first.
   */
  join(url: string, token: string, options?: SubscriberJoinOptions): Promise<void>;
  stats(): SubscriberStats;
  /** Forgets recorded frames, audio levels, data messages and events (not the connection). */
  clear(): void;
  leave(): Promise<void>;
}

export interface PatternPublishOptions {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** Cell size of the frame counter pattern; 16 by default. */
  readonly cellPx?: number;
}

export interface PublishedFrame {
  readonly counter: number;
  /** When the frame was drawn and handed to the capture track. */
  readonly publishedAtMs: number;
}

export interface TestPublisherStats {
  readonly connectionState: string;
  readonly frames: readonly PublishedFrame[];
  /** When the tone first switched on (it then toggles every `toneToggleMs`); null before. */
  readonly toneStartedAtMs: number | null;
  readonly toneToggleMs: number;
}

export interface TestPublisher {
  /**
   * Joins the room and publishes a canvas carrying the frame counter pattern (one counter value
   * per frame, from 0) and a 440 Hz tone that is on for one second, off for the next. Rejects
   * when the token may not publish (the error says "insufficient permissions").
   */
  publishPattern(url: string, token: string, options: PatternPublishOptions): Promise<void>;
  /** A reliable data packet on `topic`, UTF-8 `text`. */
  sendData(topic: string, text: string): Promise<void>;
  stats(): TestPublisherStats;
  /** Stops drawing and leaves the room. */
  stop(): Promise<void>;
}
