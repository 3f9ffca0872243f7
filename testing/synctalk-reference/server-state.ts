import type { StreamSession } from './stream-session.ts';

/**
 * What the reference server knows while it runs: its configuration, the injectable faults, the
 * loaded models and the open streams. One object that the HTTP routes (http-routes.ts), the
 * WebSocket admission (websocket-admission.ts) and the control API all share.
 */

export interface ReferenceAvatar {
  name: string;
  width: number;
  height: number;
  keyColor: string;
}

export type AdmissionRejection =
  'capacity' | 'no-model' | 'unknown-avatar' | 'not-loaded' | 'not-initialised';

export interface FaultSettings {
  /** Extra delay before the first frame of each utterance (realistic: 600). */
  firstFrameDelayMs: number;
  /** After N frames of an utterance, produce nothing for stallMs, then catch up in a burst. */
  stallAfterFrames: number | null;
  stallMs: number;
  /** Rate of the catch-up burst (>= 50). */
  burstFps: number;
  /** Terminate the socket abruptly (no close frame) after N frames sent on it. */
  dropAfterFrames: number | null;
  /** Refuse every WebSocket upgrade with HTTP 403, as the real server does for this reason. */
  rejectAdmission: AdmissionRejection | null;
  /** Final end_speech, then close 1011 "Server error: ..." after N frames. */
  closeWithErrorAfterFrames: number | null;
  /**
   * Later upstream versions (commit 05daf53) end the generator at the first end_of_stream: one
   * end_speech for the marker, a final end_speech, then silence on a socket that stays open.
   */
  generatorStopsAtEndOfStream: boolean;
}

export const defaultFaults: FaultSettings = {
  firstFrameDelayMs: 0,
  stallAfterFrames: null,
  stallMs: 1000,
  burstFps: 60,
  dropAfterFrames: null,
  rejectAdmission: null,
  closeWithErrorAfterFrames: null,
  generatorStopsAtEndOfStream: false,
};

/** The server's internal model key differs from the avatar name, as in the public config. */
export function folderNameFor(avatarName: string): string {
  const words = avatarName.split(/[\s_-]+/).filter((word) => word.length > 0);
  const title = words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('-');
  return `${title}-dataset`;
}

export class ServerState {
  /** inference_api.models keys, in load order. */
  readonly loadedFolders: string[] = [];
  readonly sessions = new Map<string, StreamSession>();
  loadInProgress = false;
  lastInferenceTime: number | null = null;
  totalCreated = 0;
  totalCompleted = 0;
  readonly totals = { framesSent: 0, utterances: 0, audioBytesReceived: 0 };
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Resolved when a session's socket has closed, during shutdown. */
  readonly closeWaiters = new Map<string, () => void>();

  constructor(
    readonly avatars: readonly ReferenceAvatar[],
    readonly config: { maxStreams: number; loadDelayMs: number },
    public faults: FaultSettings,
    readonly log: (line: string) => void,
  ) {}

  /** A timer that close() cancels. */
  later(delayMs: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, delayMs);
    this.timers.add(timer);
  }

  cancelTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  isLoaded(avatar: ReferenceAvatar): boolean {
    return this.loadedFolders.includes(folderNameFor(avatar.name));
  }

  markLoaded(avatar: ReferenceAvatar): void {
    const folder = folderNameFor(avatar.name);
    if (!this.loadedFolders.includes(folder)) this.loadedFolders.push(folder);
  }

  preload(names: readonly string[]): void {
    // The real preload walks the avatar config in order, so that order is the load order.
    for (const avatar of this.avatars) if (names.includes(avatar.name)) this.markLoaded(avatar);
    if (names.length > 0) this.log(`preloaded: ${this.loadedFolders.join(', ')}`);
  }

  onSessionClosed(streamId: string): void {
    if (this.sessions.delete(streamId)) this.totalCompleted++;
    this.closeWaiters.get(streamId)?.();
    this.closeWaiters.delete(streamId);
  }
}
