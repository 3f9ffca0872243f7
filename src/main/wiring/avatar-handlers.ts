import type { SyncTalkAvatarService } from '../services/avatar/synctalk-avatar-service.ts';
import type { FolderGrants } from '../services/lesson/folder-grants.ts';
import type { SlidePipeline } from '../services/pipeline/slide-pipeline.ts';
import type { InvokeHandlersOf, SendHandlersOf } from './host-abilities.ts';
import { confinedSpeechRequest } from './voice-handlers.ts';

/**
 * The `avatar:*` and `pipeline:*` channels: check and load the SyncTalk avatar; a slide's avatar
 * segment (made by the pipeline from the speech it produced) and its credit; pre-generation.
 */
export function createAvatarHandlers(
  syncTalk: SyncTalkAvatarService,
  pipeline: SlidePipeline,
  grants: FolderGrants,
): {
  invoke: InvokeHandlersOf<'avatar' | 'pipeline'>;
  send: SendHandlersOf<'avatar' | 'pipeline'>;
} {
  return {
    invoke: {
      'avatar:synctalk-check': (request) => syncTalk.check(request),
      'avatar:synctalk-load': (request, context) => syncTalk.load(request, context),
      'avatar:segment': async (request, context) => {
        // The speech it animates may be a recording: read only inside a lesson main opened.
        const speech = await confinedSpeechRequest(grants, request.speech);
        return speech.ok ? pipeline.avatar({ ...request, speech: speech.value }, context) : speech;
      },
      // The folder names the run in its messages; still, only a lesson main opened is named.
      'pipeline:prepare-lesson': async (request, context) => {
        const opened = await grants.openedLesson(request.lessonDir);
        if (!opened.ok) return opened;
        return pipeline.prepareForClient({ ...request, lessonDir: opened.value }, context);
      },
    },
    send: {
      'avatar:segment-credit': ({ requestId, shownIndex }, context) =>
        syncTalk.grantCredit(requestId, shownIndex, context),
      'avatar:segment-cancel': ({ requestId }, context) => syncTalk.cancel(requestId, context),
      'pipeline:prepare-cancel': ({ runId }, context) => pipeline.cancelPrepare(runId, context),
    },
  };
}
