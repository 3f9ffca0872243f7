import { err, ok } from '../../../../shared/result.ts';
import type { Result } from '../../../../shared/result.ts';
import type { SyncTalkAvatarSettings } from '../../../../shared/lesson/lesson-schema.ts';
import type { Logger } from '../../logging/logger.ts';
import { displayOrigin, listModels } from '../synctalk-client/synctalk-http.ts';
import { createSyncTalkSession } from '../synctalk-client/synctalk-session.ts';
import type { SyncTalkSessionOptions } from '../synctalk-client/synctalk-session.ts';
import { createSegmentLanes, type SyncTalkSessionFactory } from './avatar-segment-lanes.ts';
import { createSegmentSpeaker, notAvailable } from './avatar-segment-speaker.ts';
import { avatarSegmentKey, createAvatarSegmentCache } from './avatar-segment-cache.ts';
import type { AvatarSegmentCache } from './avatar-segment-cache.ts';

/**
 * Avatar video for one slide's speech: from the segment cache when this audio was rendered before
 * by the same server and avatar, else streamed from SyncTalk (one session per server + avatar,
 * reused across slides) and cached once the utterance completes. Failures come back as
 * `not-available` so the caller can switch to the local avatar.
 */
export interface SegmentRequest {
  lessonId: string;
  slideId: string;
  avatar: SyncTalkAvatarSettings;
  /** 16 kHz mono. */
  pcm: Int16Array;
}

export interface SegmentHandlers {
  /**
   * Frames in order from 0 with the 40 ms of 16 kHz audio each one shows; both buffers are the
   * caller's (transferable).
   */
  onFrame(
    index: number,
    rgb: Uint8Array<ArrayBuffer>,
    audio: Uint8Array<ArrayBuffer>,
    source: 'cache' | 'server',
  ): void;
  /**
   * Cached frames come as fast as the disk allows; this lets the caller hold each one back until
   * it has room (flow control), so a long segment never sits in memory whole.
   */
  beforeCachedFrame?(index: number): Promise<void>;
  signal?: AbortSignal;
}

export interface SegmentSummary {
  frameCount: number;
  cached: boolean;
  source: 'cache' | 'server';
  /**
   * Server frames not placed by their own audio: held places (a neighbour repeated) and frames
   * placed in arrival order (their audio matched nothing). Absent when none.
   */
  unplacedFrames?: number;
}

/** For pre-generation: the segment is made into the cache and no frame is handed out. */
export interface PrepareHandlers {
  /** Each frame the server makes (for progress); a cached segment reports none. */
  onServerFrame?(index: number): void;
  /** Read a cached segment to its end (a damaged one is then remade), not just its first frame. */
  verifyCache?: boolean;
  signal?: AbortSignal;
}

export interface AvatarSegmentService {
  generate(request: SegmentRequest, handlers: SegmentHandlers): Promise<Result<SegmentSummary>>;
  /**
   * Makes sure the segment is in the cache: a cached one is checked by its first frame and not
   * read further; otherwise the server makes it (cached once whole) and its frames are dropped.
   */
  prepare(request: SegmentRequest, handlers: PrepareHandlers): Promise<Result<SegmentSummary>>;
  /** Closes every SyncTalk session. */
  close(): Promise<void>;
}
export type { SyncTalkSessionFactory } from './avatar-segment-lanes.ts';

export interface AvatarSegmentServiceOptions {
  logger: Logger;
  cacheDir: string;
  sessionFactory?: SyncTalkSessionFactory;
  /** Passed to every session (tests shorten backoff and timeouts). */
  sessionOptions?: Partial<SyncTalkSessionOptions>;
  /** For GET /models, which identifies the server in the cache key. */
  requestTimeoutMs?: number;
  /** Streams per server + avatar (default 2: the slide on air and the next). */
  maxStreams?: number;
}

export function createAvatarSegmentService(
  options: AvatarSegmentServiceOptions,
): AvatarSegmentService {
  const log = options.logger.child('avatar-segments');
  const cache: AvatarSegmentCache = createAvatarSegmentCache({
    directory: options.cacheDir,
    logger: options.logger,
  });
  const lanes = createSegmentLanes({
    logger: options.logger,
    sessionFactory: options.sessionFactory ?? createSyncTalkSession,
    sessionOptions: options.sessionOptions,
    maxLanes: options.maxStreams ?? 2,
  });
  const speakOnce = createSegmentSpeaker({ cache, lanes, log });
  /**
   * Utterances being made, by cache key: pre-generation waits for one already under way (a slide
   * pre-rolled or playing) instead of asking the server for the same segment a second time.
   */
  const making = new Map<string, Promise<Result<SegmentSummary>>>();
  const speak: typeof speakOnce = (request, key, onFrame, signal) => {
    const run = speakOnce(request, key, onFrame, signal);
    making.set(key, run);
    void run.finally(() => {
      if (making.get(key) === run) making.delete(key);
    });
    return run;
  };
  /** The last `/models` answer per server, so cached segments still play when it is down. */
  const knownModels = new Map<string, string[]>();

  async function serverModels(avatar: SyncTalkAvatarSettings): Promise<Result<string[]>> {
    const origin = displayOrigin(avatar.serverUrl);
    const models = await listModels(avatar.serverUrl, {
      timeoutMs: options.requestTimeoutMs ?? 3000,
    });
    if (models.ok) {
      knownModels.set(origin, models.value);
      return models;
    }
    const remembered = knownModels.get(origin);
    return remembered ? ok(remembered) : notAvailable(models.error);
  }

  /** The segment's cache key (which names the server's models), or why it has none. */
  async function keyFor(request: SegmentRequest): Promise<Result<string>> {
    const { avatar } = request;
    const models = await serverModels(avatar);
    if (!models.ok) return models;
    return ok(
      avatarSegmentKey({
        pcm: request.pcm,
        avatarName: avatar.avatarName,
        frameSize: avatar.frameSize,
        serverOrigin: displayOrigin(avatar.serverUrl),
        serverModels: models.value,
      }),
    );
  }

  async function fromCache(
    key: string,
    pcm: Int16Array,
    handlers: SegmentHandlers,
  ): Promise<{ delivered: number; result: Result<SegmentSummary> | null }> {
    const reader = await cache.open(key);
    if (!reader) return { delivered: 0, result: null };
    let delivered = 0;
    try {
      for (let index = 0; index < reader.frameCount; index++) {
        await handlers.beforeCachedFrame?.(index);
        if (handlers.signal?.aborted) {
          return { delivered, result: err('cancelled', 'The avatar segment was cancelled.') };
        }
        const frame = await reader.readFrame(index);
        if (!frame.ok) {
          await reader.close();
          await cache.discard(key, frame.problem);
          return { delivered, result: null };
        }
        handlers.onFrame(index, frame.rgb, frameAudio(pcm, index), 'cache');
        delivered += 1;
      }
    } finally {
      await reader.close();
    }
    return {
      delivered,
      result: ok({ frameCount: reader.frameCount, cached: true, source: 'cache' }),
    };
  }

  /** Frames of a readable cached entry (its first frame is read; a damaged one is dropped). */
  async function cachedFrameCount(key: string): Promise<number | null> {
    const reader = await cache.open(key);
    if (!reader) return null;
    let readable = reader.frameCount === 0;
    try {
      if (!readable) readable = (await reader.readFrame(0)).ok;
    } finally {
      await reader.close();
    }
    if (readable) return reader.frameCount;
    await cache.discard(key, 'its first frame could not be read');
    return null;
  }

  async function generate(
    request: SegmentRequest,
    handlers: SegmentHandlers,
  ): Promise<Result<SegmentSummary>> {
    if (handlers.signal?.aborted) return err('cancelled', 'The avatar segment was cancelled.');
    const key = await keyFor(request);
    if (!key.ok) return key;
    const cached = await fromCache(key.value, request.pcm, handlers);
    if (cached.result) return cached.result;
    // Frames already delivered from a cache entry found damaged part-way are not sent twice.
    const alreadyDelivered = cached.delivered;
    return speak(
      request,
      key.value,
      (index, rgb, audio) => {
        if (index >= alreadyDelivered) handlers.onFrame(index, rgb, audio, 'server');
      },
      handlers.signal,
    );
  }

  async function prepare(
    request: SegmentRequest,
    handlers: PrepareHandlers,
  ): Promise<Result<SegmentSummary>> {
    if (handlers.signal?.aborted) return err('cancelled', 'The avatar segment was cancelled.');
    const key = await keyFor(request);
    if (!key.ok) return key;
    const { signal } = handlers;
    if (handlers.verifyCache) {
      const read = await fromCache(key.value, request.pcm, {
        onFrame: () => undefined,
        ...(signal ? { signal } : {}),
      });
      if (read.result) return read.result;
    } else {
      const frameCount = await cachedFrameCount(key.value);
      if (frameCount !== null) return ok({ frameCount, cached: true, source: 'cache' });
    }
    const underWay = making.get(key.value);
    if (underWay && (await underWay).ok) {
      // Made just now by playback or a pre-roll: this run made it, the cache holds it.
      const frameCount = await cachedFrameCount(key.value);
      if (frameCount !== null) return ok({ frameCount, cached: false, source: 'server' });
    }
    return speak(request, key.value, (index) => handlers.onServerFrame?.(index), signal);
  }

  return { generate, prepare, close: () => lanes.close() };
}

const samplesPerFrame = 640;

/** Frame `index`'s 40 ms of the utterance (zero-padded past its end), as SyncTalk sends it. */
export function frameAudio(pcm: Int16Array, index: number): Uint8Array<ArrayBuffer> {
  const out = new Int16Array(samplesPerFrame);
  const start = index * samplesPerFrame;
  out.set(pcm.subarray(Math.min(start, pcm.length), Math.min(start + samplesPerFrame, pcm.length)));
  return new Uint8Array(out.buffer);
}
