import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Lesson } from '../../../shared/lesson/lesson-schema.ts';
import { formatError } from '../../../shared/result.ts';
import { createSyncTalkAvatarService } from '../../services/avatar/synctalk-avatar-service.ts';
import { loadLesson } from '../../services/lesson/lesson-store.ts';
import { createLiveService } from '../../services/live/live-service.ts';
import { createLogger } from '../../services/logging/logger.ts';
import {
  headlessDataDir,
  readEnvironment,
  sharedCacheDir,
  type Environment,
} from '../../services/platform/config/environment.ts';
import { createVoiceServices } from '../../services/speech/voice-services.ts';
import { chromiumPath } from '../headless/chromium.ts';
import { argumentsOrExit, cliSettings, fail, usage } from './cli-support.ts';
import { cacheFolders, lessonCacheStatus, slideCacheLine } from './lesson-cache-status.ts';
import {
  probeChromium,
  probeElevenLabs,
  probeEspeak,
  probeLibreOffice,
  probeLiveKit,
  probeSyncTalk,
  type ServiceStatus,
} from './status-probes.ts';

/**
 * `rapido status [lessonDir]` (and the predecessor's `--status-only`): each service Rapido can
 * use, asked for real within a bounded time, whether it is usable and, when not, why and what to
 * check; with a lesson, its avatar server too, and what the caches hold for it slide by slide.
 * Exit codes: 0 all configured services usable, 1 one is not, 2 bad input.
 */
const marks: Record<ServiceStatus['state'], string> = { ok: 'ok ', off: '-- ', problem: 'XX ' };

export function statusLines(statuses: readonly ServiceStatus[]): string[] {
  return statuses.flatMap((status) => [
    `${marks[status.state]} ${status.name}: ${status.detail}`,
    ...(status.hint && status.state !== 'ok' ? [`      ${status.hint}`] : []),
  ]);
}

export function cliServices(env: Environment, secretsDir: string) {
  const dataDir = headlessDataDir(env);
  const logger = createLogger({
    directory: env.RAPIDO_LOG_DIR ?? join(dataDir, 'logs'),
    level: env.LOG_LEVEL ?? 'info',
    console: cliSettings.verbose,
    secrets: () => [env.ELEVENLABS_API_KEY ?? '', env.LIVEKIT_API_SECRET ?? ''],
  });
  const cacheDir = sharedCacheDir(env);
  const voiceOptions = {
    cacheDir: cacheFolders(cacheDir).speech,
    cipher: null,
    logger,
  };
  const voices = createVoiceServices({
    ...voiceOptions,
    secretsDir: join(dataDir, 'secrets'),
    environment: {
      apiKey: env.ELEVENLABS_API_KEY,
      baseUrl: env.ELEVENLABS_BASE_URL,
      voiceId: env.ELEVENLABS_VOICE_ID,
      modelId: env.ELEVENLABS_MODEL_ID,
    },
  });
  // The same speech cache, with no key at all (no saved one either): reads back, never buys.
  const cacheOnlyVoices = createVoiceServices({
    ...voiceOptions,
    secretsDir,
    environment: {
      baseUrl: env.ELEVENLABS_BASE_URL,
      voiceId: env.ELEVENLABS_VOICE_ID,
      modelId: env.ELEVENLABS_MODEL_ID,
    },
  });
  const syncTalk = createSyncTalkAvatarService({
    logger,
    cacheDir: cacheFolders(cacheDir).avatar,
    emit: () => undefined,
    serverUrlOverride: env.SYNCTALK_SERVER_URL,
  });
  const live = createLiveService({
    dataDir,
    secretsDir: join(dataDir, 'secrets'),
    cipher: null,
    environment: {
      url: env.LIVEKIT_URL,
      apiKey: env.LIVEKIT_API_KEY,
      apiSecret: env.LIVEKIT_API_SECRET,
    },
    logger: logger.child('live'),
  });
  return { logger, voices, cacheOnlyVoices, syncTalk, live, cacheDir };
}

export async function status(argv: string[]): Promise<number> {
  const { values, positionals } = argumentsOrExit(() =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: { help: { type: 'boolean', short: 'h' } },
    }),
  );
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (positionals.length > 1) fail(2, `status takes at most one <lessonDir>\n${usage}`);
  const env = readEnvironment();
  if (!env.ok) fail(2, env.message);
  let lesson: { dir: string; lesson: Lesson } | null = null;
  if (positionals[0] !== undefined) {
    const loaded = await loadLesson(resolve(positionals[0]));
    if (!loaded.ok) fail(2, formatError(loaded.error));
    lesson = loaded.value;
  }
  const keyless = await mkdtemp(join(tmpdir(), 'rapido-status-'));
  const services = cliServices(env.value, keyless);
  try {
    const avatar = lesson?.lesson.avatar.provider === 'synctalk' ? lesson.lesson.avatar : null;
    process.stdout.write(`Rapido status (data in ${headlessDataDir(env.value)})\n`);
    const statuses = await Promise.all([
      probeElevenLabs(services.voices),
      probeSyncTalk(services.syncTalk, avatar, env.value.SYNCTALK_SERVER_URL),
      probeLiveKit(services.live),
      probeChromium(chromiumPath(env.value.CHROMIUM_PATH), env.value.CHROMIUM_PATH !== undefined),
      probeLibreOffice(),
      probeEspeak(services.logger),
    ]);
    process.stdout.write(`${statusLines(statuses).join('\n')}\n`);
    if (lesson) {
      const cached = await lessonCacheStatus({
        lesson: lesson.lesson,
        lessonDir: lesson.dir,
        voices: services.voices,
        cacheOnlyVoices: services.cacheOnlyVoices,
        avatarCacheDir: cacheFolders(services.cacheDir).avatar,
        syncTalkServerUrl: env.value.SYNCTALK_SERVER_URL,
      });
      const ready = cached.slides.filter(
        (s) => s.cachedSentences === s.sentences && s.avatarCached !== false,
      ).length;
      process.stdout.write(
        `Cached for "${lesson.lesson.title}" (${lesson.dir}), in ${services.cacheDir}: ` +
          `${ready} of ${cached.slides.length} slides ready\n`,
      );
      for (const slide of cached.slides) process.stdout.write(`  ${slideCacheLine(slide)}\n`);
      if (cached.avatarNote) process.stdout.write(`  (${cached.avatarNote})\n`);
    }
    return statuses.some((s) => s.state === 'problem') ? 1 : 0;
  } finally {
    await services.syncTalk.close();
    services.voices.close();
    services.cacheOnlyVoices.close();
    await rm(keyless, { recursive: true, force: true });
  }
}
