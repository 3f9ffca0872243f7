import { createServer } from 'node:http';
import { z } from 'zod';
import type { Logger } from '../../src/main/services/logging/logger.ts';
import { closeNow, listenLocal } from '../../src/main/services/platform/net/listen-local.ts';
import { createOfflineSpeechProvider } from '../../src/main/services/speech/offline-voice.ts';
import { referenceVoices, type ReferenceVoice } from './catalogue.ts';
import { handleRequest } from './request-handler.ts';
import { isSynthesisPath } from './routes.ts';
import type { InjectedFailure, RecordedRequest, ReferenceState } from './server-state.ts';

export type { ReferenceVoice } from './catalogue.ts';
export type { InjectedFailure, RecordedRequest } from './server-state.ts';

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

/** Longer than common load balancers' 60 s idle timeout, so clients may reuse connections. */
const keepAliveTimeoutMs = 65_000;

export async function startElevenLabsReference(
  options: ElevenLabsReferenceOptions,
): Promise<ElevenLabsReference> {
  const { logger, ...rest } = options;
  const config = optionsSchema.parse(rest);
  const log = (logger ?? silentLogger()).child('elevenlabs-reference');
  const state: ReferenceState = {
    config,
    log,
    provider: createOfflineSpeechProvider(log),
    apiKey: config.apiKey,
    firstByteDelayMs: config.firstByteDelayMs,
    rendered: new Map(),
    stallAfterFirst: false,
    characterLimit: config.characterLimit,
    characterCount: config.characterCount,
    failEvery: null,
    failQueue: [],
    activeSyntheses: 0,
    connectionCount: 0,
    requests: [],
    cancellers: new Set(),
    nextResetUnixSeconds: Math.floor(Date.now() / 1000) + 30 * 24 * 3600,
  };
  if (config.warmUp) await warmUp(state);

  const httpServer = createServer((req, res) => {
    handleRequest(state, req, res).catch((error: unknown) => {
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
    state.connectionCount++;
  });
  const { port, url } = await listenLocal(httpServer, config.port, config.host);
  log.info('ElevenLabs reference server listening', { url });

  let closing: Promise<void> | null = null;
  async function close(): Promise<void> {
    for (const cancel of [...state.cancellers]) cancel();
    await closeNow(httpServer);
  }

  return {
    url,
    port,
    requests: state.requests,
    voices: referenceVoices,
    synthesisRequests: () => state.requests.filter((request) => isSynthesisPath(request.path)),
    connections: () => state.connectionCount,
    characterCount: () => state.characterCount,
    failNext(times: number, failure: InjectedFailure): void {
      const parsed = failureSchema.parse(failure);
      const repeat = count.parse(times);
      for (let index = 0; index < repeat; index++) state.failQueue.push(parsed);
    },
    failAll(failure: InjectedFailure | null): void {
      state.failEvery = failure === null ? null : failureSchema.parse(failure);
    },
    setFirstByteDelayMs(delayMs: number): void {
      state.firstByteDelayMs = count.parse(delayMs);
    },
    stallAfterFirstChunk(stall: boolean): void {
      state.stallAfterFirst = stall;
    },
    setCharacterLimit(limit: number): void {
      state.characterLimit = count.parse(limit);
    },
    setApiKey(key: string): void {
      state.apiKey = z.string().min(1).parse(key);
    },
    close(): Promise<void> {
      closing ??= close();
      return closing;
    },
  };
}

/** Loads the offline voice before listening, so the first request is not a cold start. */
async function warmUp(state: ReferenceState): Promise<void> {
  const [voice] = referenceVoices;
  if (!voice) return;
  const startedMs = performance.now();
  const warm = await state.provider.synthesize('Ready.', voice.espeak);
  state.log.info(`offline voice warmed up in ${Math.round(performance.now() - startedMs)} ms`, {
    ...(warm.ok ? {} : { error: warm.error }),
  });
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
