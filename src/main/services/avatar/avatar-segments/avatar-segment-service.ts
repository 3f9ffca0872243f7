import { err, ok } from '../../../../shared/result.ts';
import type { RapidoError, Result } from '../../../../shared/result.ts';
import type { SyncTalkAvatarSettings } from '../../../../shared/lesson/lesson-schema.ts';
import type { Logger } from '../../logging/logger.ts';
import { displayOrigin, listModels } from '../synctalk-client/synctalk-http.ts';
import { createSyncTalkSession } from '../synctalk-client/synctalk-session.ts';
import type {
  SyncTalkSession,
  SyncTalkSessionOptions,
} from '../synctalk-client/synctalk-session.ts';
import { avatarSegmentKey, createAvatarSegmentCache } from './avatar-segment-cache.ts';
import type { AvatarSegmentCache, AvatarSegmentWriter } from './avatar-segment-cache.ts';

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
  /** Frames in order from 0; `rgb` is the caller's (transferable). */
  onFrame(index: number, rgb: Uint8Array): void;
  signal?: AbortSignal;
}

export interface SegmentSummary {
  frameCount: number;
  cached: boolean;
  source: 'cache' | 'server';
}

export interface AvatarSegmentService {
  generate(request: SegmentRequest, handlers: SegmentHandlers): Promise<Result<SegmentSummary>>;
  /** Closes every SyncTalk session. */
  close(): Promise<void>;
}

export type SyncTalkSessionFactory = (options: SyncTalkSessionOptions) => SyncTalkSession;

export interface AvatarSegmentServiceOptions {
  logger: Logger;
  cacheDir: string;
  sessionFactory?: SyncTalkSessionFactory;
  /** Passed to every session (tests shorten backoff and timeouts). */
  sessionOptions?: Partial<SyncTalkSessionOptions>;
  /** For GET /models, which identifies the server in the cache key. */
  requestTimeoutMs?: number;
}

export function createAvatarSegmentService(
  options: AvatarSegmentServiceOptions,
): AvatarSegmentService {
  const log = options.logger.child('avatar-segments');
  const cache: AvatarSegmentCache = createAvatarSegmentCache({
    directory: options.cacheDir,
    logger: options.logger,
  });
  const sessionFactory = options.sessionFactory ?? createSyncTalkSession;
  const sessions = new Map<string, SyncTalkSession>();
  /** The last `/models` answer per server, so cached segments still play when it is down. */
  const knownModels = new Map<string, string[]>();

  function sessionFor(request: SegmentRequest): SyncTalkSession {
    const { avatar } = request;
    const id = [
      displayOrigin(avatar.serverUrl),
      avatar.avatarName,
      avatar.folderName ?? '',
      `${avatar.frameSize.width}x${avatar.frameSize.height}`,
    ].join('\n');
    const existing = sessions.get(id);
    if (existing && existing.state !== 'closed') return existing;
    const created = sessionFactory({
      serverUrl: avatar.serverUrl,
      avatarName: avatar.avatarName,
      ...(avatar.folderName === undefined ? {} : { folderName: avatar.folderName }),
      frameSize: avatar.frameSize,
      logger: options.logger,
      lessonId: request.lessonId,
      ...options.sessionOptions,
    });
    sessions.set(id, created);
    return created;
  }

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

  async function fromCache(
    key: string,
    handlers: SegmentHandlers,
  ): Promise<{ delivered: number; result: Result<SegmentSummary> | null }> {
    const reader = await cache.open(key);
    if (!reader) return { delivered: 0, result: null };
    let delivered = 0;
    try {
      for (let index = 0; index < reader.frameCount; index++) {
        if (handlers.signal?.aborted) {
          return { delivered, result: err('cancelled', 'The avatar segment was cancelled.') };
        }
        const frame = await reader.readFrame(index);
        if (!frame.ok) {
          await reader.close();
          await cache.discard(key, frame.problem);
          return { delivered, result: null };
        }
        handlers.onFrame(index, frame.rgb);
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

  async function generate(
    request: SegmentRequest,
    handlers: SegmentHandlers,
  ): Promise<Result<SegmentSummary>> {
    const { avatar } = request;
    const serverOrigin = displayOrigin(avatar.serverUrl);
    const fields = { lesson_id: request.lessonId, slide_id: request.slideId };
    if (handlers.signal?.aborted) return err('cancelled', 'The avatar segment was cancelled.');
    const models = await serverModels(avatar);
    if (!models.ok) return models;
    const key = avatarSegmentKey({
      pcm: request.pcm,
      avatarName: avatar.avatarName,
      frameSize: avatar.frameSize,
      serverOrigin,
      serverModels: models.value,
    });
    const cached = await fromCache(key, handlers);
    if (cached.result) return cached.result;
    // Frames already delivered from a cache entry found damaged part-way are not sent twice.
    const alreadyDelivered = cached.delivered;

    const session = sessionFor(request);
    if (session.state === 'unavailable') {
      const connected = await session.connect();
      if (!connected.ok) return notAvailable(connected.error);
    }
    const begun = await cache.beginWrite(key, {
      avatarName: avatar.avatarName,
      serverOrigin,
      width: avatar.frameSize.width,
      height: avatar.frameSize.height,
    });
    // A cache that cannot be written must not cost the user the avatar.
    let writer: AvatarSegmentWriter | null = begun.ok ? begun.value : null;
    const startedMs = performance.now();
    const spoken = await session.speak(
      { id: `${request.lessonId}/${request.slideId}`, pcm: request.pcm },
      {
        onFrame(frame) {
          if (writer && frame.index !== writer.framesAdded) {
            log.warn(`frame ${frame.index} out of order; this segment will not be cached`, fields);
            void writer.abort();
            writer = null;
          }
          // The writer copies the frame before the caller may transfer it away.
          writer?.addFrame(frame.rgb);
          if (frame.index >= alreadyDelivered) handlers.onFrame(frame.index, frame.rgb);
        },
      },
      handlers.signal ? { signal: handlers.signal } : {},
    );
    if (!spoken.ok) {
      await writer?.abort();
      return spoken.error.code === 'cancelled' ? spoken : notAvailable(spoken.error);
    }
    const summary = spoken.value;
    if (
      writer &&
      summary.frames === summary.expectedFrames &&
      writer.framesAdded === summary.frames
    ) {
      const committed = await writer.commit();
      if (committed.ok) {
        log.perf('avatar segment generated', {
          ...fields,
          event_type: 'avatar_segment_generated',
          frames: summary.frames,
          fileBytes: committed.value.fileBytes,
          wallMs: Math.round(performance.now() - startedMs),
        });
      }
    } else {
      await writer?.abort();
      if (writer) {
        log.warn(
          `SyncTalk sent ${summary.frames} of ${summary.expectedFrames} frames; not cached`,
          fields,
        );
      }
    }
    return ok({ frameCount: summary.frames, cached: false, source: 'server' });
  }

  async function close(): Promise<void> {
    const all = [...sessions.values()];
    sessions.clear();
    await Promise.all(all.map((session) => session.close()));
  }

  return { generate, close };
}

function notAvailable(error: RapidoError): Result<never> {
  return err('not-available', error.message, {
    hint: error.hint ?? 'The local avatar stands in until the SyncTalk server is reachable.',
    ...(error.details ? { details: error.details } : {}),
  });
}
