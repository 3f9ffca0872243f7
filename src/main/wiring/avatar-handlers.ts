import type { SyncTalkAvatarService } from '../services/avatar/synctalk-avatar-service.ts';
import type { SlidePipeline } from '../services/pipeline/slide-pipeline.ts';
import type { InvokeHandlersOf, SendHandlersOf } from './host-abilities.ts';

/**
 * The `avatar:*` and `pipeline:*` channels: check and load the SyncTalk avatar; a slide's avatar
 * segment (made by the pipeline from the speech it produced) and its credit; pre-generation.
 */
export function createAvatarHandlers(
  syncTalk: SyncTalkAvatarService,
  pipeline: SlidePipeline,
): {
  invoke: InvokeHandlersOf<'avatar' | 'pipeline'>;
  send: SendHandlersOf<'avatar' | 'pipeline'>;
} {
  return {
    invoke: {
      'avatar:synctalk-check': (request) => syncTalk.check(request),
      'avatar:synctalk-load': (request, context) => syncTalk.load(request, context),
      'avatar:segment': (request, context) => pipeline.avatar(request, context),
      'pipeline:prepare-lesson': (request, context) => pipeline.prepareForClient(request, context),
    },
    send: {
      'avatar:segment-credit': ({ requestId, shownIndex }, context) =>
        syncTalk.grantCredit(requestId, shownIndex, context),
      'avatar:segment-cancel': ({ requestId }, context) => syncTalk.cancel(requestId, context),
      'pipeline:prepare-cancel': ({ runId }, context) => pipeline.cancelPrepare(runId, context),
    },
  };
}
