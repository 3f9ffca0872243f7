import type {
  ElevenLabsStatusInfo,
  ElevenLabsModelInfo,
  ElevenLabsVoiceInfo,
  NarrationEstimateInfo,
  QuotaInfo,
} from '../../../shared/ipc/contract.ts';
import type {
  ElevenLabsVoice,
  ElevenLabsVoiceSettings,
  OfflineVoiceSettings,
  VoiceSettings,
} from '../../../shared/lesson/lesson-schema.ts';
import { splitSentences } from '../../../shared/speech/narration-text.ts';

/**
 * The Voice panel's decisions as pure functions: how a provider switch or a picked voice turns
 * into the lesson's next `voice`, and the sentences the panel shows. Kept apart from React so
 * they are tested without a browser.
 */

export type VoiceProvider = VoiceSettings['provider'];

/** The offline voice a lesson speaks with, or falls back to. */
export function offlineVoiceOf(voice: VoiceSettings): OfflineVoiceSettings {
  return voice.provider === 'offline' ? voice : voice.fallback;
}

/**
 * ElevenLabs with the lesson's offline voice kept as its fallback. `remembered` is an earlier
 * ElevenLabs choice from this session, so Offline → ElevenLabs does not forget the voice.
 */
export function switchToElevenLabs(
  voice: VoiceSettings,
  remembered: ElevenLabsVoice | null,
): ElevenLabsVoice {
  if (voice.provider === 'elevenlabs') return voice;
  if (remembered) return { ...remembered, fallback: voice };
  return { provider: 'elevenlabs', settings: {}, fallback: voice };
}

/** Null means "the default" (ELEVENLABS_VOICE_ID): the key is left out of lesson.json. */
export function withVoiceId(voice: ElevenLabsVoice, voiceId: string | null): ElevenLabsVoice {
  if (voiceId !== null) return { ...voice, voiceId };
  const next = { ...voice };
  delete next.voiceId;
  return next;
}

/** Null means "the default" (ELEVENLABS_MODEL_ID, else the built-in one). */
export function withModelId(voice: ElevenLabsVoice, modelId: string | null): ElevenLabsVoice {
  if (modelId !== null) return { ...voice, modelId };
  const next = { ...voice };
  delete next.modelId;
  return next;
}

export type NumericVoiceSetting = 'stability' | 'similarityBoost' | 'style' | 'speed';

export function withVoiceSetting(
  voice: ElevenLabsVoice,
  name: NumericVoiceSetting,
  value: number,
): ElevenLabsVoice {
  return { ...voice, settings: { ...voice.settings, [name]: value } };
}

export function withSpeakerBoost(voice: ElevenLabsVoice, on: boolean): ElevenLabsVoice {
  return { ...voice, settings: { ...voice.settings, useSpeakerBoost: on } };
}

export function withoutVoiceSettings(voice: ElevenLabsVoice): ElevenLabsVoice {
  return { ...voice, settings: {} };
}

/**
 * What ElevenLabs uses for a setting the lesson leaves out (its documented defaults), so a
 * slider has somewhere to stand.
 */
export const elevenLabsSettingDefaults: Required<ElevenLabsVoiceSettings> = {
  stability: 0.5,
  similarityBoost: 0.75,
  style: 0,
  useSpeakerBoost: true,
  speed: 1,
};

/** Whether the voice can be spoken now: the lesson or ELEVENLABS_VOICE_ID names one. */
export function hasVoice(voice: ElevenLabsVoice, defaultVoiceId: string | null): boolean {
  return voice.voiceId !== undefined || defaultVoiceId !== null;
}

export const fallbackPreviewText = 'Hello, and welcome to today’s lesson.';

/** The narration's first sentence, as the voices split it; a greeting when there is none. */
export function previewTextFor(narration: string | undefined): string {
  const [first] = splitSentences(narration ?? '');
  return first?.text ?? fallbackPreviewText;
}

export function describeKeySource(key: ElevenLabsStatusInfo['key']): string {
  if (!key.present) return 'No key';
  const hint = key.hint ? ` ${key.hint}` : '';
  switch (key.source) {
    case 'saved':
      return `Key saved (encrypted)${hint}`;
    case 'session':
      return `Key for this session only${hint}`;
    case 'environment':
      return `Key from ELEVENLABS_API_KEY${hint}`;
    case null:
      return `Key set${hint}`;
  }
}

const numbers = new Intl.NumberFormat('en-US');

export function formatCount(value: number): string {
  return numbers.format(value);
}

export function plural(count: number, one: string, many: string): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

export function describeQuota(quota: QuotaInfo): string {
  return `${plural(quota.charactersLeft, 'character', 'characters')} left on your plan (${quota.tier})`;
}

export function describeEstimate(estimate: NarrationEstimateInfo): string {
  return `This lesson: ${plural(estimate.charactersToSynthesize, 'character', 'characters')} to synthesise (${formatCount(estimate.cachedSentences)} of ${plural(estimate.sentences, 'sentence', 'sentences')} cached)`;
}

/** The estimate costs more than the plan has left: the rest will be spoken offline. */
export function exceedsQuota(estimate: NarrationEstimateInfo, quota: QuotaInfo | null): boolean {
  return quota !== null && estimate.charactersToSynthesize > quota.charactersLeft;
}

export function voiceOptionLabel(voice: ElevenLabsVoiceInfo): string {
  return voice.category ? `${voice.name} (${voice.category})` : voice.name;
}

export function speechModels(models: readonly ElevenLabsModelInfo[]): ElevenLabsModelInfo[] {
  return models.filter((model) => model.canDoTextToSpeech);
}

/** "Default from ELEVENLABS_VOICE_ID (Rachel)", or null when there is no default voice. */
export function describeDefaultVoice(
  defaults: ElevenLabsStatusInfo['defaults'],
  voices: readonly ElevenLabsVoiceInfo[],
): string | null {
  if (defaults.voiceId === null) return null;
  const known = voices.find((voice) => voice.voiceId === defaults.voiceId);
  return `Default from ELEVENLABS_VOICE_ID (${known ? known.name : defaults.voiceId})`;
}

export function describeDefaultModel(
  defaults: ElevenLabsStatusInfo['defaults'],
  models: readonly ElevenLabsModelInfo[],
  builtInModelId: string,
): string {
  const known = models.find((model) => model.modelId === defaults.modelId);
  const name = known ? known.name : defaults.modelId;
  return defaults.modelId === builtInModelId
    ? `Default (${name})`
    : `Default from ELEVENLABS_MODEL_ID (${name})`;
}
