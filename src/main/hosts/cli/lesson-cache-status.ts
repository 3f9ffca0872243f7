import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lesson } from '../../../shared/lesson/lesson-schema.ts';
import { int16Samples } from '../../../shared/pcm-samples.ts';
import { slideSpeechRequest } from '../../../shared/speech/slide-speech-request.ts';
import {
  avatarSegmentKey,
  segmentPath,
} from '../../services/avatar/avatar-segments/avatar-segment-cache.ts';
import { displayOrigin, listModels } from '../../services/avatar/synctalk-client/synctalk-http.ts';
import { createResampler } from '../../services/speech/resampler.ts';
import type { VoiceServices } from '../../services/speech/voice-services.ts';
import { probeTimeoutMs } from './status-probes.ts';

/**
 * What the caches hold for a lesson, slide by slide: how many of its sentences' speech, and
 * whether its avatar video. Nothing is made and nothing paid for: speech is looked up by its
 * cache keys; a slide's avatar key needs its speech's samples, which are read back only when
 * every sentence is cached, through voice services with no API key (a miss there falls back to
 * the free offline voice, whose samples then simply name no cached video).
 */
export interface SlideCacheStatus {
  number: number;
  sentences: number;
  cachedSentences: number;
  /** The slide speaks a recording (nothing to synthesise): its file, lesson-relative. */
  recording: string | null;
  /** null: the lesson has no SyncTalk avatar, or the key could not be known (see `avatarNote`). */
  avatarCached: boolean | null;
}

export interface LessonCacheStatus {
  slides: SlideCacheStatus[];
  /** Why avatar video could not be judged, when it could not. */
  avatarNote: string | null;
}

const syncTalkRateHz = 16_000;

export async function lessonCacheStatus(options: {
  lesson: Lesson;
  /** The lesson's folder (a slide's recording is read from it). */
  lessonDir: string;
  /** The app's voice services (estimates read the caches only). */
  voices: VoiceServices;
  /** Voice services over the same cache with no API key: reads back cached speech for free. */
  cacheOnlyVoices: VoiceServices;
  avatarCacheDir: string;
  /** SYNCTALK_SERVER_URL, which overrides the lesson's. */
  syncTalkServerUrl: string | undefined;
}): Promise<LessonCacheStatus> {
  const { lesson } = options;
  const avatar =
    lesson.avatar.provider === 'synctalk'
      ? { ...lesson.avatar, serverUrl: options.syncTalkServerUrl ?? lesson.avatar.serverUrl }
      : null;
  let models: string[] | null = null;
  let avatarNote: string | null =
    avatar === null ? `the lesson's avatar is ${lesson.avatar.provider} (no video to cache)` : null;
  if (avatar !== null) {
    const listed = await listModels(avatar.serverUrl, { timeoutMs: probeTimeoutMs });
    if (listed.ok) models = listed.value;
    else
      avatarNote = `avatar video not judged: its cache key names the server's avatars, and ${avatar.serverUrl} did not list them (${listed.error.message})`;
  }
  const slides: SlideCacheStatus[] = [];
  for (let index = 0; index < lesson.slides.length; index += 1) {
    const request = slideSpeechRequest(lesson, index, options.lessonDir);
    if (!request) continue;
    const recording = request.recorded?.audio ?? null;
    // A recording is the slide's speech as it stands: one "sentence", always in hand.
    const estimate =
      recording === null
        ? await options.voices.narration.estimate(
            lesson.id,
            [{ text: request.text }],
            request.voice,
          )
        : null;
    const sentences = recording !== null ? 1 : estimate?.ok ? estimate.value.sentences : 0;
    const cachedSentences =
      recording !== null ? 1 : estimate?.ok ? estimate.value.cachedSentences : 0;
    let avatarCached: boolean | null = null;
    if (avatar !== null && models !== null) {
      avatarCached = false;
      if (sentences > 0 && cachedSentences === sentences) {
        const spoken = await options.cacheOnlyVoices.synthesize(request);
        if (spoken.ok && spoken.value.pcm.byteLength > 0) {
          const samples = int16Samples(spoken.value.pcm);
          const pcm =
            spoken.value.sampleRateHz === syncTalkRateHz
              ? samples
              : createResampler({
                  inputRateHz: spoken.value.sampleRateHz,
                  outputRateHz: syncTalkRateHz,
                }).resampleInt16(samples);
          const key = avatarSegmentKey({
            pcm,
            avatarName: avatar.avatarName,
            frameSize: avatar.frameSize,
            serverOrigin: displayOrigin(avatar.serverUrl),
            serverModels: models,
          });
          avatarCached = await access(segmentPath(options.avatarCacheDir, key)).then(
            () => true,
            () => false,
          );
        }
      }
    }
    slides.push({ number: index + 1, sentences, cachedSentences, recording, avatarCached });
  }
  return { slides, avatarNote };
}

/** "slide 3: speech 2/4 sentences cached, avatar video cached" */
export function slideCacheLine(slide: SlideCacheStatus): string {
  const speech =
    slide.recording !== null
      ? `speech recorded (${slide.recording})`
      : slide.sentences === 0
        ? 'no narration'
        : `speech ${slide.cachedSentences}/${slide.sentences} sentences cached`;
  const avatar =
    slide.avatarCached === null
      ? ''
      : slide.avatarCached
        ? ', avatar video cached'
        : ', avatar video not cached';
  return `slide ${slide.number}: ${speech}${avatar}`;
}

/** The speech and avatar caches' folders under the shared cache (as every host uses them). */
export function cacheFolders(cacheDir: string): { speech: string; avatar: string } {
  return { speech: join(cacheDir, 'speech'), avatar: join(cacheDir, 'avatar-segments') };
}
