import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../services/logging/logger.ts';
import type { ApiScope, TokenClaims } from '../auth/api-token.ts';
import type { RenderQueue } from '../jobs/render-queue.ts';
import type { LessonSourceOptions } from './lesson-source.ts';
import type { ProviderStatusCache } from './provider-status.ts';

/** What every route handler is given: the request, its parsed parts, and the server's parts. */
export interface ApiServices {
  queue: RenderQueue;
  logger: Logger;
  lessons: LessonSourceOptions;
  providers: ProviderStatusCache;
  /** LIVEKIT_URL is set: the predecessor's `enable_livekit` can publish live. */
  liveKitConfigured: boolean;
  limits: { jsonBodyBytes: number; archiveBodyBytes: number };
  now: () => number;
}

export interface RouteContext {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  params: Record<string, string>;
  /** The verified token's claims (null on routes that need none). */
  claims: TokenClaims | null;
  services: ApiServices;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path segments; `:name` binds a parameter (one segment, URL-decoded). */
  pattern: string;
  /** The scope a token must carry; null: no token needed. */
  scope: ApiScope | null;
  /** Counts against the submit limit as well as the request limit. */
  submits?: boolean;
  /** Its errors also carry FastAPI's `detail` (the predecessor's routes). */
  predecessor?: boolean;
  handle(context: RouteContext): Promise<void>;
}

/** A pattern's parameters for `path`, or null when it does not match. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let index = 0; index < want.length; index += 1) {
    const expected = want[index] ?? '';
    const actual = got[index] ?? '';
    if (expected.startsWith(':')) {
      if (actual.length === 0) return null;
      try {
        params[expected.slice(1)] = decodeURIComponent(actual);
      } catch {
        return null;
      }
    } else if (expected !== actual) {
      return null;
    }
  }
  return params;
}
