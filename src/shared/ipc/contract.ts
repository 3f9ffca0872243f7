import { z } from 'zod';
import {
  lessonSchema,
  syncTalkAvatarSchema,
  voiceSettingsSchema,
} from '../lesson/lesson-schema.ts';
import { resultSchema } from '../result.ts';

/**
 * The one IPC contract (GitHub Desktop's ipc-shared pattern). Both processes and both transports
 * (Electron IPC, the headless host's WebSocket) import it; its keys are the allowlist and every
 * payload is checked against its schema on arrival. Channel names read `domain:verb-noun`.
 */

const bytesSchema = z.instanceof(Uint8Array);

export const loadedLessonSchema = z.object({
  dir: z.string(),
  lesson: lessonSchema,
});
export type LoadedLessonInfo = z.infer<typeof loadedLessonSchema>;

export const wordTimingSchema = z.object({
  text: z.string(),
  startMs: z.number(),
  endMs: z.number(),
  charStart: z.number().int(),
  charEnd: z.number().int(),
});
export type WordTimingInfo = z.infer<typeof wordTimingSchema>;

export const speechSchema = z.object({
  /** PCM s16le mono. Crosses as bytes (structured clone / binary WebSocket frame), never JSON. */
  pcm: bytesSchema,
  sampleRateHz: z.number().int().positive(),
  durationMs: z.number().nonnegative(),
  words: z.array(wordTimingSchema),
  cached: z.boolean(),
  providerId: z.string(),
});
export type SpeechInfo = z.infer<typeof speechSchema>;

export const launchSchema = z.object({
  host: z.enum(['desktop', 'headless']),
  version: z.string(),
  /** What the renderer should do on start. */
  mode: z.enum(['interactive', 'render']),
  /** Lesson to open on start (the sample lesson unless the user asked for another). */
  lessonDir: z.string().nullable(),
  /** For mode 'render': where the recording goes and whether to start at once. */
  render: z.object({ outPath: z.string() }).nullable(),
  defaultRecordingDir: z.string(),
  /** The predecessor's SLIDE_FRAMES_PATH: a folder of slide images offered for import. */
  slideFramesPath: z.string().nullable(),
  /** Whether native folder pickers exist (desktop) or paths are typed (headless). */
  canPickFolders: z.boolean(),
});
export type LaunchInfo = z.infer<typeof launchSchema>;

export const recordingStartSchema = z.object({
  lessonId: z.string(),
  /** Either a directory (a file name is chosen) or an exact output path. */
  directory: z.string().min(1).optional(),
  outPath: z.string().min(1).optional(),
  mimeType: z.string(),
});

export const recordingInfoSchema = z.object({
  recordingId: z.string(),
  path: z.string(),
  bytesWritten: z.number().int().nonnegative(),
});
export type RecordingInfo = z.infer<typeof recordingInfoSchema>;

export const logLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);

export const progressSchema = z.object({
  phase: z.enum(['loading', 'preparing', 'playing', 'finishing', 'done', 'failed']),
  /** 0..1 of program time. */
  fraction: z.number().min(0).max(1),
  programMs: z.number().nonnegative(),
  totalMs: z.number().nonnegative().nullable(),
  slideIndex: z.number().int().nonnegative().nullable(),
  message: z.string().optional(),
  outPath: z.string().optional(),
});
export type RenderProgress = z.infer<typeof progressSchema>;

export const syncTalkCheckSchema = z.object({
  /** The URL actually used: SYNCTALK_SERVER_URL when set, else the lesson's. */
  serverUrl: z.string(),
  urlFromEnvironment: z.boolean(),
  reachable: z.boolean(),
  /** Why the server could not be asked, with what to check. */
  problem: z.object({ message: z.string(), hint: z.string().nullable() }).nullable(),
  /** Avatar names from `/models`. */
  models: z.array(z.string()),
  /** Folder names from `/status` (not avatar names). */
  loadedFolders: z.array(z.string()),
  readiness: z.enum(['not-offered', 'not-loaded', 'loaded', 'unknown']),
  /** One sentence: how the avatar was matched to a loaded folder, or why not. */
  note: z.string(),
  capacity: z
    .object({ currentStreams: z.number().int(), maximumStreams: z.number().int() })
    .nullable(),
});
export type SyncTalkCheckInfo = z.infer<typeof syncTalkCheckSchema>;

export const avatarLoadProgressSchema = z.object({
  requestId: z.string().max(100),
  phase: z.enum(['checking', 'loading', 'waiting', 'ready']),
  message: z.string(),
  elapsedMs: z.number().nonnegative(),
});
export type AvatarLoadProgressInfo = z.infer<typeof avatarLoadProgressSchema>;

export const avatarSegmentFrameSchema = z.object({
  requestId: z.string().max(100),
  /** Counted from start_speech: frame n shows n x 40 ms of the utterance. */
  index: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** RGB24, row-major. */
  rgb: bytesSchema,
  /** The 40 ms of 16 kHz s16le audio this frame shows (1280 bytes). */
  audio: bytesSchema,
  /** From Rapido's segment cache (as fast as needed) or live from the server (real time). */
  source: z.enum(['cache', 'server']),
});
export type AvatarSegmentFrameInfo = z.infer<typeof avatarSegmentFrameSchema>;

function channel<Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res) {
  return { request, response: resultSchema(response) };
}

/** Renderer → main, answered with a Result. */
export const invokeChannels = {
  'app:get-launch': channel(z.object({}), launchSchema),
  'lesson:open': channel(z.object({ dir: z.string().min(1) }), loadedLessonSchema),
  'lesson:open-sample': channel(z.object({}), loadedLessonSchema),
  'lesson:choose-folder': channel(
    z.object({ title: z.string() }),
    z.object({ dir: z.string().nullable() }),
  ),
  'lesson:import-images': channel(
    z.object({
      imagesDir: z.string().min(1),
      scriptPath: z.string().min(1).optional(),
      lessonDir: z.string().min(1).optional(),
      title: z.string().min(1).optional(),
    }),
    loadedLessonSchema,
  ),
  'lesson:read-asset': channel(
    z.object({ lessonDir: z.string().min(1), path: z.string().min(1) }),
    z.object({ bytes: bytesSchema, mimeType: z.string() }),
  ),
  'speech:synthesize': channel(
    z.object({
      lessonId: z.string(),
      slideId: z.string(),
      text: z.string().max(20_000),
      voice: voiceSettingsSchema,
    }),
    speechSchema,
  ),
  'avatar:synctalk-check': channel(z.object({ avatar: syncTalkAvatarSchema }), syncTalkCheckSchema),
  'avatar:synctalk-load': channel(
    z.object({ avatar: syncTalkAvatarSchema, requestId: z.string().max(100) }),
    z.object({
      message: z.string(),
      folderName: z.string().nullable(),
      loadRequested: z.boolean(),
      elapsedMs: z.number().nonnegative(),
    }),
  ),
  /**
   * Avatar video for one slide's speech. Frames come as `avatar:segment-frame` events while this
   * runs; it answers once the segment is complete (or failed: code `not-available` means "use
   * the local avatar"). Cached frames are released only as far as `avatar:segment-credit` allows.
   */
  'avatar:segment': channel(
    z.object({
      requestId: z.string().max(100),
      lessonId: z.string(),
      slideId: z.string(),
      avatar: syncTalkAvatarSchema,
      /** s16le mono. */
      pcm: bytesSchema,
      sampleRateHz: z.number().int().positive(),
      /** Frames the renderer may hold beyond those it has shown (flow control for cached frames). */
      creditFrames: z.number().int().positive().max(10_000),
    }),
    z.object({
      frameCount: z.number().int().nonnegative(),
      source: z.enum(['cache', 'server']),
    }),
  ),
  'recording:start': channel(recordingStartSchema, recordingInfoSchema),
  'recording:append': channel(
    z.object({ recordingId: z.string(), chunk: bytesSchema }),
    recordingInfoSchema,
  ),
  'recording:finish': channel(
    z.object({ recordingId: z.string(), durationMs: z.number().nonnegative().optional() }),
    recordingInfoSchema,
  ),
  'recording:choose-folder': channel(z.object({}), z.object({ dir: z.string().nullable() })),
  'shell:show-file': channel(z.object({ path: z.string().min(1) }), z.object({})),
} as const;

/** Renderer → main, fire and forget. */
export const sendChannels = {
  'log:write': z.object({
    level: logLevelSchema,
    logger: z.string().max(100),
    message: z.string().max(10_000),
    lessonId: z.string().nullable(),
    eventType: z.string().max(100).nullable(),
    performance: z
      .record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()]))
      .optional(),
    performanceLog: z.boolean().optional(),
  }),
  'render:progress': progressSchema,
  /** The renderer has shown frames up to `shownIndex`: more cached frames may be sent. */
  'avatar:segment-credit': z.object({
    requestId: z.string().max(100),
    shownIndex: z.number().int().min(-1),
  }),
  'avatar:segment-cancel': z.object({ requestId: z.string().max(100) }),
} as const;

/** Main → renderer. */
export const eventChannels = {
  'app:command': z.object({
    command: z.enum(['play', 'pause', 'stop', 'record', 'next-slide', 'previous-slide']),
  }),
  'avatar:load-progress': avatarLoadProgressSchema,
  'avatar:segment-frame': avatarSegmentFrameSchema,
} as const;

export type InvokeChannel = keyof typeof invokeChannels;
export type SendChannel = keyof typeof sendChannels;
export type EventChannel = keyof typeof eventChannels;
export type InvokeRequest<C extends InvokeChannel> = z.infer<(typeof invokeChannels)[C]['request']>;
export type InvokeResponse<C extends InvokeChannel> = z.infer<
  (typeof invokeChannels)[C]['response']
>;
export type SendPayload<C extends SendChannel> = z.infer<(typeof sendChannels)[C]>;
export type EventPayload<C extends EventChannel> = z.infer<(typeof eventChannels)[C]>;

export function isInvokeChannel(name: string): name is InvokeChannel {
  return Object.hasOwn(invokeChannels, name);
}
export function isSendChannel(name: string): name is SendChannel {
  return Object.hasOwn(sendChannels, name);
}
export function isEventChannel(name: string): name is EventChannel {
  return Object.hasOwn(eventChannels, name);
}
