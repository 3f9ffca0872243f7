import { join } from 'node:path';
import type { InvokeHandlers, SendHandlers } from '../services/ipc/dispatcher.ts';
import type { Logger } from '../services/logging/logger.ts';
import { createRecentLessons } from '../services/lesson/recent-lessons.ts';
import { createProcessMetricsSampler } from '../services/platform/system/process-metrics.ts';
import {
  createSyncTalkAvatarService,
  type SyncTalkAvatarService,
} from '../services/avatar/synctalk-avatar-service.ts';
import { createSlidePipeline, type SlidePipeline } from '../services/pipeline/slide-pipeline.ts';
import { createRecordingSink, type RecordingSink } from '../services/recording/recording-sink.ts';
import { createExportSink, type ExportSink } from '../services/export/export-sink.ts';
import { createOutputDestinations } from '../services/outputs/output-destinations.ts';
import type { SecretCipher } from '../services/secrets/api-key-store.ts';
import {
  createLiveService,
  type LiveEnvironment,
  type LiveService,
} from '../services/live/live-service.ts';
import {
  createVoiceServices,
  type ElevenLabsEnvironment,
  type VoiceServices,
} from '../services/speech/voice-services.ts';
import { createAppHandlers, type LaunchBase } from './app-handlers.ts';
import { createAvatarHandlers } from './avatar-handlers.ts';
import type { AppPaths, HostAbilities } from './host-abilities.ts';
import { createFolderGrants } from '../services/lesson/folder-grants.ts';
import { createImportJobHandlers } from './import-job-handlers.ts';
import { createLessonHandlers } from './lesson-handlers.ts';
import { createLiveHandlers } from './live-handlers.ts';
import { createOutputHandlers } from './output-handlers.ts';
import { createVoiceHandlers } from './voice-handlers.ts';

export type { AppPaths, HostAbilities } from './host-abilities.ts';
export { sampleLessonDir } from './lesson-handlers.ts';

/**
 * The composition root: everything the main process does, wired once and shared by both hosts
 * (Electron IPC and the headless WebSocket). It builds the services and the handler table and
 * nothing else; each domain's channels live in its own *-handlers.ts module.
 */
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

export interface AppServicesOptions {
  paths: AppPaths;
  launch: LaunchBase;
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
}

export function createAppServices(options: AppServicesOptions): AppServices {
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
  const destinations = createOutputDestinations({
    configDir: paths.configDir,
    defaultFolder: paths.defaultRecordingDir,
    logger: logger.child('recording'),
  });
  // Part files of exports killed in an earlier run (SIGKILL, power cut) are removed at start.
  void exports.cleanStaleParts(destinations.folder());
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
  const recentLessons = createRecentLessons({
    dataDir: paths.configDir,
    logger: logger.child('lesson'),
  });

  // Every path the page names is checked against what the user chose through main.
  const grants = createFolderGrants({
    alsoGranted: async () => (await recentLessons.list()).map((entry) => entry.dir),
    ...(abilities.confirmPath ? { confirm: abilities.confirmPath } : {}),
  });

  const app = createAppHandlers({
    launch: options.launch,
    slideFramesPath: options.slideFramesPath,
    paths,
    destinations,
    abilities,
    processMetrics: createProcessMetricsSampler(),
    logger,
  });
  const voice = createVoiceHandlers(voices, pipeline, grants);
  const avatar = createAvatarHandlers(syncTalk, pipeline, grants);
  const importJob = createImportJobHandlers(abilities);
  const invokeHandlers: InvokeHandlers = {
    ...app.invoke,
    ...createLessonHandlers({
      resourcesDir: paths.resourcesDir,
      slideFramesPath: options.slideFramesPath,
      abilities,
      logger,
      recentLessons,
      grants,
      launchLessonDir: options.launch.lessonDir,
    }),
    ...voice.invoke,
    ...avatar.invoke,
    ...createLiveHandlers(live),
    ...createOutputHandlers({ recordings, exports, destinations, abilities }),
    ...importJob.invoke,
  };
  const sendHandlers: SendHandlers = {
    ...app.send,
    ...voice.send,
    ...avatar.send,
    ...importJob.send,
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
      await pipeline.close();
      await syncTalk.close();
      await recordings.closeAll();
      await exports.cancelAll();
      voices.close();
    },
  };
}
