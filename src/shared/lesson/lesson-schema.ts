import { z } from 'zod';

/**
 * Lesson format v1. The product owner chose these fields; later versions may only add optional
 * ones. Asset paths are relative to the lesson folder; the lesson store checks they stay inside.
 */
export const hexColorSchema = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, 'expected a colour like #00b140');

export const normalisedRectSchema = z
  .object({
    x: z.number().min(0).max(1),
    y: z.number().min(0).max(1),
    width: z.number().gt(0).max(1),
    height: z.number().gt(0).max(1),
  })
  .strict()
  .refine((r) => r.x + r.width <= 1.000001 && r.y + r.height <= 1.000001, {
    message: 'the rectangle must lie inside the output (x + width <= 1, y + height <= 1)',
  });
export type NormalisedRect = z.infer<typeof normalisedRectSchema>;

/** OBS's chroma-key model: distances in CbCr space, all in 0..1. */
export const chromaKeySettingsSchema = z
  .object({
    similarity: z.number().min(0.001).max(1).default(0.4),
    smoothness: z.number().min(0.001).max(1).default(0.08),
    spill: z.number().min(0.001).max(1).default(0.1),
  })
  .strict();
export type ChromaKeySettings = z.infer<typeof chromaKeySettingsSchema>;

export const outputSettingsSchema = z
  .object({
    width: z.number().int().min(16).max(7680).multipleOf(2),
    height: z.number().int().min(16).max(4320).multipleOf(2),
    fps: z.number().int().min(1).max(60),
  })
  .strict();
export type OutputSettings = z.infer<typeof outputSettingsSchema>;

export const offlineVoiceSchema = z
  .object({
    provider: z.literal('offline'),
    /** espeak-ng voice name, e.g. "en-us", "en-gb". */
    voice: z.string().min(1).default('en-us'),
    /** Words per minute. */
    rateWpm: z.number().int().min(80).max(450).default(165),
    pitch: z.number().int().min(0).max(99).default(50),
  })
  .strict();
export type OfflineVoiceSettings = z.infer<typeof offlineVoiceSchema>;

/** ElevenLabs voice settings as the API takes them (camelCase here, snake_case on the wire). */
export const elevenLabsVoiceSettingsSchema = z
  .object({
    stability: z.number().min(0).max(1).optional(),
    similarityBoost: z.number().min(0).max(1).optional(),
    style: z.number().min(0).max(1).optional(),
    useSpeakerBoost: z.boolean().optional(),
    /** 1 is normal; the API accepts 0.7..1.2. */
    speed: z.number().min(0.7).max(1.2).optional(),
  })
  .strict();
export type ElevenLabsVoiceSettings = z.infer<typeof elevenLabsVoiceSettingsSchema>;

export const defaultElevenLabsModelId = 'eleven_flash_v2_5';

/**
 * The production voice. `voiceId` may be left out when ELEVENLABS_VOICE_ID supplies it; the
 * offline voice in `fallback` speaks whatever ElevenLabs cannot (no key, quota, outage).
 */
export const elevenLabsVoiceSchema = z
  .object({
    provider: z.literal('elevenlabs'),
    voiceId: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]{1,100}$/,
        'expected an ElevenLabs voice id such as 21m00Tcm4TlvDq8ikWAM',
      )
      .optional(),
    /** Defaults to ELEVENLABS_MODEL_ID, else eleven_flash_v2_5. */
    modelId: z
      .string()
      .regex(/^[a-z0-9_.-]{1,100}$/, 'expected a model id such as eleven_flash_v2_5')
      .optional(),
    settings: elevenLabsVoiceSettingsSchema.default({}),
    /** ISO 639-1, e.g. "en"; most models detect the language themselves. */
    languageCode: z
      .string()
      .regex(/^[a-z]{2,3}$/, 'expected an ISO 639-1 code such as "en"')
      .optional(),
    fallback: offlineVoiceSchema.default({
      provider: 'offline',
      voice: 'en-us',
      rateWpm: 165,
      pitch: 50,
    }),
  })
  .strict();
export type ElevenLabsVoice = z.infer<typeof elevenLabsVoiceSchema>;

export const voiceSettingsSchema = z.discriminatedUnion('provider', [
  offlineVoiceSchema,
  elevenLabsVoiceSchema,
]);
export type VoiceSettings = z.infer<typeof voiceSettingsSchema>;

export const defaultPlacement: NormalisedRect = { x: 0.68, y: 0.42, width: 0.3, height: 0.55 };

export const localAvatarSchema = z
  .object({
    provider: z.literal('local'),
    keyColor: hexColorSchema.default('#00b140'),
    chromaKey: chromaKeySettingsSchema.default({ similarity: 0.4, smoothness: 0.08, spill: 0.1 }),
    placement: normalisedRectSchema.default(defaultPlacement),
  })
  .strict();
export type LocalAvatarSettings = z.infer<typeof localAvatarSchema>;

export const frameSizeSchema = z
  .object({
    width: z.number().int().min(8).max(4096),
    height: z.number().int().min(8).max(4096),
  })
  .strict();

/** A SyncTalk_2D server renders the avatar; the local avatar stands in when it cannot. */
export const syncTalkAvatarSchema = z
  .object({
    provider: z.literal('synctalk'),
    serverUrl: z
      .url({
        protocol: /^(https?|wss?)$/,
        error: 'expected an http(s):// or ws(s):// URL such as http://127.0.0.1:8000',
      })
      .default('http://127.0.0.1:8000'),
    /** As `/models` lists it, e.g. "alin_cc". */
    avatarName: z.string().min(1).max(200),
    /** The server's folder for this avatar, when it is not derivable from the name. */
    folderName: z.string().min(1).max(200).optional(),
    frameSize: frameSizeSchema.default({ width: 512, height: 512 }),
    keyColor: hexColorSchema.default('#089831'),
    chromaKey: chromaKeySettingsSchema.default({ similarity: 0.4, smoothness: 0.08, spill: 0.1 }),
    placement: normalisedRectSchema.default(defaultPlacement),
  })
  .strict();
export type SyncTalkAvatarSettings = z.infer<typeof syncTalkAvatarSchema>;

export const avatarSettingsSchema = z.discriminatedUnion('provider', [
  localAvatarSchema,
  syncTalkAvatarSchema,
]);
export type AvatarSettings = z.infer<typeof avatarSettingsSchema>;

/** A word of a recording and where it is spoken, in ms from the recording's start. */
export const recordedWordSchema = z
  .object({
    text: z.string().min(1).max(200),
    startMs: z.number().int().min(0).max(3_600_000),
    endMs: z.number().int().min(0).max(3_600_000),
  })
  .strict()
  .refine((word) => word.endMs >= word.startMs, { error: 'a word cannot end before it starts' });
export type RecordedWord = z.infer<typeof recordedWordSchema>;

export const recordedNarrationSchema = z
  .object({
    /** A PCM WAV file (16-bit, mono or stereo, any rate) inside the lesson folder. */
    audio: z.string().min(1).max(500),
    /** The words' times in the recording; without them, times are estimated from the script. */
    words: z.array(recordedWordSchema).max(20_000).optional(),
  })
  .strict();
export type RecordedNarration = z.infer<typeof recordedNarrationSchema>;

export const slideSchema = z
  .object({
    id: z.string().min(1).max(100),
    image: z.string().min(1),
    narration: z
      .string()
      .max(20_000, 'narration is limited to 20,000 characters per slide: split the slide'),
    /** Extra time on the slide after its speech ends. */
    holdMs: z.number().int().min(0).max(600_000).default(0),
    notes: z.string().default(''),
    /** Optional title for chapters and the slide list; defaults to the narration's first words. */
    title: z.string().optional(),
    /**
     * The slide's narration as a recording (the teacher's voice, or the predecessor's imported
     * narration) spoken instead of synthesis; `narration` stays its script (captions, search).
     */
    recordedNarration: recordedNarrationSchema.optional(),
    /** Per-slide overrides of the lesson's avatar. */
    avatar: z
      .object({ hidden: z.boolean().optional(), placement: normalisedRectSchema.optional() })
      .strict()
      .optional(),
  })
  .strict();
export type Slide = z.infer<typeof slideSchema>;

export const lessonSchema = z
  .object({
    schemaVersion: z.literal(1),
    id: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]{1,100}$/,
        'use letters, digits, "_" and "-" only (it names rooms and files)',
      ),
    title: z.string().min(1),
    output: outputSettingsSchema.default({ width: 1280, height: 720, fps: 25 }),
    voice: voiceSettingsSchema.default({
      provider: 'offline',
      voice: 'en-us',
      rateWpm: 165,
      pitch: 50,
    }),
    avatar: avatarSettingsSchema.default({
      provider: 'local',
      keyColor: '#00b140',
      chromaKey: { similarity: 0.4, smoothness: 0.08, spill: 0.1 },
      placement: defaultPlacement,
    }),
    /** Captions burned into the program (a WebVTT file is written beside every recording). */
    captions: z
      .object({ burnIn: z.boolean().default(false) })
      .strict()
      .default({ burnIn: false }),
    slides: z.array(slideSchema).min(1, 'a lesson needs at least one slide'),
  })
  .strict()
  .superRefine((lesson, ctx) => {
    const seen = new Map<string, number>();
    lesson.slides.forEach((slide, index) => {
      const first = seen.get(slide.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['slides', index, 'id'],
          message: `duplicate slide id "${slide.id}" (also slides[${first}].id)`,
        });
      } else {
        seen.set(slide.id, index);
      }
    });
  });
export type Lesson = z.infer<typeof lessonSchema>;
/** What a lesson.json may contain before defaults are applied. */
export type LessonInput = z.input<typeof lessonSchema>;

/** A slide's display title: its own, or the first words of its narration. */
export function slideTitle(slide: Slide, index: number): string {
  if (slide.title) return slide.title;
  const words = slide.narration.trim().split(/\s+/).filter(Boolean).slice(0, 6).join(' ');
  return words.length > 0 ? words : `Slide ${index + 1}`;
}
