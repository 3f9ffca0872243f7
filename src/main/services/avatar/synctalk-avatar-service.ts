import type {
  EventChannel,
  EventPayload,
  InvokeRequest,
  InvokeResponse,
  SyncTalkCheckInfo,
} from '../../../shared/ipc/contract.ts';
import type { SyncTalkAvatarSettings } from '../../../shared/lesson/lesson-schema.ts';
import { int16Samples } from '../../../shared/pcm-samples.ts';
import { err, ok } from '../../../shared/result.ts';
import type { CallContext } from '../ipc/dispatcher.ts';
import type { Logger } from '../logging/logger.ts';
import { createResampler } from '../speech/resampler.ts';
import {
  createAvatarSegmentService,
  type AvatarSegmentService,
  type AvatarSegmentServiceOptions,
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
  segment(
    request: InvokeRequest<'avatar:segment'>,
    context: CallContext,
  ): Promise<InvokeResponse<'avatar:segment'>>;
  grantCredit(requestId: string, shownIndex: number, context: CallContext): void;
  cancel(requestId: string, context: CallContext): void;
  close(): Promise<void>;
}

const syncTalkRateHz = 16_000;

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

  async function check(
    request: InvokeRequest<'avatar:synctalk-check'>,
  ): Promise<InvokeResponse<'avatar:synctalk-check'>> {
    const avatar = effective(request.avatar);
    const base = {
      serverUrl: avatar.serverUrl,
      urlFromEnvironment: options.serverUrlOverride !== undefined,
    };
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
    request: InvokeRequest<'avatar:segment'>,
    context: CallContext,
  ): Promise<InvokeResponse<'avatar:segment'>> {
    const key = activeKey(context, request.requestId);
    if (active.has(key)) {
      return err('invalid-request', `Avatar segment ${request.requestId} is already running.`);
    }
    if (request.pcm.byteLength % 2 !== 0) {
      return err('invalid-request', 'Speech PCM must be whole 16-bit samples.');
    }
    const samples = int16Samples(request.pcm);
    const pcm =
      request.sampleRateHz === syncTalkRateHz
        ? samples
        : createResampler({
            inputRateHz: request.sampleRateHz,
            outputRateHz: syncTalkRateHz,
          }).resampleInt16(samples);
    const controller = new AbortController();
    const gate = new CreditGate(request.creditFrames);
    controller.signal.addEventListener('abort', () => gate.drop());
    active.set(key, { controller, gate });
    const avatar = effective(request.avatar);
    try {
      return await segments.generate(
        { lessonId: request.lessonId, slideId: request.slideId, avatar, pcm },
        {
          onFrame(index, rgb, audio, source) {
            gate.deliver(index, () =>
              options.emit(context.clientId, 'avatar:segment-frame', {
                requestId: request.requestId,
                index,
                width: avatar.frameSize.width,
                height: avatar.frameSize.height,
                rgb,
                audio,
                source,
              }),
            );
          },
          beforeCachedFrame: (index) => gate.waitFor(index, controller.signal),
          signal: controller.signal,
        },
      );
    } finally {
      // Frames still waiting for credit keep the gate until they are sent or the renderer
      // cancels (it does when the slide goes off air).
      if (gate.queuedFrames === 0) active.delete(key);
      else finished.add(key);
    }
  }

  function forgetIfDrained(key: string): void {
    const entry = active.get(key);
    if (entry && finished.has(key) && entry.gate.queuedFrames === 0) {
      active.delete(key);
      finished.delete(key);
    }
  }

  return {
    check,
    load,
    segment,
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
