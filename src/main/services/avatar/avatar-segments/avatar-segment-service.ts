import { err, ok } from '../../../../shared/result.ts';
import type { RapidoError, Result } from '../../../../shared/result.ts';
import type { SyncTalkAvatarSettings } from '../../../../shared/lesson/lesson-schema.ts';
import type { Logger } from '../../logging/logger.ts';
import { displayOrigin, listModels } from '../synctalk-client/synctalk-http.ts';
import { createSyncTalkSession } from '../synctalk-client/synctalk-session.ts';
import type {
  SyncTalkSession,
  SyncTalkSessionOptions,
  UtteranceSummary,
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
}

export interface AvatarSegmentService {
  generate(request: SegmentRequest, handlers: SegmentHandlers): Promise<Result<SegmentSummary>>;
  /** Closes every SyncTalk session. */
  close(): Promise<void>;
}

interface Lane {
  session: SyncTalkSession;
  /** Utterances queued or running on it. */
  busy: number;
  /** Refused or broken before a frame: not used again (the session is closed). */
  disabled: boolean;
  primary: boolean;
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
  const sessionFactory = options.sessionFactory ?? createSyncTalkSession;
  /**
   * Streams per server + avatar. The server makes frames at real time at best (nominal 25 fps,
   * observed near 23), so one stream could only start the next slide once this one is spoken:
   * every slide change would wait for a first frame. A second stream makes the next slide while
   * the current one plays. It is opened only when the first is busy; if the server refuses it
   * (capacity) or it fails before a frame, that lane is given up and its work goes to the first.
   */
  const lanesById = new Map<string, Lane[]>();
  const maxLanes = options.maxStreams ?? 2;
  /** The last `/models` answer per server, so cached segments still play when it is down. */
  const knownModels = new Map<string, string[]>();

  function laneFor(request: SegmentRequest, primaryOnly: boolean): Lane {
    const { avatar } = request;
    const id = [
      displayOrigin(avatar.serverUrl),
      avatar.avatarName,
      avatar.folderName ?? '',
      `${avatar.frameSize.width}x${avatar.frameSize.height}`,
    ].join('\n');
    const lanes = (lanesById.get(id) ?? []).filter(
      (lane) => lane.session.state !== 'closed' && !lane.disabled,
    );
    lanesById.set(id, lanes);
    const usable = primaryOnly ? lanes.slice(0, 1) : lanes;
    const idle = usable.find((lane) => lane.busy === 0);
    if (idle) return idle;
    if (lanes.length === 0 || (!primaryOnly && lanes.length < maxLanes)) {
      const lane: Lane = {
        session: sessionFactory({
          serverUrl: avatar.serverUrl,
          avatarName: avatar.avatarName,
          ...(avatar.folderName === undefined ? {} : { folderName: avatar.folderName }),
          frameSize: avatar.frameSize,
          logger: options.logger,
          lessonId: request.lessonId,
          ...options.sessionOptions,
        }),
        busy: 0,
        disabled: false,
        primary: lanes.length === 0,
      };
      lanes.push(lane);
      return lane;
    }
    return usable.reduce((best, lane) => (lane.busy < best.busy ? lane : best));
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
    const cached = await fromCache(key, request.pcm, handlers);
    if (cached.result) return cached.result;
    // Frames already delivered from a cache entry found damaged part-way are not sent twice.
    const alreadyDelivered = cached.delivered;

    let lane = laneFor(request, false);
    let spoken = await speakOn(lane, request, key, alreadyDelivered, handlers);
    if (
      !spoken.ok &&
      !lane.primary &&
      spoken.delivered === 0 &&
      spoken.error.code !== 'cancelled'
    ) {
      // The extra stream was refused (capacity) or broke at once: give it up, use the first.
      log.info(
        `second SyncTalk stream given up (${spoken.error.message}); using one stream`,
        fields,
      );
      lane.disabled = true;
      void lane.session.close();
      lane = laneFor(request, true);
      spoken = await speakOn(lane, request, key, alreadyDelivered, handlers);
    }
    if (!spoken.ok) return spoken.error.code === 'cancelled' ? spoken : notAvailable(spoken.error);
    return ok({ frameCount: spoken.value.frames, cached: false, source: 'server' });
  }

  type Spoken =
    | { ok: true; value: UtteranceSummary; delivered: number }
    | { ok: false; error: RapidoError; delivered: number };

  /** One utterance on one lane, cached once it completes whole. */
  async function speakOn(
    lane: Lane,
    request: SegmentRequest,
    key: string,
    alreadyDelivered: number,
    handlers: SegmentHandlers,
  ): Promise<Spoken> {
    const { avatar } = request;
    const fields = { lesson_id: request.lessonId, slide_id: request.slideId };
    lane.busy += 1;
    try {
      const session = lane.session;
      if (session.state === 'unavailable') {
        const connected = await session.connect();
        if (!connected.ok) return { ok: false, error: connected.error, delivered: 0 };
      }
      const begun = await cache.beginWrite(key, {
        avatarName: avatar.avatarName,
        serverOrigin: displayOrigin(avatar.serverUrl),
        width: avatar.frameSize.width,
        height: avatar.frameSize.height,
      });
      // A cache that cannot be written must not cost the user the avatar.
      let writer: AvatarSegmentWriter | null = begun.ok ? begun.value : null;
      let delivered = 0;
      const startedMs = performance.now();
      const spoken = await session.speak(
        { id: `${request.lessonId}/${request.slideId}`, pcm: request.pcm },
        {
          onFrame(frame) {
            if (writer && frame.index !== writer.framesAdded) {
              log.warn(
                `frame ${frame.index} out of order; this segment will not be cached`,
                fields,
              );
              void writer.abort();
              writer = null;
            }
            // The writer copies the frame before the caller may transfer it away.
            writer?.addFrame(frame.rgb);
            delivered += 1;
            if (frame.index >= alreadyDelivered)
              handlers.onFrame(frame.index, frame.rgb, frame.audio, 'server');
          },
        },
        handlers.signal ? { signal: handlers.signal } : {},
      );
      if (!spoken.ok) {
        await writer?.abort();
        return { ok: false, error: spoken.error, delivered };
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
      return { ok: true, value: summary, delivered };
    } finally {
      lane.busy -= 1;
    }
  }

  async function close(): Promise<void> {
    const all = [...lanesById.values()].flat();
    lanesById.clear();
    await Promise.all(all.map((lane) => lane.session.close()));
  }

  return { generate, close };
}

const samplesPerFrame = 640;

/** Frame `index`'s 40 ms of the utterance (zero-padded past its end), as SyncTalk sends it. */
export function frameAudio(pcm: Int16Array, index: number): Uint8Array<ArrayBuffer> {
  const out = new Int16Array(samplesPerFrame);
  const start = index * samplesPerFrame;
  out.set(pcm.subarray(Math.min(start, pcm.length), Math.min(start + samplesPerFrame, pcm.length)));
  return new Uint8Array(out.buffer);
}

function notAvailable(error: RapidoError): Result<never> {
  return err('not-available', error.message, {
    hint: error.hint ?? 'The local avatar stands in until the SyncTalk server is reachable.',
    ...(error.details ? { details: error.details } : {}),
  });
}
