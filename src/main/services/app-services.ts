import { join, resolve } from 'node:path';
import type { LaunchInfo } from '../../shared/ipc/contract.ts';
import { err, ok, type Result } from '../../shared/result.ts';
import type { CallContext, InvokeHandlers, SendHandlers } from './ipc/dispatcher.ts';
import type { Logger } from './logging/logger.ts';
import { importImageFolder } from './lesson/import-image-folder.ts';
import { loadLesson, readLessonAsset } from './lesson/lesson-store.ts';
import {
  createSyncTalkAvatarService,
  type EmitToClient,
  type SyncTalkAvatarService,
} from './avatar/synctalk-avatar-service.ts';
import { createRecordingSink, type RecordingSink } from './recording/recording-sink.ts';
import { createOfflineSpeechProvider } from './speech/offline-voice.ts';
import { createSpeechService, type SpeechService } from './speech/speech-service.ts';

/**
 * Everything the main process does, wired once and shared by both hosts (Electron IPC and the
 * headless WebSocket). Host-specific abilities (native dialogs, showing a file) come in as
 * functions so this module never needs electron.
 */
export interface HostAbilities {
  host: LaunchInfo['host'];
  chooseFolder: ((title: string) => Promise<string | null>) | null;
  showFile: ((path: string) => Promise<void>) | null;
  /** Sends an event to one renderer (the one that asked). */
  emit: EmitToClient;
  /** Called with each progress report of a render job (the CLI prints them). */
  onRenderProgress?: (progress: Parameters<SendHandlers['render:progress']>[0]) => void;
}

export interface AppPaths {
  resourcesDir: string;
  cacheDir: string;
  defaultRecordingDir: string;
}

export interface AppServices {
  speech: SpeechService;
  recordings: RecordingSink;
  syncTalk: SyncTalkAvatarService;
  invokeHandlers: InvokeHandlers;
  sendHandlers: SendHandlers;
  dispose(): Promise<void>;
}

export function sampleLessonDir(resourcesDir: string): string {
  return join(resourcesDir, 'sample-lesson');
}

export function createAppServices(options: {
  paths: AppPaths;
  launch: Omit<LaunchInfo, 'canPickFolders' | 'defaultRecordingDir' | 'host' | 'slideFramesPath'>;
  slideFramesPath?: string | undefined;
  abilities: HostAbilities;
  logger: Logger;
  /** SYNCTALK_SERVER_URL: overrides every lesson's SyncTalk server. */
  syncTalkServerUrl?: string | undefined;
}): AppServices {
  const { paths, abilities, logger } = options;
  const speech = createSpeechService({
    provider: createOfflineSpeechProvider(logger.child('speech')),
    cacheDir: join(paths.cacheDir, 'speech'),
    logger: logger.child('speech'),
  });
  const recordings = createRecordingSink(logger.child('recording'));
  const syncTalk = createSyncTalkAvatarService({
    logger,
    cacheDir: join(paths.cacheDir, 'avatar-segments'),
    emit: abilities.emit,
    serverUrlOverride: options.syncTalkServerUrl,
  });
  const rendererLog = logger.child('renderer', { event_source: 'frontend' });

  const notAvailable = (what: string) =>
    err('not-available', `${what} is not available in the ${abilities.host} host.`, {
      hint: 'Type the path instead.',
    });

  async function chooseFolder(title: string): Promise<Result<{ dir: string | null }>> {
    if (!abilities.chooseFolder) return notAvailable('A folder picker');
    return ok({ dir: await abilities.chooseFolder(title) });
  }

  const invokeHandlers: InvokeHandlers = {
    'app:get-launch': () =>
      Promise.resolve(
        ok({
          ...options.launch,
          host: abilities.host,
          defaultRecordingDir: paths.defaultRecordingDir,
          canPickFolders: abilities.chooseFolder !== null,
          slideFramesPath: options.slideFramesPath ?? null,
        }),
      ),
    'lesson:open': async ({ dir }) => {
      const loaded = await loadLesson(resolve(dir));
      if (!loaded.ok) return loaded;
      logger.info(`lesson opened: ${loaded.value.dir}`, {
        lesson_id: loaded.value.lesson.id,
        event_type: 'lesson_open',
      });
      return ok({ dir: loaded.value.dir, lesson: loaded.value.lesson });
    },
    'lesson:open-sample': async (_request, context) =>
      invokeHandlers['lesson:open']({ dir: sampleLessonDir(paths.resourcesDir) }, context),
    'lesson:choose-folder': ({ title }) => chooseFolder(title),
    'lesson:import-images': async (request) => {
      // By default lesson.json is written beside the images, which it then references in place.
      const imported = await importImageFolder({
        imagesDir: resolve(request.imagesDir),
        lessonDir: resolve(request.lessonDir ?? request.imagesDir),
        ...(request.scriptPath === undefined ? {} : { scriptPath: resolve(request.scriptPath) }),
        ...(request.title === undefined ? {} : { title: request.title }),
      });
      if (!imported.ok) return imported;
      logger.info(`lesson imported from ${request.imagesDir}`, {
        lesson_id: imported.value.lesson.id,
        event_type: 'lesson_import',
      });
      return ok({ dir: imported.value.dir, lesson: imported.value.lesson });
    },
    'lesson:read-asset': ({ lessonDir, path }) => readLessonAsset(lessonDir, path),
    'speech:synthesize': async ({ lessonId, text, voice, slideId }) => {
      const result = await speech.synthesize({ lessonId, text, voice });
      if (!result.ok) {
        logger.warn(`speech failed for slide ${slideId}: ${result.error.message}`, {
          lesson_id: lessonId,
          event_type: 'speech_failed',
        });
        return result;
      }
      const s = result.value;
      const pcm = new Uint8Array(s.pcm.buffer, s.pcm.byteOffset, s.pcm.byteLength);
      return ok({
        pcm,
        sampleRateHz: s.sampleRateHz,
        durationMs: s.durationMs,
        words: s.words,
        cached: s.cached,
        providerId: s.providerId,
      });
    },
    'avatar:synctalk-check': (request) => syncTalk.check(request),
    'avatar:synctalk-load': (request, context) => syncTalk.load(request, context),
    'avatar:segment': (request, context) => syncTalk.segment(request, context),
    'recording:start': (request) => recordings.start(request),
    'recording:append': ({ recordingId, chunk }) => recordings.append(recordingId, chunk),
    'recording:finish': ({ recordingId }) => recordings.finish(recordingId),
    'recording:choose-folder': () => chooseFolder('Choose the recording folder'),
    'shell:show-file': async ({ path }) => {
      if (!abilities.showFile) return notAvailable('Showing a file');
      await abilities.showFile(path);
      return ok({});
    },
  };

  const sendHandlers: SendHandlers = {
    'log:write': (entry: Parameters<SendHandlers['log:write']>[0], context: CallContext) => {
      const fields = {
        event_source: 'frontend' as const,
        client: context.clientId,
        ...(entry.lessonId === null ? {} : { lesson_id: entry.lessonId }),
        ...(entry.eventType === null ? {} : { event_type: entry.eventType }),
        ...(entry.performance === undefined ? {} : { performance_data: entry.performance }),
      };
      const named = rendererLog.child(entry.logger);
      if (entry.performanceLog) named.perf(entry.message, fields);
      else named[entry.level](entry.message, fields);
    },
    'render:progress': (progress) => abilities.onRenderProgress?.(progress),
    'avatar:segment-credit': ({ requestId, shownIndex }, context) =>
      syncTalk.grantCredit(requestId, shownIndex, context),
    'avatar:segment-cancel': ({ requestId }, context) => syncTalk.cancel(requestId, context),
  };

  return {
    speech,
    recordings,
    syncTalk,
    invokeHandlers,
    sendHandlers,
    async dispose() {
      await syncTalk.close();
      await recordings.closeAll();
    },
  };
}
