import { realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type {
  AppMetricsInfo,
  DisplayInfo,
  InvokeRequest,
  LaunchInfo,
} from '../../shared/ipc/contract.ts';
import { err, ok, type Result } from '../../shared/result.ts';
import type { CallContext, InvokeHandlers, SendHandlers } from './ipc/dispatcher.ts';
import type { Logger } from './logging/logger.ts';
import { importImageFolder } from './lesson/import-image-folder.ts';
import { createKeyedQueue, saveLessonFolder, writeLessonAsset } from './lesson/lesson-save.ts';
import { loadLesson, readLessonAsset } from './lesson/lesson-store.ts';
import { convertPptxToPdf } from './lesson/pptx-convert.ts';
import { createRecentLessons } from './lesson/recent-lessons.ts';
import { importSlideData } from './lesson/slide-data-import.ts';
import { createProcessMetricsSampler } from './system/process-metrics.ts';
import {
  createSyncTalkAvatarService,
  type EmitToClient,
  type SyncTalkAvatarService,
} from './avatar/synctalk-avatar-service.ts';
import { createSlidePipeline, type SlidePipeline } from './pipeline/slide-pipeline.ts';
import { createRecordingSink, type RecordingSink } from './recording/recording-sink.ts';
import { createExportSink, type ExportSink } from './export/export-sink.ts';
import type { SecretCipher } from './secrets/api-key-store.ts';
import { createLiveService, type LiveEnvironment, type LiveService } from './live/live-service.ts';
import {
  createVoiceServices,
  type ElevenLabsEnvironment,
  type VoiceServices,
} from './speech/voice-services.ts';

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
  /**
   * CPU and memory of the app's processes (desktop: Electron's own account). Without it: this
   * process and the Chromium processes it started, from /proc.
   */
  appMetrics?: () => Promise<AppMetricsInfo>;
  /** The displays a program window can go to. Without it: one screen of `screenSize`. */
  displays?: () => DisplayInfo[];
  /** Headless: the size of its one screen, where known (default 1920x1080). */
  screenSize?: { width: number; height: number };
  /** Remembers where the next program window opens (desktop); without it the request is a no-op. */
  placeProgramWindow?: (placement: InvokeRequest<'program-window:place'>) => void;
}

export interface AppPaths {
  resourcesDir: string;
  cacheDir: string;
  /** Where the encrypted API key lives (desktop only). */
  secretsDir: string;
  /** Plain settings that are not part of a lesson (LiveKit server, identity). */
  configDir: string;
  defaultRecordingDir: string;
}

export interface AppServices {
  voices: VoiceServices;
  live: LiveService;
  /** Values no log line may contain. */
  secrets(): string[];
  recordings: RecordingSink;
  exports: ExportSink;
  syncTalk: SyncTalkAvatarService;
  pipeline: SlidePipeline;
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
  /** ELEVENLABS_* from the environment. */
  elevenLabs?: ElevenLabsEnvironment;
  /** Electron's safeStorage in the desktop host; null where keys live for the session only. */
  secretCipher?: SecretCipher | null;
  /** LIVEKIT_* from the environment. */
  live?: LiveEnvironment;
}): AppServices {
  const { paths, abilities, logger } = options;
  const voices = createVoiceServices({
    cacheDir: join(paths.cacheDir, 'speech'),
    secretsDir: paths.secretsDir,
    cipher: options.secretCipher ?? null,
    environment: options.elevenLabs ?? {},
    logger,
  });
  const live = createLiveService({
    dataDir: paths.configDir,
    secretsDir: paths.secretsDir,
    cipher: options.secretCipher ?? null,
    environment: options.live ?? {},
    logger: logger.child('live'),
  });
  const recordings = createRecordingSink(logger.child('recording'));
  const exports = createExportSink(logger.child('export'));
  const syncTalk = createSyncTalkAvatarService({
    logger,
    cacheDir: join(paths.cacheDir, 'avatar-segments'),
    emit: abilities.emit,
    serverUrlOverride: options.syncTalkServerUrl,
  });
  const pipeline = createSlidePipeline({
    voices,
    avatar: syncTalk,
    logger,
    emitProgress: (clientId, runId, progress) =>
      abilities.emit(clientId, 'pipeline:prepare-progress', { runId, progress }),
  });
  const rendererLog = logger.child('renderer', { event_source: 'frontend' });
  const lessonLog = logger.child('lesson');
  const recentLessons = createRecentLessons({ dataDir: paths.configDir, logger: lessonLog });
  // Saves of one folder (autosave, explicit save, settings) land in the order they were asked.
  const inLessonFolder = createKeyedQueue();
  const processMetrics = createProcessMetricsSampler();
  // The sample lesson is always one click away; it would only crowd the recent list.
  const sampleDir = realpath(sampleLessonDir(paths.resourcesDir)).catch(() =>
    resolve(sampleLessonDir(paths.resourcesDir)),
  );

  async function remember(loaded: { dir: string; lesson: { title: string } }): Promise<void> {
    if (loaded.dir === (await sampleDir)) return;
    await recentLessons.record({ dir: loaded.dir, title: loaded.lesson.title });
  }

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
      await remember(loaded.value);
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
      await remember(imported.value);
      return ok({ dir: imported.value.dir, lesson: imported.value.lesson });
    },
    'lesson:save': ({ dir, lesson, create }) =>
      inLessonFolder(resolve(dir), async () => {
        const saved = await saveLessonFolder({
          dir,
          lesson,
          create: create === true,
          logger: lessonLog,
        });
        if (!saved.ok) {
          lessonLog.warn(`lesson not saved: ${saved.error.message}`, {
            lesson_id: lesson.id,
            event_type: 'lesson_save_failed',
            details: saved.error.details ?? [],
          });
          return saved;
        }
        await remember(saved.value);
        return ok({ dir: saved.value.dir, lesson: saved.value.lesson });
      }),
    'lesson:write-asset': ({ dir, path, bytes }) => writeLessonAsset({ dir, path, bytes }),
    'lesson:recent': async () => ok({ lessons: await recentLessons.list() }),
    'lesson:import-slide-data': async (request) => {
      const imported = await importSlideData({
        file: resolve(request.file),
        ...(request.imagesDir === undefined ? {} : { imagesDir: resolve(request.imagesDir) }),
        ...(request.lessonDir === undefined ? {} : { lessonDir: resolve(request.lessonDir) }),
        ...(options.slideFramesPath === undefined
          ? {}
          : { slideFramesPath: options.slideFramesPath }),
        logger: lessonLog,
      });
      if (!imported.ok) return imported;
      await remember(imported.value);
      return ok({ dir: imported.value.dir, lesson: imported.value.lesson });
    },
    'lesson:convert-pptx': ({ fileName, bytes }) =>
      convertPptxToPdf({ fileName, bytes, logger: lessonLog }),
    'app:metrics': async () =>
      ok(await (abilities.appMetrics ? abilities.appMetrics() : processMetrics.sample())),
    'program-window:displays': () => {
      const screen = abilities.screenSize ?? { width: 1920, height: 1080 };
      return Promise.resolve(
        ok({
          displays: abilities.displays?.() ?? [
            {
              id: 0,
              label: 'This screen',
              width: screen.width,
              height: screen.height,
              primary: true,
            },
          ],
        }),
      );
    },
    'program-window:place': (placement) => {
      abilities.placeProgramWindow?.(placement);
      return Promise.resolve(ok({}));
    },
    'lesson:read-asset': ({ lessonDir, path }) => readLessonAsset(lessonDir, path),
    'speech:synthesize': (request) => pipeline.speech(request),
    'voice:elevenlabs-status': () => Promise.resolve(ok(voices.status())),
    'voice:elevenlabs-set-key': ({ apiKey }) => voices.setKey(apiKey),
    'voice:elevenlabs-clear-key': async () => {
      const cleared = await voices.keys.clear();
      return cleared.ok ? ok(voices.status()) : cleared;
    },
    'voice:elevenlabs-voices': async () => {
      const listed = await voices.elevenLabsApi.voices();
      return listed.ok ? ok({ voices: listed.value }) : listed;
    },
    'voice:elevenlabs-models': async () => {
      const listed = await voices.elevenLabsApi.models();
      return listed.ok ? ok({ models: listed.value }) : listed;
    },
    'voice:elevenlabs-quota': () => voices.elevenLabsApi.subscription(),
    'voice:estimate': ({ lessonId, slides, voice }) =>
      voices.narration.estimate(lessonId, slides, voice),
    'avatar:synctalk-check': (request) => syncTalk.check(request),
    'avatar:synctalk-load': (request, context) => syncTalk.load(request, context),
    'avatar:segment': (request, context) => pipeline.avatar(request, context),
    'pipeline:prepare-lesson': (request, context) => pipeline.prepareForClient(request, context),
    'live:get-config': async () => ok(await live.config()),
    'live:save-config': (request) => live.saveConfig(request),
    'live:connect-info': (request) => live.connectInfo(request),
    'recording:start': (request) => recordings.start(request),
    'recording:append': ({ recordingId, chunk }) => recordings.append(recordingId, chunk),
    'recording:finish': ({ recordingId, captionsVtt }) =>
      recordings.finish(recordingId, captionsVtt),
    'recording:choose-folder': () => chooseFolder('Choose the recording folder'),
    'export:start': (request) => exports.start(request),
    'export:write': async ({ exportId, position, chunk }) => {
      const written = await exports.write(exportId, position, chunk);
      return written.ok ? ok({ bytesWritten: written.value }) : written;
    },
    'export:finish': ({ exportId, chapters, durationMs, captionsVtt }) =>
      exports.finish(exportId, { chapters, durationMs, captionsVtt }),
    'export:cancel': async ({ exportId }) => {
      await exports.cancel(exportId);
      return ok({});
    },
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
    'pipeline:prepare-cancel': ({ runId }, context) => pipeline.cancelPrepare(runId, context),
    'voice:warm': () => void voices.elevenLabsApi.warm(),
  };

  return {
    voices,
    live,
    secrets: () => [...voices.secrets(), ...live.secrets()],
    recordings,
    exports,
    syncTalk,
    pipeline,
    invokeHandlers,
    sendHandlers,
    async dispose() {
      pipeline.close();
      await syncTalk.close();
      await recordings.closeAll();
      await exports.cancelAll();
      voices.close();
    },
  };
}
