import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  ImportJobInfo,
  ImportJobProgress,
  LaunchInfo,
  RenderPart,
  RenderProgress,
} from '../../../shared/ipc/contract.ts';
import { createAppServices, sampleLessonDir, type AppServices } from '../../wiring/app-services.ts';
import {
  headlessDataDir,
  sharedCacheDir,
  type Environment,
} from '../../services/platform/config/environment.ts';
import { createDispatcher } from '../../services/ipc/dispatcher.ts';
import { createLogger, type Logger } from '../../services/logging/logger.ts';
import { startHeadlessServer, type HeadlessServer } from './headless-server.ts';

/** The repository (or installed package) root: where resources/ and out/renderer live. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

export interface HeadlessHost {
  server: HeadlessServer;
  services: AppServices;
  logger: Logger;
  close(): Promise<void>;
}

export interface HeadlessHostOptions {
  environment: Environment;
  mode: LaunchInfo['mode'];
  lessonDir: string | null;
  outPath?: string;
  /** render --live: also publish to LiveKit (room null: the lesson id). */
  live?: { room: string | null } | null;
  /** render --realtime: record in real time instead of the frame-stepped export. */
  realtime?: boolean;
  /** render --realtime: pre-roll the first slide and arm the recorder before Play (default). */
  preRoll?: boolean;
  /** render --parallel: the part of the split render this host's page makes. */
  part?: RenderPart | null;
  port?: number;
  /** Mirror log lines to the terminal. */
  consoleLog: boolean;
  onRenderProgress?: (progress: RenderProgress) => void;
  /**
   * import mode: the job the page runs, the source file it may read (import:read-source), and
   * where its progress goes. The job's lesson folder, data file and images folder are granted.
   */
  importJob?: {
    job: ImportJobInfo;
    sourcePath: string;
    onProgress: (progress: ImportJobProgress) => void;
  };
  rendererDir?: string;
}

/** What an import job writes to and reads from: the user named each on the command line. */
function importGrants(job: ImportJobInfo | undefined): string[] {
  if (!job) return [];
  return [
    job.lessonDir,
    ...(job.kind === 'predecessor' ? [job.file] : []),
    ...(job.imagesDir === null ? [] : [job.imagesDir]),
  ];
}

export function rendererBuildDir(): string {
  return join(projectRoot, 'out', 'renderer');
}

export async function startHeadlessHost(options: HeadlessHostOptions): Promise<HeadlessHost> {
  const env = options.environment;
  const dataDir = headlessDataDir(env);
  let services: AppServices | null = null;
  const logger = createLogger({
    directory: env.RAPIDO_LOG_DIR ?? join(dataDir, 'logs'),
    level: env.LOG_LEVEL ?? 'info',
    console: options.consoleLog,
    secrets: () =>
      services?.secrets() ?? [env.ELEVENLABS_API_KEY ?? '', env.LIVEKIT_API_SECRET ?? ''],
  });
  const rendererDir = options.rendererDir ?? rendererBuildDir();
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(
      `The renderer is not built (${rendererDir}/index.html is missing). Run: npm run build`,
    );
  }
  const videos = join(homedir(), 'Videos');
  // Events go out through the server, which needs the services' dispatcher first.
  let server: HeadlessServer | null = null;
  services = createAppServices({
    paths: {
      resourcesDir: join(projectRoot, 'resources'),
      cacheDir: sharedCacheDir(env),
      secretsDir: join(dataDir, 'secrets'),
      configDir: dataDir,
      defaultRecordingDir:
        env.RAPIDO_RECORDING_DIR ??
        (existsSync(videos) ? join(videos, 'Rapido') : join(dataDir, 'recordings')),
    },
    launch: {
      version: '0.1.0',
      mode: options.mode,
      lessonDir: options.lessonDir ?? sampleLessonDir(join(projectRoot, 'resources')),
      render:
        options.outPath === undefined
          ? null
          : {
              outPath: resolve(options.outPath),
              live: options.live ?? null,
              realtime: options.realtime ?? false,
              preRoll: options.preRoll ?? true,
              part: options.part ?? null,
            },
      importJob: options.importJob?.job ?? null,
    },
    slideFramesPath: env.SLIDE_FRAMES_PATH,
    abilities: {
      host: 'headless',
      chooseFolder: null,
      showFile: null,
      // No picker here: paths are typed, and only inside the folders the user started us with
      // (and those of the command line's import job).
      typedFolders: [
        ...(env.RAPIDO_FOLDERS ?? '').split(delimiter).filter((dir) => dir.length > 0),
        ...importGrants(options.importJob?.job),
      ],
      emit: (clientId, channel, payload) => server?.emitTo(clientId, channel, payload),
      ...(options.onRenderProgress ? { onRenderProgress: options.onRenderProgress } : {}),
      ...(options.importJob
        ? {
            importJob: {
              sourcePath: options.importJob.sourcePath,
              onProgress: options.importJob.onProgress,
            },
          }
        : {}),
    },
    logger,
    syncTalkServerUrl: env.SYNCTALK_SERVER_URL,
    elevenLabs: {
      apiKey: env.ELEVENLABS_API_KEY,
      baseUrl: env.ELEVENLABS_BASE_URL,
      voiceId: env.ELEVENLABS_VOICE_ID,
      modelId: env.ELEVENLABS_MODEL_ID,
    },
    live: {
      url: env.LIVEKIT_URL,
      apiKey: env.LIVEKIT_API_KEY,
      apiSecret: env.LIVEKIT_API_SECRET,
    },
    // No OS keychain here: a key typed into the UI is kept for the session only.
    secretCipher: null,
  });
  const dispatcher = createDispatcher(
    services.invokeHandlers,
    services.sendHandlers,
    logger.child('ipc'),
  );
  const started = await startHeadlessServer({
    rendererDir,
    dispatcher,
    logger: logger.child('headless'),
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  server = started;
  logger.info(`headless host listening on ${started.origin}`, { event_type: 'host_start' });
  return {
    server: started,
    services,
    logger,
    async close() {
      await services.dispose();
      await started.close();
    },
  };
}
