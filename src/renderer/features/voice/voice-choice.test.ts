import { describe, expect, it } from 'vitest';
import {
  elevenLabsVoiceSchema,
  voiceSettingsSchema,
  type ElevenLabsVoice,
  type OfflineVoiceSettings,
} from '../../../shared/lesson/lesson-schema.ts';
import { pcmS16leToFloat32 } from './preview-player.ts';
import {
  describeDefaultModel,
  describeDefaultVoice,
  describeEstimate,
  describeKeySource,
  describeQuota,
  exceedsQuota,
  fallbackPreviewText,
  hasVoice,
  offlineVoiceOf,
  previewTextFor,
  speechModels,
  switchToElevenLabs,
  withModelId,
  withSpeakerBoost,
  withVoiceId,
  withVoiceSetting,
  withoutVoiceSettings,
} from './voice-choice.ts';

const offline: OfflineVoiceSettings = {
  provider: 'offline',
  voice: 'en-gb',
  rateWpm: 180,
  pitch: 40,
};

describe('voice choice', () => {
  it('keeps the offline voice as the fallback when switching to ElevenLabs, and back', () => {
    const eleven = switchToElevenLabs(offline, null);
    expect(eleven).toEqual({ provider: 'elevenlabs', settings: {}, fallback: offline });
    expect(voiceSettingsSchema.safeParse(eleven).success).toBe(true);
    expect(offlineVoiceOf(eleven)).toEqual(offline);
    expect(offlineVoiceOf(offline)).toBe(offline);
  });

  it('restores an earlier ElevenLabs choice with the current offline voice as fallback', () => {
    const earlier: ElevenLabsVoice = {
      provider: 'elevenlabs',
      voiceId: 'pNInz6obpgDQGcFmaJgB',
      modelId: 'eleven_turbo_v2_5',
      settings: { stability: 0.3 },
      fallback: { provider: 'offline', voice: 'en-us', rateWpm: 165, pitch: 50 },
    };
    const restored = switchToElevenLabs(offline, earlier);
    expect(restored).toEqual({ ...earlier, fallback: offline });
    // Already ElevenLabs: unchanged.
    expect(switchToElevenLabs(earlier, null)).toBe(earlier);
  });

  it('leaves a default id out of lesson.json rather than writing an empty one', () => {
    const base = switchToElevenLabs(offline, null);
    const picked = withModelId(withVoiceId(base, 'pNInz6obpgDQGcFmaJgB'), 'eleven_v3');
    expect(picked.voiceId).toBe('pNInz6obpgDQGcFmaJgB');
    expect(picked.modelId).toBe('eleven_v3');
    const cleared = withModelId(withVoiceId(picked, null), null);
    expect('voiceId' in cleared).toBe(false);
    expect('modelId' in cleared).toBe(false);
    expect(JSON.parse(JSON.stringify(cleared))).toEqual(base);
    expect(elevenLabsVoiceSchema.safeParse(picked).success).toBe(true);
  });

  it('changes one setting at a time and resets them all', () => {
    const base = switchToElevenLabs(offline, null);
    const tuned = withSpeakerBoost(
      withVoiceSetting(withVoiceSetting(base, 'stability', 0.35), 'speed', 1.1),
      false,
    );
    expect(tuned.settings).toEqual({ stability: 0.35, speed: 1.1, useSpeakerBoost: false });
    expect(base.settings).toEqual({});
    expect(withoutVoiceSettings(tuned).settings).toEqual({});
  });

  it('knows when ElevenLabs has a voice to speak with', () => {
    const base = switchToElevenLabs(offline, null);
    expect(hasVoice(base, null)).toBe(false);
    expect(hasVoice(base, '21m00Tcm4TlvDq8ikWAM')).toBe(true);
    expect(hasVoice(withVoiceId(base, 'pNInz6obpgDQGcFmaJgB'), null)).toBe(true);
  });

  it('prefills the preview with the first sentence, or a greeting', () => {
    expect(previewTextFor('A plant needs three ingredients. Sunlight provides energy.')).toBe(
      'A plant needs three ingredients.',
    );
    expect(previewTextFor('   ')).toBe(fallbackPreviewText);
    expect(previewTextFor(undefined)).toBe(fallbackPreviewText);
  });

  it('says where the key comes from without showing it', () => {
    const key = { present: true, persistence: 'session' as const, hint: '…abcd' };
    expect(describeKeySource({ ...key, source: 'saved' })).toBe('Key saved (encrypted) …abcd');
    expect(describeKeySource({ ...key, source: 'session' })).toBe(
      'Key for this session only …abcd',
    );
    expect(describeKeySource({ ...key, source: 'environment' })).toBe(
      'Key from ELEVENLABS_API_KEY …abcd',
    );
    expect(
      describeKeySource({ present: false, source: null, persistence: 'session', hint: null }),
    ).toBe('No key');
  });

  it('words the cost and warns when it exceeds the plan', () => {
    const estimate = {
      provider: 'elevenlabs' as const,
      totalCharacters: 1200,
      charactersToSynthesize: 1034,
      sentences: 12,
      cachedSentences: 1,
    };
    const quota = {
      tier: 'free',
      characterCount: 9000,
      characterLimit: 10_000,
      charactersLeft: 1000,
      resetsAtUnix: null,
    };
    expect(describeEstimate(estimate)).toBe(
      'This lesson: 1,034 characters to synthesise (1 of 12 sentences cached)',
    );
    expect(describeQuota(quota)).toBe('1,000 characters left on your plan (free)');
    expect(exceedsQuota(estimate, quota)).toBe(true);
    expect(exceedsQuota({ ...estimate, charactersToSynthesize: 1000 }, quota)).toBe(false);
    expect(exceedsQuota(estimate, null)).toBe(false);
  });

  it('lists only text-to-speech models and names the defaults', () => {
    const models = [
      {
        modelId: 'eleven_flash_v2_5',
        name: 'Eleven Flash v2.5',
        canDoTextToSpeech: true,
        maxCharactersPerRequest: null,
        languages: [],
      },
      {
        modelId: 'eleven_english_sts_v2',
        name: 'Speech to speech',
        canDoTextToSpeech: false,
        maxCharactersPerRequest: null,
        languages: [],
      },
    ];
    expect(speechModels(models).map((m) => m.modelId)).toEqual(['eleven_flash_v2_5']);
    expect(
      describeDefaultModel(
        { voiceId: null, modelId: 'eleven_flash_v2_5' },
        models,
        'eleven_flash_v2_5',
      ),
    ).toBe('Default (Eleven Flash v2.5)');
    expect(
      describeDefaultModel({ voiceId: null, modelId: 'eleven_v3' }, models, 'eleven_flash_v2_5'),
    ).toBe('Default from ELEVENLABS_MODEL_ID (eleven_v3)');
    const voices = [
      {
        voiceId: 'abc',
        name: 'Rachel',
        category: 'premade',
        description: null,
        labels: {},
        previewUrl: null,
      },
    ];
    expect(describeDefaultVoice({ voiceId: 'abc', modelId: 'x' }, voices)).toBe(
      'Default from ELEVENLABS_VOICE_ID (Rachel)',
    );
    expect(describeDefaultVoice({ voiceId: null, modelId: 'x' }, voices)).toBeNull();
  });
});

describe('preview PCM', () => {
  it('reads s16le samples at any byte offset', () => {
    const bytes = new Uint8Array([0xff, 0x00, 0x80, 0xff, 0x7f, 0x00, 0x00, 0x01]);
    // Offset 1: an Int16Array view would throw here; the preview must not.
    const samples = pcmS16leToFloat32(bytes.subarray(1, 7));
    expect(Array.from(samples)).toEqual([-32768 / 32768, 0x7fff / 32768, 0]);
    expect(pcmS16leToFloat32(new Uint8Array(0))).toHaveLength(0);
  });
});
