import { z } from 'zod';
import {
  lessonSchema,
  recordedNarrationSchema,
  syncTalkAvatarSchema,
  voiceSettingsSchema,
} from '../lesson/lesson-schema.ts';
import { resultSchema } from '../result.ts';
import { predecessorEventChannels, predecessorInvokeChannels } from './predecessor-channels.ts';
import { liveSettingsSchema } from '../live/live-settings.ts';
import { importJobProgressSchema, importJobSchema } from './import-job.ts';

export {
  importJobProgressSchema,
  importJobSchema,
  type ImportJobInfo,
  type ImportJobProgress,
} from './import-job.ts';

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
  /** Sentences the offline voice spoke instead of the lesson's voice, and why. */
  fallback: z
    .object({
      sentences: z.number().int().positive(),
      message: z.string(),
      hint: z.string().nullable(),
    })
    .nullable(),
});
export type SpeechInfo = z.infer<typeof speechSchema>;

/** What a slide's speech is made from: main's speech cache is keyed by exactly this. */
export const slideSpeechRequestSchema = z.object({
  lessonId: z.string(),
  slideId: z.string(),
  text: z.string().max(20_000),
  voice: voiceSettingsSchema,
  /** Neighbouring slides' narration, for prosody across the slide change. */
  previousText: z.string().max(20_000).optional(),
  nextText: z.string().max(20_000).optional(),
  /**
   * The slide's recorded narration, spoken instead of the voice: its WAV inside `lessonDir`
   * (which main checks is a lesson it opened) and its word times; `text` stays the script.
   */
  recorded: recordedNarrationSchema.extend({ lessonDir: z.string().min(1).max(4096) }).optional(),
});
export type SlideSpeechRequestInfo = z.infer<typeof slideSpeechRequestSchema>;

/**
 * One part of a lesson split for parallel rendering (`rapido render --parallel N`): the video of
 * slides [fromSlide, toSlide) (with `audio`, which needs fromSlide 0, also the whole lesson's
 * audio, chapters and captions), or that audio alone and no video. Main joins the parts into one
 * MP4 without re-encoding.
 */
export const renderPartSchema = z.discriminatedUnion('track', [
  z.object({
    track: z.literal('video'),
    fromSlide: z.number().int().min(0),
    toSlide: z.number().int().min(1),
    audio: z.boolean().optional(),
  }),
  z.object({ track: z.literal('audio') }),
]);
export type RenderPart = z.infer<typeof renderPartSchema>;

export const launchSchema = z.object({
  host: z.enum(['desktop', 'headless']),
  version: z.string(),
  /** What the renderer should do on start. */
  mode: z.enum(['interactive', 'render', 'import']),
  /** Lesson to open on start (the sample lesson unless the user asked for another). */
  lessonDir: z.string().nullable(),
  /** For mode 'render': where the recording goes (the command line's --out, registered in main). */
  render: z
    .object({
      destinationId: z.string(),
      /** Also publish live to LiveKit (render --live); room null: the lesson id. */
      live: z.object({ room: z.string().nullable() }).nullable(),
      /** true: record in real time (MediaRecorder); false: frame-stepped export. */
      realtime: z.boolean(),
      /** Real time only: wait for the first slide's avatar to pre-roll and arm the recorder first. */
      preRoll: z.boolean(),
      /** Export only: render one part of a split render (absent: the whole lesson). */
      part: renderPartSchema.nullable().optional(),
    })
    .nullable(),
  /** For mode 'import': the command line's import job. */
  importJob: importJobSchema.nullable().optional(),
  defaultRecordingDir: z.string(),
  /** The predecessor's SLIDE_FRAMES_PATH: a folder of slide images offered for import. */
  slideFramesPath: z.string().nullable(),
  /** Whether native folder pickers exist (desktop) or paths are typed (headless). */
  canPickFolders: z.boolean(),
});
export type LaunchInfo = z.infer<typeof launchSchema>;

/**
 * Output requests name no path: main writes into the recordings folder under a name it makes,
 * or to the path behind `destinationId`, an opaque single-use id main handed out (the CLI's
 * `--out`). Any other key (an `outPath`, a `directory`) is refused, not ignored.
 */
const outputRequestError = {
  error: (issue: { code?: string }) =>
    issue.code === 'unrecognized_keys'
      ? 'The page may not name an output path: the app picks where recordings and exports go'
      : undefined,
};

export const recordingStartSchema = z.strictObject(
  {
    lessonId: z.string(),
    /** For the file name main makes (date and title); never a path. */
    lessonTitle: z.string().max(500).optional(),
    destinationId: z.string().max(200).optional(),
    mimeType: z.string(),
  },
  outputRequestError,
);

export const recordingInfoSchema = z.object({
  recordingId: z.string(),
  path: z.string(),
  bytesWritten: z.number().int().nonnegative(),
  /** The WebVTT captions written beside the recording when it finished. */
  captionsPath: z.string().nullable().optional(),
});
export type RecordingInfo = z.infer<typeof recordingInfoSchema>;

export const exportStartSchema = z.strictObject(
  {
    lessonId: z.string(),
    lessonTitle: z.string().max(500).optional(),
    destinationId: z.string().max(200).optional(),
  },
  outputRequestError,
);

export const exportChapterSchema = z.object({
  startMs: z.number().nonnegative(),
  title: z.string().max(1000),
});

export const exportInfoSchema = z.object({
  exportId: z.string(),
  /** Where the finished file goes (it is written beside it under another name until then). */
  path: z.string(),
  bytesWritten: z.number().int().nonnegative(),
  captionsPath: z.string().nullable(),
  chaptersPath: z.string().nullable(),
});
export type ExportInfo = z.infer<typeof exportInfoSchema>;

export const logLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);

export const progressSchema = z.object({
  phase: z.enum([
    'loading',
    'checking',
    'preparing',
    'playing',
    'exporting',
    'finishing',
    'done',
    'failed',
    'cancelled',
  ]),
  /** 0..1 of program time. */
  fraction: z.number().min(0).max(1),
  programMs: z.number().nonnegative(),
  totalMs: z.number().nonnegative().nullable(),
  slideIndex: z.number().int().nonnegative().nullable(),
  message: z.string().optional(),
  outPath: z.string().optional(),
  /** Export only: estimated wall time left, and program seconds made per wall second. */
  etaMs: z.number().nonnegative().nullable().optional(),
  realtimeFactor: z.number().nonnegative().nullable().optional(),
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

export const apiKeyStatusSchema = z.object({
  present: z.boolean(),
  source: z.enum(['saved', 'session', 'environment']).nullable(),
  persistence: z.enum(['encrypted', 'session']),
  /** "…abcd": enough to tell keys apart, never the key. */
  hint: z.string().nullable(),
});

export const elevenLabsStatusSchema = z.object({
  key: apiKeyStatusSchema,
  baseUrl: z.string(),
  baseUrlFromEnvironment: z.boolean(),
  defaults: z.object({ voiceId: z.string().nullable(), modelId: z.string() }),
  /** Set while ElevenLabs is being skipped after a failure (what happened, what to do). */
  paused: z.object({ message: z.string(), hint: z.string().nullable() }).nullable(),
});
export type ElevenLabsStatusInfo = z.infer<typeof elevenLabsStatusSchema>;

export const quotaSchema = z.object({
  tier: z.string(),
  characterCount: z.number().int().nonnegative(),
  characterLimit: z.number().int().nonnegative(),
  charactersLeft: z.number().int().nonnegative(),
  resetsAtUnix: z.number().nullable(),
});
export type QuotaInfo = z.infer<typeof quotaSchema>;

export const elevenLabsVoiceInfoSchema = z.object({
  voiceId: z.string(),
  name: z.string(),
  category: z.string().nullable(),
  description: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  previewUrl: z.string().nullable(),
});
export type ElevenLabsVoiceInfo = z.infer<typeof elevenLabsVoiceInfoSchema>;

export const elevenLabsModelInfoSchema = z.object({
  modelId: z.string(),
  name: z.string(),
  canDoTextToSpeech: z.boolean(),
  maxCharactersPerRequest: z.number().nullable(),
  languages: z.array(z.string()),
});
export type ElevenLabsModelInfo = z.infer<typeof elevenLabsModelInfoSchema>;

export const narrationEstimateSchema = z.object({
  provider: z.enum(['offline', 'elevenlabs']),
  totalCharacters: z.number().int().nonnegative(),
  charactersToSynthesize: z.number().int().nonnegative(),
  sentences: z.number().int().nonnegative(),
  cachedSentences: z.number().int().nonnegative(),
});
export type NarrationEstimateInfo = z.infer<typeof narrationEstimateSchema>;

export const liveConfigSchema = z.object({
  settings: liveSettingsSchema,
  /** The URL in force: LIVEKIT_URL when set, else the saved one. */
  url: z.string().nullable(),
  urlFromEnvironment: z.boolean(),
  credentials: z.object({
    present: z.boolean(),
    source: z.enum(['saved', 'session', 'environment']).nullable(),
    persistence: z.enum(['encrypted', 'session']),
    kind: z.enum(['api-key', 'token']).nullable(),
    /** The API key id (not secret); never the secret or a token. */
    apiKey: z.string().nullable(),
  }),
});
export type LiveConfigInfo = z.infer<typeof liveConfigSchema>;

export const liveConnectInfoSchema = z.object({
  url: z.string(),
  /** Short-lived, this room only, publish rights only. */
  token: z.string(),
  room: z.string(),
  identity: z.string(),
  displayName: z.string(),
  expiresAtMs: z.number().nullable(),
});
export type LiveConnectInfo = z.infer<typeof liveConnectInfoSchema>;

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
  /** RGB24, row-major. (Its 40 ms of audio stays in main, which checks it against the speech.) */
  rgb: bytesSchema,
  /** From Rapido's segment cache (as fast as needed) or live from the server (real time). */
  source: z.enum(['cache', 'server']),
});
export type AvatarSegmentFrameInfo = z.infer<typeof avatarSegmentFrameSchema>;

export const prepareFailureSchema = z.object({
  slideIndex: z.number().int().nonnegative(),
  /** 1-based, as the slide list shows it. */
  slideNumber: z.number().int().positive(),
  part: z.enum(['speech', 'avatar']),
  message: z.string(),
  hint: z.string().nullable(),
});
export type PrepareFailureInfo = z.infer<typeof prepareFailureSchema>;

/** The slide is ready, but not quite as the lesson asks (e.g. partly in the offline voice). */
export const prepareWarningSchema = z.object({
  slideIndex: z.number().int().nonnegative(),
  slideNumber: z.number().int().positive(),
  message: z.string(),
});
export type PrepareWarningInfo = z.infer<typeof prepareWarningSchema>;

export const prepareProgressSchema = z.object({
  state: z.enum(['running', 'done', 'cancelled']),
  phase: z.enum(['speech', 'avatar', 'done']),
  /** The slide under way (0-based); the last one reached once the run has ended. */
  slideIndex: z.number().int().nonnegative(),
  slidesDone: z.number().int().nonnegative(),
  slidesTotal: z.number().int().nonnegative(),
  /** Slides done without a failure. */
  slidesReady: z.number().int().nonnegative(),
  /** Slides whose speech (and avatar) were all in the cache already. */
  slidesFromCache: z.number().int().nonnegative(),
  /** 0..1, weighted by narration characters; avatar frames count within a slide. */
  fraction: z.number().min(0).max(1),
  speechMsDone: z.number().nonnegative(),
  /** Speech made so far plus an estimate for the rest (from the pace of the speech so far). */
  speechMsTotalEstimate: z.number().nonnegative(),
  elapsedMs: z.number().nonnegative(),
  /** From the throughput so far; null until something has been measured. */
  etaMs: z.number().nonnegative().nullable(),
  speechCached: z.number().int().nonnegative(),
  avatarCached: z.number().int().nonnegative(),
  avatarMade: z.number().int().nonnegative(),
  failures: z.array(prepareFailureSchema),
  warnings: z.array(prepareWarningSchema),
});
export type PrepareProgressInfo = z.infer<typeof prepareProgressSchema>;

export const recentLessonSchema = z.object({
  dir: z.string(),
  title: z.string(),
  openedAtMs: z.number(),
});
export type RecentLessonInfo = z.infer<typeof recentLessonSchema>;

export const processMetricsSchema = z.object({
  kind: z.enum(['main', 'renderer', 'gpu', 'utility', 'other']),
  pid: z.number().int(),
  /** Share of one core over the last interval, 0..100 per core. */
  cpuPercent: z.number().nonnegative(),
  /** Resident memory. */
  memoryMB: z.number().nonnegative(),
});
export const appMetricsSchema = z.object({
  processes: z.array(processMetricsSchema),
  cpuCores: z.number().int().positive(),
});
export type AppMetricsInfo = z.infer<typeof appMetricsSchema>;

export const displayInfoSchema = z.object({
  id: z.number().int(),
  label: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  primary: z.boolean(),
});
export type DisplayInfo = z.infer<typeof displayInfoSchema>;

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
  /**
   * Saves the whole lesson (the editor's save and autosave). Main validates it, checks every asset
   * stays inside the folder and exists, and replaces lesson.json atomically. `create` makes a new
   * lesson in `dir` and refuses a folder that already holds one.
   */
  'lesson:save': channel(
    z.object({ dir: z.string().min(1), lesson: lessonSchema, create: z.boolean().optional() }),
    loadedLessonSchema,
  ),
  /**
   * Writes one asset (a slide image made by an importer or added by the user) into the lesson
   * folder, creating the folder if needed. The path is relative and must stay inside; an existing
   * file is never overwritten: a free name beside it is chosen and returned.
   */
  'lesson:write-asset': channel(
    z.object({ dir: z.string().min(1), path: z.string().min(1).max(500), bytes: bytesSchema }),
    z.object({ path: z.string() }),
  ),
  /** Lessons opened or saved lately, newest first; folders that are gone are left out. */
  'lesson:recent': channel(z.object({}), z.object({ lessons: z.array(recentLessonSchema) })),
  // The predecessor's data (issue 16): predecessor-channels.ts.
  ...predecessorInvokeChannels,
  /**
   * A PPTX converted to PDF with LibreOffice (`not-available` names how to get it when absent),
   * with the deck's own titles and narration (speaker notes, else the slide's text) for each
   * shown slide, one per PDF page; `deck` is null for .ppt and .odp, whose pages keep the PDF's text.
   */
  'lesson:convert-pptx': channel(
    z.object({ fileName: z.string().min(1).max(300), bytes: bytesSchema }),
    z.object({
      pdf: bytesSchema,
      converter: z.string(),
      deck: z
        .object({
          slides: z.array(
            z.object({
              number: z.number().int().min(1),
              title: z.string().optional(),
              narration: z.string(),
              source: z.enum(['notes', 'text', 'none']),
            }),
          ),
          hidden: z.array(z.number().int().min(1)),
        })
        .nullable(),
    }),
  ),
  /** CPU and memory of every process of the app, for the metrics panel. */
  'app:metrics': channel(z.object({}), appMetricsSchema),
  /** The displays the program window can go to (headless: the one screen it has). */
  'program-window:displays': channel(
    z.object({}),
    z.object({ displays: z.array(displayInfoSchema) }),
  ),
  /**
   * Where the next program window (window.open with frame name `rapido-program`) opens: on which
   * display and whether full screen. Desktop only; headless answers and ignores it.
   */
  'program-window:place': channel(
    z.object({ displayId: z.number().int().nullable(), fullscreen: z.boolean() }),
    z.object({}),
  ),
  'lesson:read-asset': channel(
    z.object({ lessonDir: z.string().min(1), path: z.string().min(1) }),
    z.object({ bytes: bytesSchema, mimeType: z.string() }),
  ),
  /** One slide's speech, made by main's slide pipeline (and kept there for its avatar). */
  'speech:synthesize': channel(slideSpeechRequestSchema, speechSchema),
  'voice:elevenlabs-status': channel(z.object({}), elevenLabsStatusSchema),
  /** Checked against the account before it is kept; answered with the status and quota. */
  'voice:elevenlabs-set-key': channel(
    z.object({ apiKey: z.string().min(1).max(300) }),
    z.object({ status: elevenLabsStatusSchema, quota: quotaSchema }),
  ),
  'voice:elevenlabs-clear-key': channel(z.object({}), elevenLabsStatusSchema),
  'voice:elevenlabs-voices': channel(
    z.object({}),
    z.object({ voices: z.array(elevenLabsVoiceInfoSchema) }),
  ),
  'voice:elevenlabs-models': channel(
    z.object({}),
    z.object({ models: z.array(elevenLabsModelInfoSchema) }),
  ),
  'voice:elevenlabs-quota': channel(z.object({}), quotaSchema),
  /** Characters the lesson would send to a paid voice now (cached sentences excluded). */
  'voice:estimate': channel(
    z.object({
      lessonId: z.string(),
      slides: z.array(z.object({ text: z.string().max(20_000) })).max(2_000),
      voice: voiceSettingsSchema,
    }),
    narrationEstimateSchema,
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
   * Avatar video for one slide's speech, made in main by the slide pipeline: main takes the
   * speech it made for `speech` (the same request as the slide's `speech:synthesize`) and feeds
   * it to SyncTalk; the renderer never sends PCM. Frames come as `avatar:segment-frame` events
   * while this runs; it answers once the segment is complete (or failed: code `not-available`
   * means "use the local avatar"). Frames are released only as far as `avatar:segment-credit`
   * allows.
   */
  'avatar:segment': channel(
    z.object({
      requestId: z.string().max(100),
      speech: slideSpeechRequestSchema,
      avatar: syncTalkAvatarSchema,
      /** Frames the renderer may hold beyond those it has shown (flow control). */
      creditFrames: z.number().int().positive().max(10_000),
    }),
    z.object({
      frameCount: z.number().int().nonnegative(),
      source: z.enum(['cache', 'server']),
      /** Server frames whose 40 ms of audio was not the speech at their time (should be 0). */
      audioMismatches: z.number().int().nonnegative(),
    }),
  ),
  /**
   * Makes every slide's speech and avatar video into main's caches (the editor's "Prepare whole
   * lesson"; `rapido prepare` runs the same in main). Only `pipeline:prepare-progress` events
   * cross meanwhile; answers with the final progress (summary). Never fails for one slide.
   */
  'pipeline:prepare-lesson': channel(
    z.object({ runId: z.string().min(1).max(100), lessonDir: z.string(), lesson: lessonSchema }),
    prepareProgressSchema,
  ),
  'live:get-config': channel(z.object({}), liveConfigSchema),
  /** Saves settings and/or credentials (null clears them); the secret stays in main. */
  'live:save-config': channel(
    z.object({
      settings: liveSettingsSchema.optional(),
      credentials: z
        .discriminatedUnion('kind', [
          z.object({
            kind: z.literal('api-key'),
            apiKey: z.string().min(1).max(200),
            apiSecret: z.string().min(1).max(500),
          }),
          z.object({ kind: z.literal('token'), token: z.string().min(1).max(10_000) }),
        ])
        .nullable()
        .optional(),
    }),
    liveConfigSchema,
  ),
  'live:connect-info': channel(
    z.object({ lessonId: z.string(), room: z.string().max(100).optional() }),
    liveConnectInfoSchema,
  ),
  'recording:start': channel(recordingStartSchema, recordingInfoSchema),
  'recording:append': channel(
    z.object({ recordingId: z.string(), chunk: bytesSchema }),
    recordingInfoSchema,
  ),
  'recording:finish': channel(
    z.object({
      recordingId: z.string(),
      durationMs: z.number().nonnegative().optional(),
      /** What was said, timed from the recording's start; written beside it as .vtt. */
      captionsVtt: z.string().max(5_000_000).optional(),
    }),
    recordingInfoSchema,
  ),
  'recording:choose-folder': channel(z.object({}), z.object({ dir: z.string().nullable() })),
  'export:start': channel(exportStartSchema, exportInfoSchema),
  /** One write of the muxer: bytes at a position (the MP4 header is patched at the end). */
  'export:write': channel(
    z.object({
      exportId: z.string(),
      position: z.number().int().nonnegative(),
      chunk: bytesSchema,
    }),
    z.object({ bytesWritten: z.number().int().nonnegative() }),
  ),
  'export:finish': channel(
    z.object({
      exportId: z.string(),
      chapters: z.array(exportChapterSchema).max(10_000),
      durationMs: z.number().nonnegative(),
      captionsVtt: z.string().max(20_000_000),
    }),
    exportInfoSchema,
  ),
  /** Stops an export and deletes what it wrote. */
  'export:cancel': channel(z.object({ exportId: z.string() }), z.object({})),
  'shell:show-file': channel(z.object({ path: z.string().min(1) }), z.object({})),
  /** Import mode only: the bytes of the command line's source file (PDF or PPTX). */
  'import:read-source': channel(
    z.object({}),
    z.object({ fileName: z.string(), bytes: bytesSchema }),
  ),
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
  /** Import mode only: the import job's progress, and its outcome ('done' / 'failed'). */
  'import:progress': importJobProgressSchema,
  /** The renderer has shown frames up to `shownIndex`: more cached frames may be sent. */
  'avatar:segment-credit': z.object({
    requestId: z.string().max(100),
    shownIndex: z.number().int().min(-1),
  }),
  'avatar:segment-cancel': z.object({ requestId: z.string().max(100) }),
  /** Stops a `pipeline:prepare-lesson` run (it answers with its summary within a second). */
  'pipeline:prepare-cancel': z.object({ runId: z.string().min(1).max(100) }),
  /** A lesson with the ElevenLabs voice is open: open the connection before Play needs it. */
  'voice:warm': z.object({}),
} as const;

/** Main → renderer. */
export const eventChannels = {
  ...predecessorEventChannels,
  'app:command': z.object({
    command: z.enum(['play', 'pause', 'stop', 'record', 'next-slide', 'previous-slide']),
  }),
  'avatar:load-progress': avatarLoadProgressSchema,
  'avatar:segment-frame': avatarSegmentFrameSchema,
  /** Progress of a `pipeline:prepare-lesson` run: the only thing that crosses while it runs. */
  'pipeline:prepare-progress': z.object({
    runId: z.string().max(100),
    progress: prepareProgressSchema,
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
