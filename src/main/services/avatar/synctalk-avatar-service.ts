import type {
  EventChannel,
  EventPayload,
  InvokeRequest,
  InvokeResponse,
  SyncTalkCheckInfo,
} from '../../../shared/ipc/contract.ts';
import type { SyncTalkAvatarSettings } from '../../../shared/lesson/lesson-schema.ts';
import { int16Samples } from '../../../shared/pcm-samples.ts';
import { err, ok, type Result } from '../../../shared/result.ts';
import type { CallContext } from '../ipc/dispatcher.ts';
import type { Logger } from '../logging/logger.ts';
import { createResampler } from '../speech/resampler.ts';
import {
  createAvatarSegmentService,
  frameAudio,
  type AvatarSegmentService,
  type AvatarSegmentServiceOptions,
  type PrepareHandlers,
  type SegmentSummary,
} from './avatar-segments/avatar-segment-service.ts';
import { explainReadiness } from './synctalk-client/avatar-readiness.ts';
import { ensureAvatarLoaded, getStatus, listModels } from './synctalk-client/synctalk-http.ts';

/**
 * The SyncTalk avatar as the renderer sees it: check a server (reachable, avatars offered, loaded
 * or not), load an avatar with progress, and stream one slide's avatar frames to the renderer
 * that asked, as binary events. `SYNCTALK_SERVER_URL` overrides every lesson's URL here, in one
 * place, so the renderer and the cache key always agree on which server made a segment.
 */
export type EmitToClient = <C extends EventChannel>(
  clientId: string,
  channel: C,
  payload: EventPayload<C>,
) => void;

export interface SyncTalkAvatarServiceOptions {
  logger: Logger;
  cacheDir: string;
  emit: EmitToClient;
  /** SYNCTALK_SERVER_URL, when set. */
  serverUrlOverride?: string | undefined;
  requestTimeoutMs?: number;
  segmentOptions?: Partial<AvatarSegmentServiceOptions>;
}

export interface SyncTalkAvatarService {
  check(
    request: InvokeRequest<'avatar:synctalk-check'>,
  ): Promise<InvokeResponse<'avatar:synctalk-check'>>;
  load(
    request: InvokeRequest<'avatar:synctalk-load'>,
    context: CallContext,
  ): Promise<InvokeResponse<'avatar:synctalk-load'>>;
  /** Streams one slide's avatar frames, credited, to the client that asked. */
  segment(job: AvatarSegmentJob, context: CallContext): Promise<InvokeResponse<'avatar:segment'>>;
  /** Pre-generation: the segment goes into the cache; no frame leaves main. */
  prepare(job: AvatarPrepareJob, handlers: PrepareHandlers): Promise<Result<SegmentSummary>>;
  grantCredit(requestId: string, shownIndex: number, context: CallContext): void;
  cancel(requestId: string, context: CallContext): void;
  close(): Promise<void>;
}

/** One slide's speech as main made it, for its avatar video. */
export interface AvatarPrepareJob {
  lessonId: string;
  slideId: string;
  avatar: SyncTalkAvatarSettings;
  /** s16le mono, as the voice made it (resampled to 16 kHz here). */
  pcm: Uint8Array;
  sampleRateHz: number;
}

export interface AvatarSegmentJob extends AvatarPrepareJob {
  requestId: string;
  /** Frames the renderer may hold beyond those it has shown (flow control). */
  creditFrames: number;
}

const syncTalkRateHz = 16_000;

/** The speech as SyncTalk hears it: 16 kHz samples. */
function syncTalkSamples(job: AvatarPrepareJob): Result<Int16Array> {
  if (job.pcm.byteLength % 2 !== 0) {
    return err('invalid-request', 'Speech PCM must be whole 16-bit samples.');
  }
  const samples = int16Samples(job.pcm);
  return ok(
    job.sampleRateHz === syncTalkRateHz
      ? samples
      : createResampler({
          inputRateHz: job.sampleRateHz,
          outputRateHz: syncTalkRateHz,
        }).resampleInt16(samples),
  );
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Credit for one segment request: frames beyond what the renderer has room for wait here, in
 * main, until it shows more (cached frames are not even read until then). Server frames cannot
 * be paused, so they queue; a slide made ahead of its time therefore waits in main's memory, not
 * in the renderer's.
 */
class CreditGate {
  private allowedIndex: number;
  private waiter: (() => void) | null = null;
  private readonly queued: { index: number; send: () => void }[] = [];

  constructor(private readonly creditFrames: number) {
    this.allowedIndex = creditFrames - 1;
  }

  get queuedFrames(): number {
    return this.queued.length;
  }

  grant(shownIndex: number): void {
    this.allowedIndex = Math.max(this.allowedIndex, shownIndex + this.creditFrames);
    while (this.queued.length > 0 && (this.queued[0]?.index ?? Infinity) <= this.allowedIndex) {
      this.queued.shift()?.send();
    }
    this.wake();
  }

  /** Sends now when within credit (and nothing older waits), else queues in order. */
  deliver(index: number, send: () => void): void {
    if (this.queued.length === 0 && index <= this.allowedIndex) send();
    else this.queued.push({ index, send });
  }

  drop(): void {
    this.queued.length = 0;
    this.wake();
  }

  wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  async waitFor(index: number, signal: AbortSignal): Promise<void> {
    while (index > this.allowedIndex && !signal.aborted) {
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }
}

interface ActiveSegment {
  controller: AbortController;
  gate: CreditGate;
}

/** Whether the server is reachable, which avatars it offers and whether this one is loaded. */
async function checkSyncTalk(
  avatar: SyncTalkAvatarSettings,
  urlFromEnvironment: boolean,
  requestTimeoutMs: number,
): Promise<InvokeResponse<'avatar:synctalk-check'>> {
  const base = { serverUrl: avatar.serverUrl, urlFromEnvironment };
  const [status, models] = await Promise.all([
    getStatus(avatar.serverUrl, { timeoutMs: requestTimeoutMs }),
    listModels(avatar.serverUrl, { timeoutMs: requestTimeoutMs }),
  ]);
  const failed = !status.ok ? status.error : !models.ok ? models.error : null;
  if (failed || !status.ok || !models.ok) {
    const info: SyncTalkCheckInfo = {
      ...base,
      reachable: false,
      problem: { message: failed?.message ?? 'unknown', hint: failed?.hint ?? null },
      models: models.ok ? models.value : [],
      loadedFolders: status.ok ? status.value.loadedFolders : [],
      readiness: 'unknown',
      note: failed?.message ?? '',
      capacity: null,
    };
    return ok(info);
  }
  const explained = status.value.initialised
    ? explainReadiness(status.value, models.value, avatar.avatarName, avatar.folderName)
    : null;
  return ok({
    ...base,
    reachable: true,
    problem: null,
    models: models.value,
    loadedFolders: status.value.loadedFolders,
    readiness: explained?.readiness ?? 'unknown',
    note:
      explained?.note ??
      `The server is starting (${status.value.startupMessage ?? 'not initialised'}).`,
    capacity: {
      currentStreams: status.value.capacity.currentStreams,
      maximumStreams: status.value.capacity.maximumStreams,
    },
  });
}

export function createSyncTalkAvatarService(
  options: SyncTalkAvatarServiceOptions,
): SyncTalkAvatarService {
  const log = options.logger.child('synctalk');
  const segments: AvatarSegmentService = createAvatarSegmentService({
    logger: options.logger,
    cacheDir: options.cacheDir,
    ...options.segmentOptions,
  });
  const active = new Map<string, ActiveSegment>();
  /** Requests whose generation ended but whose last frames still wait for credit. */
  const finished = new Set<string>();
  const requestTimeoutMs = options.requestTimeoutMs ?? 3000;

  function effective(avatar: SyncTalkAvatarSettings): SyncTalkAvatarSettings {
    const override = options.serverUrlOverride;
    return override === undefined ? avatar : { ...avatar, serverUrl: override };
  }

  const activeKey = (context: CallContext, requestId: string) =>
    `${context.clientId}\n${requestId}`;

  async function load(
    request: InvokeRequest<'avatar:synctalk-load'>,
    context: CallContext,
  ): Promise<InvokeResponse<'avatar:synctalk-load'>> {
    const avatar = effective(request.avatar);
    let lastMessage = '';
    const loaded = await ensureAvatarLoaded(
      avatar.serverUrl,
      avatar.avatarName,
      (progress) => {
        lastMessage = progress.message;
        options.emit(context.clientId, 'avatar:load-progress', {
          requestId: request.requestId,
          ...progress,
        });
      },
      avatar.folderName === undefined ? {} : { folderName: avatar.folderName },
    );
    if (!loaded.ok) {
      log.warn(`avatar ${avatar.avatarName} could not be loaded: ${loaded.error.message}`, {
        event_type: 'synctalk_load_failed',
      });
      return loaded;
    }
    log.info(`avatar ${avatar.avatarName} ready on ${avatar.serverUrl}`, {
      event_type: 'synctalk_avatar_ready',
      performance_data: { elapsedMs: loaded.value.elapsedMs },
    });
    return ok({
      message: lastMessage,
      folderName: loaded.value.folderName,
      loadRequested: loaded.value.loadRequested,
      elapsedMs: loaded.value.elapsedMs,
    });
  }

  async function segment(
    job: AvatarSegmentJob,
    context: CallContext,
  ): Promise<InvokeResponse<'avatar:segment'>> {
    const key = activeKey(context, job.requestId);
    if (active.has(key)) {
      return err('invalid-request', `Avatar segment ${job.requestId} is already running.`);
    }
    const pcm = syncTalkSamples(job);
    if (!pcm.ok) return pcm;
    const controller = new AbortController();
    const gate = new CreditGate(job.creditFrames);
    controller.signal.addEventListener('abort', () => gate.drop());
    active.set(key, { controller, gate });
    const avatar = effective(job.avatar);
    // Frames whose 40 ms of audio is not the speech at their time (counted here, where both
    // are: the audio no longer goes to the renderer). The session places frames by their audio
    // (issue 15), so this adds the frames it could not place so: held or in arrival order.
    let audioMismatches = 0;
    try {
      const made = await segments.generate(
        { lessonId: job.lessonId, slideId: job.slideId, avatar, pcm: pcm.value },
        {
          onFrame(index, rgb, audio, source) {
            if (source === 'server' && !sameBytes(audio, frameAudio(pcm.value, index))) {
              audioMismatches += 1;
            }
            gate.deliver(index, () =>
              options.emit(context.clientId, 'avatar:segment-frame', {
                requestId: job.requestId,
                index,
                width: avatar.frameSize.width,
                height: avatar.frameSize.height,
                rgb,
                source,
              }),
            );
          },
          beforeCachedFrame: (index) => gate.waitFor(index, controller.signal),
          signal: controller.signal,
        },
      );
      if (!made.ok) return made;
      audioMismatches += made.value.unplacedFrames ?? 0;
      return ok({ frameCount: made.value.frameCount, source: made.value.source, audioMismatches });
    } finally {
      // Frames still waiting for credit keep the gate until they are sent or the renderer
      // cancels (it does when the slide goes off air).
      if (gate.queuedFrames === 0) active.delete(key);
      else finished.add(key);
    }
  }

  async function prepare(
    job: AvatarPrepareJob,
    handlers: PrepareHandlers,
  ): Promise<Result<SegmentSummary>> {
    const pcm = syncTalkSamples(job);
    if (!pcm.ok) return pcm;
    return segments.prepare(
      {
        lessonId: job.lessonId,
        slideId: job.slideId,
        avatar: effective(job.avatar),
        pcm: pcm.value,
      },
      handlers,
    );
  }

  function forgetIfDrained(key: string): void {
    const entry = active.get(key);
    if (entry && finished.has(key) && entry.gate.queuedFrames === 0) {
      active.delete(key);
      finished.delete(key);
    }
  }

  return {
    check: (request) =>
      checkSyncTalk(
        effective(request.avatar),
        options.serverUrlOverride !== undefined,
        requestTimeoutMs,
      ),
    load,
    segment,
    prepare,
    grantCredit(requestId, shownIndex, context) {
      const key = activeKey(context, requestId);
      active.get(key)?.gate.grant(shownIndex);
      forgetIfDrained(key);
    },
    cancel(requestId, context) {
      const key = activeKey(context, requestId);
      active.get(key)?.controller.abort();
      if (finished.delete(key)) active.delete(key);
    },
    async close() {
      for (const { controller } of active.values()) controller.abort();
      active.clear();
      finished.clear();
      await segments.close();
    },
  };
}
