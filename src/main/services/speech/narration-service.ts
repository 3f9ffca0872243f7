import type {
  ElevenLabsVoice,
  OfflineVoiceSettings,
  VoiceSettings,
} from '../../../shared/lesson/lesson-schema.ts';
import { err, ok, type RapidoError, type Result } from '../../../shared/result.ts';
import {
  blankAudioTags,
  modelSupportsAudioTags,
  splitSentences,
  type TextSpan,
} from '../../../shared/speech/narration-text.ts';
import { concatInt16 } from '../../../shared/pcm-samples.ts';
import type { Logger } from '../logging/logger.ts';
import { cancelledSpeech } from './abortable.ts';
import type { ElevenLabsUnitVoice } from './elevenlabs/elevenlabs-provider.ts';
import type { ServedSpeech, SpeechService } from './speech-service.ts';
import { speechSampleRateHz, type WordTiming } from './speech-types.ts';

/**
 * A slide's narration, spoken by the lesson's voice. The offline voice takes a slide at once;
 * ElevenLabs takes it sentence by sentence (each a streamed request with the sentences around
 * it as context, all started together and bounded by the client's request slots), so a long
 * slide arrives in the time of its longest sentence, an edit re-synthesises only the sentence
 * that changed, and a failure costs one sentence: that sentence is spoken by the offline voice
 * and the slide goes on.
 */
export interface NarrationRequest {
  lessonId: string;
  slideId: string;
  text: string;
  voice: VoiceSettings;
  /** The end of the previous slide's narration and the start of the next (prosody context). */
  previousText?: string | undefined;
  nextText?: string | undefined;
}

export interface NarrationFallback {
  /** Sentences spoken by the offline voice instead. */
  sentences: number;
  error: RapidoError;
}

export type Narration = ServedSpeech & {
  /** Set when some of it is not in the lesson's voice (and why). */
  fallback: NarrationFallback | null;
};

export interface NarrationEstimate {
  provider: VoiceSettings['provider'];
  totalCharacters: number;
  /** Characters that would be sent to a paid service now (cached sentences cost nothing). */
  charactersToSynthesize: number;
  sentences: number;
  cachedSentences: number;
}

export interface NarrationDefaults {
  /** ELEVENLABS_VOICE_ID and ELEVENLABS_MODEL_ID. */
  voiceId?: string | undefined;
  modelId?: string | undefined;
}

export interface NarrationService {
  narrate(request: NarrationRequest, signal?: AbortSignal): Promise<Result<Narration>>;
  estimate(
    lessonId: string,
    slides: readonly { text: string }[],
    voice: VoiceSettings,
  ): Promise<Result<NarrationEstimate>>;
}

const contextChars = 300;

/** The last (or first) few hundred characters of neighbouring text: enough for prosody. */
function tail(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const trimmed = text.trim();
  return trimmed.length > contextChars ? trimmed.slice(trimmed.length - contextChars) : trimmed;
}
function head(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const trimmed = text.trim();
  return trimmed.length > contextChars ? trimmed.slice(0, contextChars) : trimmed;
}

interface SentencePlan {
  span: TextSpan;
  /** What is sent: the sentence with tags blanked unless the model performs them. */
  sent: string;
  previousText: string | undefined;
  nextText: string | undefined;
}

export function resolveElevenLabsVoice(
  voice: ElevenLabsVoice,
  defaults: NarrationDefaults,
): Result<ElevenLabsUnitVoice> {
  const voiceId = voice.voiceId ?? defaults.voiceId;
  if (!voiceId) {
    return err('invalid-request', 'The lesson uses ElevenLabs but names no voice.', {
      hint: 'Pick a voice in the Voice panel, set the lesson\'s "voice.voiceId", or set ELEVENLABS_VOICE_ID.',
    });
  }
  return ok({
    voiceId,
    modelId: voice.modelId ?? defaults.modelId ?? 'eleven_flash_v2_5',
    settings: voice.settings,
    ...(voice.languageCode ? { languageCode: voice.languageCode } : {}),
  });
}

function planSentences(
  text: string,
  modelId: string,
  previousText: string | undefined,
  nextText: string | undefined,
): SentencePlan[] {
  const keepTags = modelSupportsAudioTags(modelId);
  const prepare = (value: string | undefined) =>
    value === undefined ? undefined : keepTags ? value : blankAudioTags(value).trim() || undefined;
  const spans = splitSentences(text, { keepTagOnly: keepTags });
  return spans.map((span, index) => ({
    span,
    sent: keepTags ? span.text : blankAudioTags(span.text),
    previousText: prepare(index > 0 ? spans[index - 1]?.text : tail(previousText)),
    nextText: prepare(index < spans.length - 1 ? spans[index + 1]?.text : head(nextText)),
  }));
}

function shiftWords(words: readonly WordTiming[], byMs: number, byChars: number): WordTiming[] {
  return words.map((word) => ({
    ...word,
    startMs: word.startMs + byMs,
    endMs: word.endMs + byMs,
    charStart: word.charStart + byChars,
    charEnd: word.charEnd + byChars,
  }));
}

export function createNarrationService(options: {
  offline: SpeechService;
  elevenLabs: SpeechService<ElevenLabsUnitVoice>;
  defaults: NarrationDefaults;
  logger: Logger;
}): NarrationService {
  const { offline, elevenLabs, logger } = options;

  async function offlineSlide(
    request: NarrationRequest,
    voice: OfflineVoiceSettings,
    signal: AbortSignal | undefined,
    fallback: NarrationFallback | null,
  ): Promise<Result<Narration>> {
    // Blanking keeps offsets: word char positions still index the narration as written.
    const spoken = await offline.synthesize(
      { lessonId: request.lessonId, text: blankAudioTags(request.text), voice },
      signal,
    );
    if (!spoken.ok) return spoken;
    return ok({ ...spoken.value, fallback });
  }

  async function elevenLabsSlide(
    request: NarrationRequest,
    voice: ElevenLabsVoice,
    signal: AbortSignal | undefined,
  ): Promise<Result<Narration>> {
    const resolved = resolveElevenLabsVoice(voice, options.defaults);
    if (!resolved.ok) {
      return offlineSlide(request, voice.fallback, signal, {
        sentences: splitSentences(request.text).length,
        error: resolved.error,
      });
    }
    const unitVoice = resolved.value;
    const plans = planSentences(
      request.text,
      unitVoice.modelId,
      request.previousText,
      request.nextText,
    );
    const parts = await Promise.all(
      plans.map(async (plan) => {
        const spoken = await elevenLabs.synthesize(
          {
            lessonId: request.lessonId,
            text: plan.sent,
            voice: unitVoice,
            context: { previousText: plan.previousText, nextText: plan.nextText },
          },
          signal,
        );
        if (spoken.ok || spoken.error.code === 'cancelled') return { plan, spoken, fellBack: null };
        const instead = await offline.synthesize(
          {
            lessonId: request.lessonId,
            text: blankAudioTags(plan.span.text),
            voice: voice.fallback,
          },
          signal,
        );
        return { plan, spoken: instead, fellBack: spoken.error };
      }),
    );
    if (signal?.aborted) return cancelledSpeech();
    const pcm: Int16Array<ArrayBuffer>[] = [];
    const words: WordTiming[] = [];
    let offsetMs = 0;
    let cached = true;
    let fellBackCount = 0;
    let firstFailure: RapidoError | null = null;
    for (const { plan, spoken, fellBack } of parts) {
      if (!spoken.ok) return spoken;
      pcm.push(spoken.value.pcm);
      words.push(...shiftWords(spoken.value.words, offsetMs, plan.span.start));
      offsetMs += spoken.value.durationMs;
      cached &&= spoken.value.cached;
      if (fellBack) {
        fellBackCount += 1;
        firstFailure ??= fellBack;
      }
    }
    const fallback: NarrationFallback | null = firstFailure
      ? { sentences: fellBackCount, error: firstFailure }
      : null;
    if (fallback) {
      logger.warn(
        `slide ${request.slideId}: ${fallback.sentences} of ${plans.length} sentences used the offline voice: ${fallback.error.message}`,
        {
          lesson_id: request.lessonId,
          event_type: 'speech_fallback',
          sentences: fallback.sentences,
        },
      );
    }
    const joined = concatInt16(pcm);
    return ok({
      pcm: joined,
      sampleRateHz: speechSampleRateHz,
      durationMs: (joined.length / speechSampleRateHz) * 1000,
      words,
      providerId:
        fallback && fallback.sentences === plans.length
          ? offline.providerId
          : elevenLabs.providerId,
      cached,
      fallback,
    });
  }

  return {
    narrate(request, signal) {
      if (request.voice.provider === 'offline')
        return offlineSlide(request, request.voice, signal, null);
      return elevenLabsSlide(request, request.voice, signal);
    },
    async estimate(lessonId, slides, voice) {
      let totalCharacters = 0;
      let charactersToSynthesize = 0;
      let sentences = 0;
      let cachedSentences = 0;
      if (voice.provider === 'offline') {
        for (const slide of slides) {
          totalCharacters += slide.text.length;
          sentences += 1;
          if (await offline.isCached({ text: blankAudioTags(slide.text), voice }))
            cachedSentences += 1;
        }
        // The offline voice costs nothing, cached or not.
        return ok({
          provider: 'offline',
          totalCharacters,
          charactersToSynthesize: 0,
          sentences,
          cachedSentences,
        });
      }
      const resolved = resolveElevenLabsVoice(voice, options.defaults);
      if (!resolved.ok) return resolved;
      for (const slide of slides) {
        for (const plan of planSentences(
          slide.text,
          resolved.value.modelId,
          undefined,
          undefined,
        )) {
          sentences += 1;
          totalCharacters += plan.sent.length;
          if (await elevenLabs.isCached({ text: plan.sent, voice: resolved.value }))
            cachedSentences += 1;
          else charactersToSynthesize += plan.sent.length;
        }
      }
      logger.debug(
        `estimate for ${lessonId}: ${charactersToSynthesize} of ${totalCharacters} characters to synthesise`,
      );
      return ok({
        provider: 'elevenlabs',
        totalCharacters,
        charactersToSynthesize,
        sentences,
        cachedSentences,
      });
    },
  };
}
