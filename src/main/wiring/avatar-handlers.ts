import type { SyncTalkAvatarService } from '../services/avatar/synctalk-avatar-service.ts';
import type { InvokeHandlersOf, SendHandlersOf } from './host-abilities.ts';

/** The `avatar:*` channels: check and load the SyncTalk avatar, segments and their credit. */
export function createAvatarHandlers(syncTalk: SyncTalkAvatarService): {
  invoke: InvokeHandlersOf<'avatar'>;
  send: SendHandlersOf<'avatar'>;
} {
  return {
    invoke: {
      'avatar:synctalk-check': (request) => syncTalk.check(request),
      'avatar:synctalk-load': (request, context) => syncTalk.load(request, context),
      'avatar:segment': (request, context) => syncTalk.segment(request, context),
    },
    send: {
      'avatar:segment-credit': ({ requestId, shownIndex }, context) =>
        syncTalk.grantCredit(requestId, shownIndex, context),
      'avatar:segment-cancel': ({ requestId }, context) => syncTalk.cancel(requestId, context),
    },
  };
}
