import { z } from 'zod';
import { lessonSchema, voiceSettingsSchema } from '../lesson/lesson-schema.ts';
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
} as const;

/** Main → renderer. */
export const eventChannels = {
  'app:command': z.object({
    command: z.enum(['play', 'pause', 'stop', 'record', 'next-slide', 'previous-slide']),
  }),
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
