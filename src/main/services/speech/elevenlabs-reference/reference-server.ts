import { randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { closeNow, listenLocal } from '../../platform/net/listen-local.ts';
import { z } from 'zod';
import type { Logger } from '../../logging/logger.ts';
import { createOfflineSpeechProvider } from '../offline-voice.ts';
import { speechSampleRateHz, type SynthesizedSpeech } from '../speech-types.ts';
import {
  alignmentJson,
  audioTagRanges,
  blankRanges,
  characterTimes,
  planChunks,
  type CharacterRange,
  type CharacterTimes,
  type PlannedChunk,
} from './alignment.ts';
import {
  defaultModelId,
  modelJson,
  referenceModels,
  referenceVoices,
  subscriptionJson,
  voiceJson,
  type ReferenceVoice,
} from './catalogue.ts';
import { parseJson, parseSynthesisBody } from './request-body.ts';

export type { ReferenceVoice } from './catalogue.ts';

/**
 * A local stand-in for the ElevenLabs HTTP API (docs: /work/shared/protocols/elevenlabs.md and
 * README.md next to this file), so the official SDK can be tested, benchmarked and developed
 * against without a key or network: the two streaming text-to-speech endpoints (raw PCM and
 * NDJSON with character timestamps) spoken by the offline voice, voices, models, subscription,
 * the real error shapes (auth, quota, concurrency, validation), first-byte latency and paced
 * delivery; plus injectable faults and a record of every request.
 */

export interface ElevenLabsReferenceOptions {
  /** 0 = any free port (default). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The only `xi-api-key` accepted. */
  apiKey: string;
  /** Time from request to the first byte of a synthesis response. Default 75. */
  firstByteDelayMs?: number;
  /** Audio is delivered this many times faster than real time after the first byte. Default 4. */
  speedFactor?: number;
  /** Audio per chunk. Default 250. */
  chunkMs?: number;
  /** Default 10,000 (the free tier). */
  characterLimit?: number;
  /** Characters already used. Default 0. */
  characterCount?: number;
  /** Default 2 (the free tier). */
  maxConcurrentRequests?: number;
  /** Longest accepted `text`, in UTF-16 code units. Default 5000. */
  maxTextLength?: number;
  /** Load the offline voice before listening, so the first request is not a cold start. */
  warmUp?: boolean;
  logger?: Logger;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The `{voice_id}` of the path, where the route has one. */
  voiceId: string | null;
  query: Record<string, string>;
  /** The parsed JSON body; null when there was none or it was not JSON. */
  body: unknown;
  /** Null until a status line has been sent (e.g. the client gave up during the delay). */
  status: number | null;
  keyAccepted: boolean;
  /** performance.now() of this process when the request arrived. */
  startedAtMs: number;
  /** performance.now() when the status line and first body bytes were written. */
  firstByteAtMs: number | null;
}

export interface InjectedFailure {
  status: number;
  /** Default: the real API's body for that status (500, 503, 429 system_busy), else a generic one. */
  body?: unknown;
  /** Sent as a `retry-after` header. */
  retryAfterSeconds?: number;
}

export interface ElevenLabsReference {
  /** http://HOST:PORT, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** One entry per HTTP request, in arrival order. Never holds the API key. */
  readonly requests: readonly RecordedRequest[];
  readonly voices: readonly ReferenceVoice[];
  /** The requests to the two text-to-speech streaming paths. */
  synthesisRequests(): RecordedRequest[];
  /** TCP connections accepted so far (keep-alive reuse shows as fewer connections than requests). */
  connections(): number;
  characterCount(): number;
  /** The next `count` synthesis requests with an accepted key fail this way. */
  failNext(count: number, failure: InjectedFailure): void;
  /** Every synthesis request with an accepted key fails this way, until called with null. */
  failAll(failure: InjectedFailure | null): void;
  setFirstByteDelayMs(delayMs: number): void;
  /** Responses send their first chunk, then nothing, keeping the socket open. */
  stallAfterFirstChunk(stall: boolean): void;
  setCharacterLimit(limit: number): void;
  setApiKey(key: string): void;
  /** Stops listening and destroys every open socket, stalled responses included. */
  close(): Promise<void>;
}

const count = z.number().int().nonnegative();
const optionsSchema = z.object({
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().min(1).default('127.0.0.1'),
  apiKey: z.string().min(1),
  firstByteDelayMs: count.default(75),
  speedFactor: z.number().positive().default(4),
  chunkMs: z.number().int().min(10).max(5000).default(250),
  characterLimit: count.default(10_000),
  characterCount: count.default(0),
  maxConcurrentRequests: z.number().int().positive().default(2),
  maxTextLength: z.number().int().positive().default(5000),
  warmUp: z.boolean().default(false),
});
const failureSchema = z.object({
  status: z.number().int().min(400).max(599),
  body: z.unknown().optional(),
  retryAfterSeconds: count.optional(),
});

const maxBodyBytes = 1024 * 1024;
/** Longer than common load balancers' 60 s idle timeout, so clients may reuse connections. */
const keepAliveTimeoutMs = 65_000;
/** Real responses end with audio-only chunks; so do these. */
const tailSilenceMs = 100;
const outputFormat = 'pcm_16000';
const minRateWpm = 80;
const maxRateWpm = 450;

export async function startElevenLabsReference(
  options: ElevenLabsReferenceOptions,
): Promise<ElevenLabsReference> {
  const { logger, ...rest } = options;
  const config = optionsSchema.parse(rest);
  const log = (logger ?? silentLogger()).child('elevenlabs-reference');
  const provider = createOfflineSpeechProvider(log);

  let apiKey = config.apiKey;
  let firstByteDelayMs = config.firstByteDelayMs;
  const rendered = new Map<string, SynthesizedSpeech>();
  let stallAfterFirst = false;
  let characterLimit = config.characterLimit;
  let characterCount = config.characterCount;
  let failEvery: InjectedFailure | null = null;
  const failQueue: InjectedFailure[] = [];
  let activeSyntheses = 0;
  let connectionCount = 0;
  const requests: RecordedRequest[] = [];
  /** Cancels a response's pending chunk timer; all of them run at close(). */
  const cancellers = new Set<() => void>();
  const nextResetUnixSeconds = Math.floor(Date.now() / 1000) + 30 * 24 * 3600;

  function concurrencyHeaders(): OutgoingHttpHeaders {
    return {
      'current-concurrent-requests': String(activeSyntheses),
      'maximum-concurrent-requests': String(config.maxConcurrentRequests),
    };
  }

  function sendJson(
    record: RecordedRequest,
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: OutgoingHttpHeaders = {},
  ): void {
    const text = JSON.stringify(body);
    record.status = status;
    record.firstByteAtMs = performance.now();
    res.writeHead(status, {
      ...headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAtMs = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const route = routeFor(url.pathname);
    const keyHeader = req.headers['xi-api-key'];
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      voiceId: route !== null && 'voiceId' in route ? route.voiceId : null,
      query: Object.fromEntries(url.searchParams),
      body: null,
      status: null,
      keyAccepted: typeof keyHeader === 'string' && keyHeader === apiKey,
      startedAtMs,
      firstByteAtMs: null,
    };
    requests.push(record);
    const requestId = randomBytes(16).toString('hex');
    // The API's own name, and the one the SDK's ElevenLabsError.requestId reads.
    res.setHeader('request-id', requestId);
    res.setHeader('x-request-id', requestId);
    res.once('close', () => {
      log.debug(`${method} ${url.pathname} -> ${record.status ?? 'no response'}`, {
        performance_data: {
          firstByteMs:
            record.firstByteAtMs === null ? null : Math.round(record.firstByteAtMs - startedAtMs),
          totalMs: Math.round(performance.now() - startedAtMs),
        },
      });
    });

    // Read every body, even one we refuse, so the connection stays usable for the next request.
    const raw = await readBody(req);
    if (raw === null) {
      sendJson(record, res, 413, { detail: 'Request body too large' });
      return;
    }
    const json = parseJson(raw);
    record.body = json.ok ? json.value : null;

    if (route === null) {
      sendJson(record, res, 404, { detail: 'Not Found' });
      return;
    }
    if (method !== route.method) {
      sendJson(record, res, 405, { detail: 'Method Not Allowed' }, { allow: route.method });
      return;
    }
    if (!record.keyAccepted) {
      const headers = route.name === 'synthesis' ? concurrencyHeaders() : {};
      sendJson(record, res, 401, detail('invalid_api_key', 'Invalid API key'), headers);
      return;
    }
    switch (route.name) {
      case 'voices':
        sendJson(record, res, 200, { voices: referenceVoices.map(voiceJson) });
        return;
      case 'voices-v2':
        sendJson(record, res, 200, {
          voices: referenceVoices.map(voiceJson),
          has_more: false,
          total_count: referenceVoices.length,
          next_page_token: null,
        });
        return;
      case 'voice': {
        const voice = referenceVoices.find((candidate) => candidate.voiceId === route.voiceId);
        if (voice) sendJson(record, res, 200, voiceJson(voice));
        else sendJson(record, res, 404, voiceNotFound(route.voiceId));
        return;
      }
      case 'models':
        sendJson(record, res, 200, referenceModels.map(modelJson));
        return;
      case 'subscription':
        sendJson(
          record,
          res,
          200,
          subscriptionJson({ characterCount, characterLimit, nextResetUnixSeconds }),
        );
        return;
      case 'synthesis':
        await handleSynthesis(res, record, route, raw);
        return;
    }
  }

  async function handleSynthesis(
    res: ServerResponse,
    record: RecordedRequest,
    route: SynthesisRoute,
    raw: Uint8Array,
  ): Promise<void> {
    /** Every synthesis answer, refusals included, says how busy the account is. */
    function refuse(status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
      sendJson(record, res, status, body, { ...concurrencyHeaders(), ...headers });
    }

    // Injected faults stand for an overloaded or broken service: they answer before validation.
    const failure = failEvery ?? failQueue.shift();
    if (failure) {
      const retryAfter =
        failure.retryAfterSeconds === undefined
          ? {}
          : { 'retry-after': String(failure.retryAfterSeconds) };
      refuse(failure.status, failure.body ?? defaultFailureBody(failure.status), retryAfter);
      return;
    }
    const format = record.query.output_format;
    if (format !== outputFormat) {
      const got = format === undefined ? 'none, i.e. the mp3_44100_128 default' : `"${format}"`;
      refuse(422, {
        detail: [
          {
            loc: ['query', 'output_format'],
            msg: `The reference server only produces ${outputFormat} (got ${got}).`,
            type: 'value_error',
          },
        ],
      });
      return;
    }
    const parsed = parseSynthesisBody(raw);
    if (!parsed.ok) {
      refuse(422, { detail: parsed.detail });
      return;
    }
    const body = parsed.body;
    const text = body.text;
    if (text.trim().length === 0) {
      refuse(422, detail('invalid_request', 'Text must not be empty.'));
      return;
    }
    if (text.length > config.maxTextLength) {
      refuse(
        422,
        detail(
          'invalid_request',
          `Text is too long: ${text.length} characters, at most ${config.maxTextLength} per request.`,
        ),
      );
      return;
    }
    const voice = referenceVoices.find((candidate) => candidate.voiceId === route.voiceId);
    if (!voice) {
      refuse(404, voiceNotFound(route.voiceId));
      return;
    }
    const modelId = body.model_id ?? defaultModelId;
    const model = referenceModels.find((candidate) => candidate.modelId === modelId);
    if (!model) {
      refuse(400, detail('model_not_found', `A model with model ID ${modelId} does not exist.`));
      return;
    }
    const remaining = Math.max(0, characterLimit - characterCount);
    if (text.length > remaining) {
      refuse(
        401,
        detail(
          'quota_exceeded',
          `This request exceeds your quota of ${characterLimit}. You have ${remaining} credits remaining, while ${text.length} credits are required for this request.`,
        ),
      );
      return;
    }
    if (activeSyntheses >= config.maxConcurrentRequests) {
      refuse(
        429,
        detail(
          'too_many_concurrent_requests',
          `Too many concurrent requests. Your current subscription is associated with a maximum of ${config.maxConcurrentRequests} concurrent requests (running ${activeSyntheses}). Please upgrade your subscription or reduce the number of concurrent requests.`,
        ),
      );
      return;
    }

    // Admitted: the slot is held and the characters charged until the response is over.
    activeSyntheses++;
    characterCount += text.length;
    const headers: OutgoingHttpHeaders = {
      ...concurrencyHeaders(),
      'content-type': route.withTimestamps ? 'application/json' : 'audio/pcm',
      'character-cost': String(text.length),
    };
    const abort = new AbortController();
    let cancelDelivery: () => void = () => undefined;
    res.once('close', () => {
      activeSyntheses--;
      abort.abort();
      cancelDelivery();
    });

    const dueAtMs = record.startedAtMs + firstByteDelayMs;
    const tags = model.performsAudioTags ? audioTagRanges(text) : [];
    const speed = body.voice_settings?.speed ?? 1;
    const rateWpm = Math.round(voice.espeak.rateWpm * speed);
    const espeakVoice = {
      ...voice.espeak,
      rateWpm: Math.min(maxRateWpm, Math.max(minRateWpm, rateWpm)),
    };
    const spokenText = blankRanges(text, tags);
    // The real service answers in ~75 ms whatever the text; the offline voice needs longer, so
    // a text heard before is remembered and its first byte keeps to the configured delay
    // (benchmarks play a lesson once to prime this, then measure).
    const memoKey = JSON.stringify([spokenText, espeakVoice]);
    const remembered = rendered.get(memoKey);
    const speech = remembered
      ? ({ ok: true, value: remembered } as const)
      : await provider.synthesize(spokenText, espeakVoice, abort.signal);
    if (speech.ok && !remembered) rendered.set(memoKey, speech.value);
    if (res.destroyed) return;
    if (!speech.ok) {
      characterCount -= text.length;
      log.warn('offline voice failed', { error: speech.error });
      sendJson(
        record,
        res,
        500,
        detail('internal_server_error', `Synthesis failed: ${speech.error.message}`),
      );
      return;
    }
    const times = characterTimes(text, speech.value.words, speech.value.durationMs, tags);
    const chunks = planChunks({
      pcm: speech.value.pcm,
      sampleRateHz: speechSampleRateHz,
      chunkMs: config.chunkMs,
      tailSilenceMs,
      characterStartMs: times.startMs,
    });
    const payloads = chunks.map((chunk) => ({
      bytes: route.withTimestamps
        ? Buffer.from(`${JSON.stringify(timestampedLine(text, times, tags, chunk))}\n`)
        : pcmBytes(chunk.pcm),
      audioStartMs: chunk.audioStartMs,
    }));
    cancelDelivery = deliver(res, record, headers, payloads, dueAtMs);
  }

  /**
   * Writes the status line, headers and first chunk at `dueAtMs`, then each later chunk when the
   * audio before it, played `speedFactor` times faster, has elapsed since that first byte.
   * Returns a function that cancels what is still pending.
   */
  function deliver(
    res: ServerResponse,
    record: RecordedRequest,
    headers: OutgoingHttpHeaders,
    payloads: { bytes: Buffer; audioStartMs: number }[],
    dueAtMs: number,
  ): () => void {
    let timer: NodeJS.Timeout | null = null;
    let firstByteAtMs = 0;
    function cancel(): void {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      cancellers.delete(cancel);
    }
    function at(atMs: number, action: () => void): void {
      timer = setTimeout(
        () => {
          timer = null;
          // Node's timers may fire up to a millisecond early; never deliver before the promise.
          if (performance.now() < atMs) at(atMs, action);
          else action();
        },
        Math.max(0, Math.ceil(atMs - performance.now())),
      );
    }
    function send(index: number): void {
      const payload = payloads[index];
      if (res.destroyed || payload === undefined) return;
      if (index === 0) {
        firstByteAtMs = performance.now();
        record.status = 200;
        record.firstByteAtMs = firstByteAtMs;
        res.writeHead(200, headers);
      }
      res.write(payload.bytes);
      // A stalled response holds its socket (and concurrency slot) until either side closes it.
      if (index === 0 && stallAfterFirst) return;
      const next = payloads[index + 1];
      if (next === undefined) {
        cancel();
        res.end();
        return;
      }
      at(firstByteAtMs + next.audioStartMs / config.speedFactor, () => {
        send(index + 1);
      });
    }
    cancellers.add(cancel);
    at(dueAtMs, () => {
      send(0);
    });
    return cancel;
  }

  const [warmUpVoice] = referenceVoices;
  if (config.warmUp && warmUpVoice) {
    const warmUpStartedMs = performance.now();
    const warm = await provider.synthesize('Ready.', warmUpVoice.espeak);
    log.info(`offline voice warmed up in ${Math.round(performance.now() - warmUpStartedMs)} ms`, {
      ...(warm.ok ? {} : { error: warm.error }),
    });
  }

  const httpServer = createServer((req, res) => {
    handleRequest(req, res).catch((error: unknown) => {
      log.warn('request failed', { error });
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            detail: { status: 'internal_server_error', message: 'Internal server error' },
          }),
        );
      } else {
        res.destroy();
      }
    });
  });
  httpServer.keepAliveTimeout = keepAliveTimeoutMs;
  // Node wants the header timeout above the keep-alive timeout, or idle sockets race it.
  httpServer.headersTimeout = keepAliveTimeoutMs + 1000;
  httpServer.on('connection', () => {
    connectionCount++;
  });
  const { port, url } = await listenLocal(httpServer, config.port, config.host);
  log.info('ElevenLabs reference server listening', { url });

  let closing: Promise<void> | null = null;
  async function close(): Promise<void> {
    for (const cancel of [...cancellers]) cancel();
    await closeNow(httpServer);
  }

  return {
    url,
    port,
    requests,
    voices: referenceVoices,
    synthesisRequests: () => requests.filter((request) => isSynthesisPath(request.path)),
    connections: () => connectionCount,
    characterCount: () => characterCount,
    failNext(times: number, failure: InjectedFailure): void {
      const parsed = failureSchema.parse(failure);
      const repeat = count.parse(times);
      for (let index = 0; index < repeat; index++) failQueue.push(parsed);
    },
    failAll(failure: InjectedFailure | null): void {
      failEvery = failure === null ? null : failureSchema.parse(failure);
    },
    setFirstByteDelayMs(delayMs: number): void {
      firstByteDelayMs = count.parse(delayMs);
    },
    stallAfterFirstChunk(stall: boolean): void {
      stallAfterFirst = stall;
    },
    setCharacterLimit(limit: number): void {
      characterLimit = count.parse(limit);
    },
    setApiKey(key: string): void {
      apiKey = z.string().min(1).parse(key);
    },
    close(): Promise<void> {
      closing ??= close();
      return closing;
    },
  };
}

interface SynthesisRoute {
  name: 'synthesis';
  method: 'POST';
  voiceId: string;
  withTimestamps: boolean;
}

type Route =
  | { name: 'voices' | 'voices-v2' | 'models' | 'subscription'; method: 'GET' }
  | { name: 'voice'; method: 'GET'; voiceId: string }
  | SynthesisRoute;

const synthesisPathPattern = /^\/v1\/text-to-speech\/([^/]+)\/stream(\/with-timestamps)?$/;

function routeFor(path: string): Route | null {
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

function isSynthesisPath(path: string): boolean {
  return synthesisPathPattern.test(path);
}

/** The real API's error body for everything but validation: `{"detail": {status, message}}`. */
function detail(status: string, message: string): { detail: { status: string; message: string } } {
  return { detail: { status, message } };
}

function voiceNotFound(voiceId: string): ReturnType<typeof detail> {
  return detail('voice_not_found', `A voice with the voice_id ${voiceId} was not found.`);
}

function defaultFailureBody(status: number): unknown {
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

/** One NDJSON line: the chunk's audio and the characters that start in it (or null). */
function timestampedLine(
  text: string,
  times: CharacterTimes,
  tags: readonly CharacterRange[],
  chunk: PlannedChunk,
): Record<string, unknown> {
  // The normalized text is what was spoken: performed audio tags are not in it.
  const inTag = (index: number): boolean =>
    tags.some((tag) => index >= tag.start && index < tag.end);
  return {
    audio_base64: pcmBytes(chunk.pcm).toString('base64'),
    alignment: alignmentJson(text, times, chunk.characterStart, chunk.characterEnd),
    normalized_alignment: alignmentJson(
      text,
      times,
      chunk.characterStart,
      chunk.characterEnd,
      inTag,
    ),
  };
}

/** s16le: the hosts we run on are little-endian, so the samples' own bytes are the wire format. */
function pcmBytes(pcm: Int16Array): Buffer {
  return Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
}

/** The body, or null when it is larger than we accept. */
async function readBody(req: IncomingMessage): Promise<Uint8Array | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function silentLogger(): Logger {
  const ignore = (): void => undefined;
  const logger: Logger = {
    debug: ignore,
    info: ignore,
    warn: ignore,
    error: ignore,
    perf: ignore,
    child: () => logger,
  };
  return logger;
}
