import { wallClockMs } from '../../../src/shared/time/wall-clock.ts';
import type {
  SubscriberAudioLevel,
  SubscriberDataMessage,
  SubscriberEvent,
  SubscriberEventName,
  SubscriberFrame,
} from './subscriber-api.ts';

/** What the page records; clear() empties it. */
export interface Recording {
  frames: SubscriberFrame[];
  audioLevels: SubscriberAudioLevel[];
  dataMessages: SubscriberDataMessage[];
  events: SubscriberEvent[];
}

function emptyRecording(): Recording {
  return { frames: [], audioLevels: [], dataMessages: [], events: [] };
}

/** Everything the subscriber page observed, with wall-clock times the Node side can compare. */
export class SubscriberLog {
  recording = emptyRecording();
  readonly identities = new Set<string>();

  /** Comparable with the publisher page's times: see shared/time/wall-clock.ts. */
  wallClockMs(highResolutionMs: number = performance.now()): number {
    return wallClockMs(highResolutionMs);
  }

  record(event: SubscriberEventName, detail: string): void {
    this.recording.events.push({ atMs: this.wallClockMs(), event, detail });
  }

  clear(): void {
    this.recording = emptyRecording();
  }
}
