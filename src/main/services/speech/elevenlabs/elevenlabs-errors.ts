import { z } from 'zod';
import { err, type RapidoError } from '../../../../shared/result.ts';

/**
 * What went wrong with an ElevenLabs call, in the terms a user acts on. The kind drives the retry
 * policy (only rate limits, server errors, network failures and timeouts are retried) and the
 * circuit breaker (auth and quota failures stop further calls until the key or plan changes).
 */
export type FailureKind =
  'auth' | 'quota' | 'invalid' | 'rate-limited' | 'server' | 'network' | 'timeout' | 'cancelled';

export interface ElevenLabsFailure {
  kind: FailureKind;
  status: number | null;
  /** From `retry-after` (seconds or an HTTP date), when the service sent one. */
  retryAfterMs: number | null;
  error: RapidoError;
}

export interface FailureContext {
  baseUrl: string;
  voiceId?: string;
  modelId?: string;
}

const detailSchema = z.object({
  detail: z.union([
    z.object({ status: z.string().optional(), message: z.string().optional() }).loose(),
    z.array(z.object({ msg: z.string().optional(), loc: z.array(z.unknown()).optional() }).loose()),
    z.string(),
  ]),
});

/**
 * One step of a validation error's `loc`: names and indexes as written, anything else as JSON
 * (String() threw on an object such as {"toString": null} from a hostile proxy).
 */
function locationPart(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  try {
    // JSON.stringify answers undefined (not a string) for undefined, and throws on a BigInt.
    const json = JSON.stringify(value) as string | undefined;
    return json ?? '';
  } catch {
    return '?';
  }
}

/** The service's own status word and message, from any of the body shapes it uses. */
export function readErrorBody(body: unknown): { status: string | null; message: string | null } {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      return { status: null, message: body.slice(0, 300) || null };
    }
  }
  const parsed = detailSchema.safeParse(value);
  if (!parsed.success) return { status: null, message: null };
  const detail = parsed.data.detail;
  if (typeof detail === 'string') return { status: null, message: detail };
  if (Array.isArray(detail)) {
    const messages = detail.map((item) =>
      [item.loc?.map(locationPart).join('.'), item.msg].filter(Boolean).join(': '),
    );
    return { status: 'validation_error', message: messages.join('; ') || null };
  }
  return { status: detail.status ?? null, message: detail.message ?? null };
}

/** Milliseconds to wait from a `retry-after` header (delta seconds or HTTP date). */
export function parseRetryAfterMs(value: string | null, nowMs: number = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) {
    // "999…9" (hundreds of digits) is Infinity: no wait the client could sleep.
    const ms = Math.round(Number(value) * 1000);
    return Number.isFinite(ms) ? ms : null;
  }
  const dateMs = Date.parse(value);
  return Number.isNaN(dateMs) ? null : Math.max(0, dateMs - nowMs);
}

function failure(
  kind: FailureKind,
  status: number | null,
  retryAfterMs: number | null,
  message: string,
  hint: string,
): ElevenLabsFailure {
  const result = err('speech-failed', message, { hint });
  if (result.ok) throw new Error('unreachable');
  return { kind, status, retryAfterMs, error: result.error };
}

const keyHint =
  'Enter a valid key in the Voice panel (or set ELEVENLABS_API_KEY for the headless host); keys are listed at elevenlabs.io under Developers → API keys.';

/** An HTTP error answer from ElevenLabs, classified. */
export function failureFromStatus(
  status: number,
  body: unknown,
  retryAfter: string | null,
  context: FailureContext,
): ElevenLabsFailure {
  const { status: word, message } = readErrorBody(body);
  const said = message ? ` It said: "${message}"` : '';
  const retryAfterMs = parseRetryAfterMs(retryAfter);
  if (word === 'quota_exceeded' || status === 402) {
    return failure(
      'quota',
      status,
      null,
      `Your ElevenLabs quota is used up.${said}`,
      'Wait for the monthly reset or raise the plan at elevenlabs.io; meanwhile the offline voice speaks. The Voice panel shows the characters left.',
    );
  }
  if (status === 401 || status === 403) {
    return failure(
      'auth',
      status,
      null,
      `ElevenLabs rejected the API key (HTTP ${status}${word ? `, ${word}` : ''}).`,
      keyHint,
    );
  }
  if (status === 404 && (word === 'voice_not_found' || context.voiceId)) {
    return failure(
      'invalid',
      status,
      null,
      `ElevenLabs has no voice "${context.voiceId ?? '?'}" on this account.${said}`,
      'Pick a voice from the list in the Voice panel, or set the lesson\'s "voice.voiceId".',
    );
  }
  if (status === 400 || status === 404 || status === 422) {
    return failure(
      'invalid',
      status,
      null,
      `ElevenLabs refused the request (HTTP ${status}${word ? `, ${word}` : ''}).${said}`,
      `Check the lesson's voice: voice "${context.voiceId ?? '?'}", model "${context.modelId ?? '?'}", and that the text is within the model's limit.`,
    );
  }
  if (status === 429) {
    return failure(
      'rate-limited',
      status,
      retryAfterMs,
      `ElevenLabs is limiting requests (HTTP 429${word ? `, ${word}` : ''}).${said}`,
      'Rapido retries with backoff; if it persists, lower concurrent use of this account or raise the plan.',
    );
  }
  if (status >= 500) {
    return failure(
      'server',
      status,
      retryAfterMs,
      `ElevenLabs failed (HTTP ${status}) at ${context.baseUrl}.${said}`,
      "This is on ElevenLabs' side (see status.elevenlabs.io); the offline voice speaks until it recovers.",
    );
  }
  return failure(
    'invalid',
    status,
    null,
    `ElevenLabs answered HTTP ${status} at ${context.baseUrl}.${said}`,
    'Check ELEVENLABS_BASE_URL points at the ElevenLabs API (or a compatible proxy).',
  );
}

/** A failure before any HTTP answer: refused connection, DNS, TLS, reset, timeout. */
export function networkFailure(cause: string, context: FailureContext): ElevenLabsFailure {
  return failure(
    'network',
    null,
    null,
    `Could not reach ElevenLabs at ${context.baseUrl} (${cause}).`,
    'Check the network connection, a proxy, or ELEVENLABS_BASE_URL; the offline voice speaks meanwhile.',
  );
}

export function timeoutFailure(
  what: 'first byte' | 'next chunk',
  afterMs: number,
  context: FailureContext,
): ElevenLabsFailure {
  return failure(
    'timeout',
    null,
    null,
    `ElevenLabs sent no ${what} within ${(afterMs / 1000).toFixed(1)} s (${context.baseUrl}).`,
    'The service or the network is slow; Rapido retried and then used the offline voice for this sentence.',
  );
}

export function cancelledFailure(): ElevenLabsFailure {
  return failure('cancelled', null, null, 'Speech was cancelled.', '');
}

export function isRetryable(kind: FailureKind): boolean {
  return kind === 'rate-limited' || kind === 'server' || kind === 'network' || kind === 'timeout';
}
