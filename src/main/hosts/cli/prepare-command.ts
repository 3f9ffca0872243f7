import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { PrepareProgressInfo } from '../../../shared/ipc/contract.ts';
import { formatError } from '../../../shared/result.ts';
import {
  headlessDataDir,
  readEnvironment,
  sharedCacheDir,
} from '../../services/platform/config/environment.ts';
import { loadLesson } from '../../services/lesson/lesson-store.ts';
import { createLogger } from '../../services/logging/logger.ts';
import { createSyncTalkAvatarService } from '../../services/avatar/synctalk-avatar-service.ts';
import { createSlidePipeline } from '../../services/pipeline/slide-pipeline.ts';
import { createVoiceServices } from '../../services/speech/voice-services.ts';
import { argumentsOrExit, cliSettings, fail, usage } from './cli-support.ts';
import { createProgressDisplay } from './progress-display.ts';
import { isNotablePrepareProgress, prepareProgressLine, prepareSummary } from './prepare-format.ts';

/**
 * `rapido prepare <lessonDir>`: every slide's speech and avatar video into the caches, by main's
 * slide pipeline alone (no browser, no page): the same work as the editor's "Prepare whole
 * lesson", into the same caches as `rapido render` and `rapido serve` (RAPIDO_DATA_DIR). Exit
 * codes: 0 every slide ready, 1 a slide failed or the run was interrupted, 2 bad input.
 */
const prepareArgsSchema = z.object({
  lessonDir: z.string({ error: 'missing <lessonDir>' }).min(1),
  verify: z.boolean(),
});

export async function prepare(argv: string[]): Promise<number> {
  const { values, positionals } = argumentsOrExit(() =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: { verify: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }),
  );
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const parsed = prepareArgsSchema.safeParse({
    lessonDir: positionals[0],
    verify: values.verify ?? false,
  });
  if (!parsed.success) fail(2, `${parsed.error.issues.map((i) => i.message).join('; ')}\n${usage}`);
  const env = readEnvironment();
  if (!env.ok) fail(2, env.message);
  const loaded = await loadLesson(resolve(parsed.data.lessonDir));
  if (!loaded.ok) fail(2, formatError(loaded.error));
  const { lesson, dir } = loaded.value;

  const dataDir = headlessDataDir(env.value);
  const logger = createLogger({
    directory: env.value.RAPIDO_LOG_DIR ?? join(dataDir, 'logs'),
    level: env.value.LOG_LEVEL ?? 'info',
    console: cliSettings.verbose,
    secrets: () => [env.value.ELEVENLABS_API_KEY ?? ''],
  });
  const voices = createVoiceServices({
    cacheDir: join(sharedCacheDir(env.value), 'speech'),
    secretsDir: join(dataDir, 'secrets'),
    cipher: null,
    environment: {
      apiKey: env.value.ELEVENLABS_API_KEY,
      baseUrl: env.value.ELEVENLABS_BASE_URL,
      voiceId: env.value.ELEVENLABS_VOICE_ID,
      modelId: env.value.ELEVENLABS_MODEL_ID,
    },
    logger,
  });
  const syncTalk = createSyncTalkAvatarService({
    logger,
    cacheDir: join(sharedCacheDir(env.value), 'avatar-segments'),
    // No page: pre-generation sends nothing but progress, and that is printed here.
    emit: () => undefined,
    serverUrlOverride: env.value.SYNCTALK_SERVER_URL,
  });
  const pipeline = createSlidePipeline({ voices, avatar: syncTalk, logger });
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);

  process.stdout.write(
    `Preparing "${lesson.title}" (${lesson.slides.length} slides, voice ${lesson.voice.provider}, ` +
      `avatar ${lesson.avatar.provider}) from ${dir}\n`,
  );
  try {
    if (lesson.avatar.provider === 'synctalk') {
      const avatar = lesson.avatar;
      const ready = await syncTalk.load(
        { avatar, requestId: 'prepare' },
        { transport: 'websocket', clientId: 'cli' },
      );
      // Not fatal: each slide then reports why its avatar could not be made.
      process.stdout.write(
        ready.ok
          ? `Avatar ${avatar.avatarName} ready (${Math.round(ready.value.elapsedMs)} ms)\n`
          : `Avatar ${avatar.avatarName} not ready: ${ready.error.message}\n`,
      );
    }
    let shown: PrepareProgressInfo | null = null;
    const display = createProgressDisplay();
    const final = await pipeline.prepareLesson(lesson, dir, {
      signal: controller.signal,
      verifyCachedAvatar: parsed.data.verify,
      onProgress(progress) {
        const notable = isNotablePrepareProgress(shown, progress);
        if (notable) shown = progress;
        display.update(
          {
            fraction: progress.fraction,
            label: prepareProgressLine(progress).replace(/^\[\s*\d+%\] /, ''),
            etaMs: progress.etaMs,
          },
          notable ? prepareProgressLine(progress) : null,
        );
      },
    });
    display.stop();
    const summary = prepareSummary(final);
    process.stdout.write(`${summary.line}\n`);
    for (const line of summary.problems) process.stderr.write(`rapido: ${line}\n`);
    return final.state === 'done' && final.failures.length === 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await pipeline.close();
    await syncTalk.close();
    voices.close();
  }
}
