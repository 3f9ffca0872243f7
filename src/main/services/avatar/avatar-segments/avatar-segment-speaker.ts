import { err, ok } from '../../../../shared/result.ts';
import type { RapidoError, Result } from '../../../../shared/result.ts';
import type { Logger } from '../../logging/logger.ts';
import { displayOrigin } from '../synctalk-client/synctalk-http.ts';
import type { UtteranceSummary } from '../synctalk-client/synctalk-session.ts';
import type { AvatarSegmentCache, AvatarSegmentWriter } from './avatar-segment-cache.ts';
import type { Lane, SegmentLanes } from './avatar-segment-lanes.ts';
import type { SegmentRequest, SegmentSummary } from './avatar-segment-service.ts';

/**
 * Speaks one segment's audio on a SyncTalk lane and writes the frames to the cache as they come;
 * the entry is kept only when the server sent every frame in order.
 */
type Spoken =
  | { ok: true; value: UtteranceSummary; delivered: number }
  | { ok: false; error: RapidoError; delivered: number };

/** Where a server frame goes: to the caller (generate) or only counted (prepare). */
export type ServerFrameSink = (
  index: number,
  rgb: Uint8Array<ArrayBuffer>,
  audio: Uint8Array<ArrayBuffer>,
) => void;

export type SegmentSpeaker = (
  request: SegmentRequest,
  key: string,
  sink: ServerFrameSink,
  signal: AbortSignal | undefined,
) => Promise<Result<SegmentSummary>>;

export function createSegmentSpeaker(deps: {
  cache: AvatarSegmentCache;
  lanes: SegmentLanes;
  log: Logger;
}): SegmentSpeaker {
  const { cache, lanes, log } = deps;

  /** The utterance on a lane; an extra stream that fails at once gives way to the first. */
  async function speak(
    request: SegmentRequest,
    key: string,
    sink: ServerFrameSink,
    signal: AbortSignal | undefined,
  ): Promise<Result<SegmentSummary>> {
    const fields = { lesson_id: request.lessonId, slide_id: request.slideId };
    let lane = lanes.laneFor(request.avatar, request.lessonId, false);
    let spoken = await speakOn(lane, request, key, sink, signal);
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
      lanes.disable(lane);
      lane = lanes.laneFor(request.avatar, request.lessonId, true);
      spoken = await speakOn(lane, request, key, sink, signal);
    }
    if (!spoken.ok) return spoken.error.code === 'cancelled' ? spoken : notAvailable(spoken.error);
    const { held, byOrder } = spoken.value.placement;
    return ok({
      frameCount: spoken.value.frames,
      cached: false,
      source: 'server',
      ...(held + byOrder > 0 ? { unplacedFrames: held + byOrder } : {}),
    });
  }

  /** One utterance on one lane, cached once it completes whole. */
  async function speakOn(
    lane: Lane,
    request: SegmentRequest,
    key: string,
    sink: ServerFrameSink,
    signal: AbortSignal | undefined,
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
            sink(frame.index, frame.rgb, frame.audio);
          },
        },
        signal ? { signal } : {},
      );
      if (!spoken.ok) {
        await writer?.abort();
        return { ok: false, error: spoken.error, delivered };
      }
      await keepIfWhole(writer, spoken.value, fields, startedMs);
      return { ok: true, value: spoken.value, delivered };
    } finally {
      lane.busy -= 1;
    }
  }

  /** Commits the cache entry when the server sent every frame in order, else drops it. */
  async function keepIfWhole(
    writer: AvatarSegmentWriter | null,
    summary: UtteranceSummary,
    fields: { lesson_id: string; slide_id: string },
    startedMs: number,
  ): Promise<void> {
    // Complete: one frame of the server's own per 40 ms of the audio, none held (issue 15).
    const whole = summary.complete && summary.frames === summary.expectedFrames;
    if (writer && whole && writer.framesAdded === summary.frames) {
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
      return;
    }
    await writer?.abort();
    if (writer) {
      log.warn(
        `SyncTalk sent ${summary.frames - summary.placement.held} of ${summary.expectedFrames} frames (${summary.placement.held} held); not cached`,
        fields,
      );
    }
  }

  return speak;
}

export function notAvailable(error: RapidoError): Result<never> {
  return err('not-available', error.message, {
    hint: error.hint ?? 'The local avatar stands in until the SyncTalk server is reachable.',
    ...(error.details ? { details: error.details } : {}),
  });
}
