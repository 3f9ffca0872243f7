/**
 * The API's routes this server answers, and the real API's error bodies (everything but
 * validation errors, whose 422 shape comes from request-body.ts).
 */

export interface SynthesisRoute {
  name: 'synthesis';
  method: 'POST';
  voiceId: string;
  withTimestamps: boolean;
}

export type Route =
  | { name: 'voices' | 'voices-v2' | 'models' | 'subscription'; method: 'GET' }
  | { name: 'voice'; method: 'GET'; voiceId: string }
  | SynthesisRoute;

const synthesisPathPattern = /^\/v1\/text-to-speech\/([^/]+)\/stream(\/with-timestamps)?$/;

export function routeFor(path: string): Route | null {
  if (path === '/v1/voices') return { name: 'voices', method: 'GET' };
  if (path === '/v2/voices') return { name: 'voices-v2', method: 'GET' };
  if (path === '/v1/models') return { name: 'models', method: 'GET' };
  if (path === '/v1/user/subscription') return { name: 'subscription', method: 'GET' };
  const voiceId = /^\/v1\/voices\/([^/]+)$/.exec(path)?.[1];
  if (voiceId !== undefined) {
    return { name: 'voice', method: 'GET', voiceId: decodeURIComponent(voiceId) };
  }
  const synthesis = synthesisPathPattern.exec(path);
  if (synthesis?.[1] !== undefined) {
    return {
      name: 'synthesis',
      method: 'POST',
      voiceId: decodeURIComponent(synthesis[1]),
      withTimestamps: synthesis[2] !== undefined,
    };
  }
  return null;
}

export function isSynthesisPath(path: string): boolean {
  return synthesisPathPattern.test(path);
}

/** The real API's error body for everything but validation: `{"detail": {status, message}}`. */
export function detail(
  status: string,
  message: string,
): { detail: { status: string; message: string } } {
  return { detail: { status, message } };
}

export function voiceNotFound(voiceId: string): ReturnType<typeof detail> {
  return detail('voice_not_found', `A voice with the voice_id ${voiceId} was not found.`);
}

export function defaultFailureBody(status: number): unknown {
  switch (status) {
    case 500:
      return detail(
        'internal_server_error',
        'An internal server error occurred. Please try again later.',
      );
    case 503:
      return detail(
        'service_unavailable',
        'The service is temporarily unavailable. Please try again later.',
      );
    case 429:
      return detail(
        'system_busy',
        'We are experiencing heavy traffic, please try again. Higher subscriptions have higher priority.',
      );
    default:
      return detail('error', `Injected failure (HTTP ${status}).`);
  }
}
