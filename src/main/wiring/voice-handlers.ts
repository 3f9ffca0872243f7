import { ok } from '../../shared/result.ts';
import type { SlidePipeline } from '../services/pipeline/slide-pipeline.ts';
import type { VoiceServices } from '../services/speech/voice-services.ts';
import type { InvokeHandlersOf, SendHandlersOf } from './host-abilities.ts';

/** The `speech:*` and `voice:*` channels: synthesis, the ElevenLabs key, voices and quota. */
export function createVoiceHandlers(
  voices: VoiceServices,
  pipeline: SlidePipeline,
): { invoke: InvokeHandlersOf<'speech' | 'voice'>; send: SendHandlersOf<'voice'> } {
  return {
    invoke: {
      // A slide's speech goes through the pipeline, which keeps it for the slide's avatar.
      'speech:synthesize': (request) => pipeline.speech(request),
      'voice:elevenlabs-status': () => Promise.resolve(ok(voices.status())),
      'voice:elevenlabs-set-key': ({ apiKey }) => voices.setKey(apiKey),
      'voice:elevenlabs-clear-key': async () => {
        const cleared = await voices.keys.clear();
        return cleared.ok ? ok(voices.status()) : cleared;
      },
      'voice:elevenlabs-voices': async () => {
        const listed = await voices.elevenLabsApi.voices();
        return listed.ok ? ok({ voices: listed.value }) : listed;
      },
      'voice:elevenlabs-models': async () => {
        const listed = await voices.elevenLabsApi.models();
        return listed.ok ? ok({ models: listed.value }) : listed;
      },
      'voice:elevenlabs-quota': () => voices.elevenLabsApi.subscription(),
      'voice:estimate': ({ lessonId, slides, voice }) =>
        voices.narration.estimate(lessonId, slides, voice),
    },
    send: {
      'voice:warm': () => void voices.elevenLabsApi.warm(),
    },
  };
}
