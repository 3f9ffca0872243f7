import type { SlideSpeechRequestInfo } from '../../shared/ipc/contract.ts';
import { ok, type Result } from '../../shared/result.ts';
import type { FolderGrants } from '../services/lesson/folder-grants.ts';
import type { SlidePipeline } from '../services/pipeline/slide-pipeline.ts';
import type { VoiceServices } from '../services/speech/voice-services.ts';
import type { InvokeHandlersOf, SendHandlersOf } from './host-abilities.ts';

/**
 * A speech request from the page, with a recorded narration's folder confirmed: main reads a
 * recording only inside a lesson it opened (the page names the folder, main checks it, as for
 * slide images), and goes on with that folder's real path.
 */
export async function confinedSpeechRequest(
  grants: Pick<FolderGrants, 'openedLesson'>,
  request: SlideSpeechRequestInfo,
): Promise<Result<SlideSpeechRequestInfo>> {
  if (!request.recorded) return ok(request);
  const opened = await grants.openedLesson(request.recorded.lessonDir);
  if (!opened.ok) return opened;
  return ok({ ...request, recorded: { ...request.recorded, lessonDir: opened.value } });
}

/** The `speech:*` and `voice:*` channels: synthesis, the ElevenLabs key, voices and quota. */
export function createVoiceHandlers(
  voices: VoiceServices,
  pipeline: SlidePipeline,
  grants: Pick<FolderGrants, 'openedLesson'>,
): { invoke: InvokeHandlersOf<'speech' | 'voice'>; send: SendHandlersOf<'voice'> } {
  return {
    invoke: {
      // A slide's speech goes through the pipeline, which keeps it for the slide's avatar.
      'speech:synthesize': async (request) => {
        const confined = await confinedSpeechRequest(grants, request);
        return confined.ok ? pipeline.speech(confined.value) : confined;
      },
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
