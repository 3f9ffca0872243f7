import { ok } from '../../shared/result.ts';
import type { LiveService } from '../services/live/live-service.ts';
import type { InvokeHandlersOf } from './host-abilities.ts';

/** The `live:*` channels: the LiveKit settings and a token to join a room. */
export function createLiveHandlers(live: LiveService): InvokeHandlersOf<'live'> {
  return {
    'live:get-config': async () => ok(await live.config()),
    'live:save-config': (request) => live.saveConfig(request),
    'live:connect-info': (request) => live.connectInfo(request),
  };
}
