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
  /**
   * The server's model key (avatar_config.json `folder_name`): /status lists it, not the avatar
   * name (published: `jason_walley` -> `jason`). Default: folderNameFor(name).
   */
  folderName?: string;
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
  /**
   * Issue 15 quirks of the real server (see quirks.ts and README.md, "Real-server quirks"); each
   * is on in `realServerQuirks` (the default) and off in `idealServer`.
   */
  /** 1: a marker due while a "latency test" is armed stops generation (api.py yielding_thread). */
  markerCrash: boolean;
  /** 1: how long the dead stream stays silent before its final end_speech (join timeout 5 s). */
  markerCrashCleanupMs: number;
  /** 2: end_speech before the last 5 framed frames and the not-yet-batched audio. */
  endSpeechBeforeTail: boolean;
  /** 3: an utterance never batched before end_of_stream gets its frames after end_speech. */
  shortUtteranceNoVideo: boolean;
  /** 4: a later utterance's start_speech goes out at once, ahead of idle frames. */
  staleStartSpeech: boolean;
  /** 5: frames the server can make per second (null: as fast as needed). */
  generationFps: number | null;
  /** 6: chroma keying on the server onto background_url, the default background, or black. */
  serverKeying: boolean;
  /** 6: avatar_config.json `default_background_url`, used when the client sends none. */
  defaultBackgroundUrl: string | null;
  /** 7: POST /load_model for an unknown avatar answers 500 (detail "...404: ..."), not 404. */
  loadModelUnknown500: boolean;
}

/** The background every avatar in the published avatar_config.json defaults to. */
export const publishedDefaultBackgroundUrl =
  'https://devprofjim.blob.core.windows.net/public-assets/fastavatar/replicate-prediction-zy9qkcebdnrma0cn1vmvrwm7m8.webp';

export type QuirkSettings = Pick<
  FaultSettings,
  | 'markerCrash'
  | 'endSpeechBeforeTail'
  | 'shortUtteranceNoVideo'
  | 'staleStartSpeech'
  | 'generationFps'
  | 'serverKeying'
  | 'loadModelUnknown500'
>;

/** Everything the real SyncTalk_2D server does that costs a client (issue 15): the default. */
export const realServerQuirks: Readonly<QuirkSettings> = {
  markerCrash: true,
  endSpeechBeforeTail: true,
  shortUtteranceNoVideo: true,
  staleStartSpeech: true,
  generationFps: null,
  serverKeying: true,
  loadModelUnknown500: true,
};

/** The well-behaved server the protocol document describes: every quirk off. */
export const idealServer: Readonly<QuirkSettings> = {
  markerCrash: false,
  endSpeechBeforeTail: false,
  shortUtteranceNoVideo: false,
  staleStartSpeech: false,
  generationFps: null,
  serverKeying: false,
  loadModelUnknown500: false,
};

export const defaultFaults: FaultSettings = {
  firstFrameDelayMs: 0,
  stallAfterFrames: null,
  stallMs: 1000,
  burstFps: 60,
  dropAfterFrames: null,
  rejectAdmission: null,
  closeWithErrorAfterFrames: null,
  generatorStopsAtEndOfStream: false,
  markerCrashCleanupMs: 5000,
  defaultBackgroundUrl: publishedDefaultBackgroundUrl,
  ...realServerQuirks,
};

/** The folder (model key) an avatar loads as: its own `folderName`, else folderNameFor(name). */
export function folderOf(avatar: ReferenceAvatar): string {
  return avatar.folderName ?? folderNameFor(avatar.name);
}

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
    return this.loadedFolders.includes(folderOf(avatar));
  }

  markLoaded(avatar: ReferenceAvatar): void {
    const folder = folderOf(avatar);
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
