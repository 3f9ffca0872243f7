import type { OfflineVoice } from '../../src/main/services/speech/speech-types.ts';

/**
 * What the reference server offers: three premade voices (real ElevenLabs ids, so code written
 * against it looks like code written against the real thing), each spoken by an espeak-ng voice
 * set apart by pitch and accent; the four text-to-speech models Rapido may pick; the subscription.
 */

export interface ReferenceVoice {
  /** 20 alphanumerics, like the real ids. */
  voiceId: string;
  name: string;
  category: 'premade';
  labels: Record<string, string>;
  description: string;
  previewUrl: string;
  /** How the offline voice speaks it. */
  espeak: OfflineVoice;
}

export interface ReferenceModel {
  modelId: string;
  name: string;
  description: string;
  maxCharactersRequestFreeUser: number;
  maxCharactersRequestSubscribedUser: number;
  maximumTextLengthPerRequest: number;
  languages: { languageId: string; name: string }[];
  /** Only eleven_v3 performs audio tags such as "[laughs]"; the others read them aloud. */
  performsAudioTags: boolean;
}

export const defaultModelId = 'eleven_multilingual_v2';

function previewUrlFor(voiceId: string): string {
  return `https://storage.googleapis.com/eleven-public-prod/premade/voices/${voiceId}/preview.mp3`;
}

export const referenceVoices: readonly ReferenceVoice[] = [
  {
    voiceId: '21m00Tcm4TlvDq8ikWAM',
    name: 'Rachel',
    category: 'premade',
    labels: {
      accent: 'american',
      description: 'calm',
      age: 'young',
      gender: 'female',
      use_case: 'narration',
    },
    description: 'A calm, young American female voice for narration.',
    previewUrl: previewUrlFor('21m00Tcm4TlvDq8ikWAM'),
    espeak: { provider: 'offline', voice: 'en-us', rateWpm: 170, pitch: 60 },
  },
  {
    voiceId: 'pNInz6obpgDQGcFmaJgB',
    name: 'Adam',
    category: 'premade',
    labels: {
      accent: 'american',
      description: 'deep',
      age: 'middle aged',
      gender: 'male',
      use_case: 'narration',
    },
    description: 'A deep, middle-aged American male voice.',
    previewUrl: previewUrlFor('pNInz6obpgDQGcFmaJgB'),
    espeak: { provider: 'offline', voice: 'en-us', rateWpm: 160, pitch: 35 },
  },
  {
    voiceId: 'pFZP5JQG7iQjIQuC4Bku',
    name: 'Lily',
    category: 'premade',
    labels: {
      accent: 'british',
      description: 'warm',
      age: 'middle aged',
      gender: 'female',
      use_case: 'narration',
    },
    description: 'A warm British female voice, clear for teaching.',
    previewUrl: previewUrlFor('pFZP5JQG7iQjIQuC4Bku'),
    espeak: { provider: 'offline', voice: 'en-gb', rateWpm: 165, pitch: 55 },
  },
];

const english = { languageId: 'en', name: 'English' };
const multilingual = [
  english,
  { languageId: 'de', name: 'German' },
  { languageId: 'fr', name: 'French' },
  { languageId: 'es', name: 'Spanish' },
  { languageId: 'it', name: 'Italian' },
];

export const referenceModels: readonly ReferenceModel[] = [
  {
    modelId: 'eleven_flash_v2_5',
    name: 'Eleven Flash v2.5',
    description: 'Ultra-low latency model in 32 languages.',
    maxCharactersRequestFreeUser: 40_000,
    maxCharactersRequestSubscribedUser: 40_000,
    maximumTextLengthPerRequest: 40_000,
    languages: multilingual,
    performsAudioTags: false,
  },
  {
    modelId: 'eleven_turbo_v2_5',
    name: 'Eleven Turbo v2.5',
    description: 'High quality, low latency model in 32 languages.',
    maxCharactersRequestFreeUser: 40_000,
    maxCharactersRequestSubscribedUser: 40_000,
    maximumTextLengthPerRequest: 40_000,
    languages: multilingual,
    performsAudioTags: false,
  },
  {
    modelId: 'eleven_multilingual_v2',
    name: 'Eleven Multilingual v2',
    description: 'Our most life-like, emotionally rich model in 29 languages.',
    maxCharactersRequestFreeUser: 10_000,
    maxCharactersRequestSubscribedUser: 10_000,
    maximumTextLengthPerRequest: 10_000,
    languages: multilingual,
    performsAudioTags: false,
  },
  {
    modelId: 'eleven_v3',
    name: 'Eleven v3',
    description: 'Our most expressive model, with audio tags, in 70+ languages.',
    maxCharactersRequestFreeUser: 5_000,
    maxCharactersRequestSubscribedUser: 5_000,
    maximumTextLengthPerRequest: 5_000,
    languages: multilingual,
    performsAudioTags: true,
  },
];

export function voiceJson(voice: ReferenceVoice): Record<string, unknown> {
  return {
    voice_id: voice.voiceId,
    name: voice.name,
    samples: null,
    category: voice.category,
    fine_tuning: null,
    labels: voice.labels,
    description: voice.description,
    preview_url: voice.previewUrl,
    available_for_tiers: [],
    settings: null,
    sharing: null,
    high_quality_base_model_ids: ['eleven_turbo_v2_5', 'eleven_flash_v2_5', 'eleven_v3'],
    verified_languages: [],
    is_owner: false,
    is_legacy: false,
    is_mixed: false,
  };
}

export function modelJson(model: ReferenceModel): Record<string, unknown> {
  return {
    model_id: model.modelId,
    name: model.name,
    can_be_finetuned: false,
    can_do_text_to_speech: true,
    can_do_voice_conversion: false,
    can_use_style: model.modelId !== 'eleven_flash_v2_5',
    can_use_speaker_boost: true,
    serves_pro_voices: false,
    token_cost_factor: 1,
    description: model.description,
    requires_alpha_access: false,
    max_characters_request_free_user: model.maxCharactersRequestFreeUser,
    max_characters_request_subscribed_user: model.maxCharactersRequestSubscribedUser,
    maximum_text_length_per_request: model.maximumTextLengthPerRequest,
    languages: model.languages.map((language) => ({
      language_id: language.languageId,
      name: language.name,
    })),
    model_rates: { character_cost_multiplier: 1 },
    concurrency_group: 'standard',
  };
}

export function subscriptionJson(usage: {
  characterCount: number;
  characterLimit: number;
  nextResetUnixSeconds: number;
}): Record<string, unknown> {
  return {
    tier: 'free',
    character_count: usage.characterCount,
    character_limit: usage.characterLimit,
    max_character_limit_extension: null,
    max_credit_limit_extension: 0,
    can_extend_character_limit: false,
    allowed_to_extend_character_limit: false,
    next_character_count_reset_unix: usage.nextResetUnixSeconds,
    voice_slots_used: 0,
    professional_voice_slots_used: 0,
    professional_voice_slots_used_in_workspace: 0,
    voice_limit: 3,
    max_voice_add_edits: null,
    voice_add_edit_counter: 0,
    professional_voice_limit: 0,
    can_extend_voice_limit: false,
    can_use_instant_voice_cloning: false,
    can_use_professional_voice_cloning: false,
    currency: 'usd',
    current_overage: { amount: '0', currency: 'usd' },
    status: 'active',
    billing_period: 'monthly_period',
    character_refresh_period: 'monthly_period',
    next_invoice: null,
    open_invoices: [],
    has_open_invoices: false,
    pending_change: null,
  };
}
