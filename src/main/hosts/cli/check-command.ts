import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Lesson } from '../../../shared/lesson/lesson-schema.ts';
import { formatError } from '../../../shared/result.ts';
import { loadLesson } from '../../services/lesson/lesson-store.ts';
import { readEnvironment } from '../../services/platform/config/environment.ts';
import { resolveElevenLabsVoice } from '../../services/speech/narration-service.ts';
import type { VoiceServices } from '../../services/speech/voice-services.ts';
import { argumentsOrExit, fail, usage } from './cli-support.ts';
import { probeElevenLabs, probeSyncTalk, type ServiceStatus } from './status-probes.ts';
import { cliServices, statusLines } from './status-command.ts';

/**
 * `rapido check <lessonDir>`: is this lesson ready to present or render? The lesson file (each
 * problem with its field and line), its slide images, and whether its voice and avatar settings
 * can be used now (the services asked for real). Exit codes: 0 ready, 1 the lesson is valid but
 * its voice or avatar cannot be used now, 2 the lesson itself is bad (or the arguments).
 */
async function voiceStatus(lesson: Lesson, voices: VoiceServices): Promise<ServiceStatus> {
  const voice = lesson.voice;
  if (voice.provider === 'offline') {
    return {
      name: 'voice',
      state: 'ok',
      detail: `offline voice ${voice.voice} (always available)`,
    };
  }
  const env = readEnvironment();
  const resolved = resolveElevenLabsVoice(voice, {
    voiceId: env.ok ? env.value.ELEVENLABS_VOICE_ID : undefined,
    modelId: env.ok ? env.value.ELEVENLABS_MODEL_ID : undefined,
  });
  if (!resolved.ok) {
    return {
      name: 'voice',
      state: 'problem',
      detail: resolved.error.message,
      ...(resolved.error.hint ? { hint: resolved.error.hint } : {}),
    };
  }
  const service = await probeElevenLabs(voices);
  if (service.state === 'ok') {
    return {
      name: 'voice',
      state: 'ok',
      detail: `ElevenLabs voice ${resolved.value.voiceId} (${resolved.value.modelId}); ${service.detail}`,
    };
  }
  // No key is not fatal (the offline voice speaks instead), but the lesson will not sound as set.
  return {
    name: 'voice',
    state: 'problem',
    detail: `ElevenLabs voice ${resolved.value.voiceId}: ${service.detail}`,
    ...(service.hint ? { hint: service.hint } : {}),
  };
}

export async function check(argv: string[]): Promise<number> {
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
  if (positionals.length !== 1) fail(2, `check needs one <lessonDir>\n${usage}`);
  const env = readEnvironment();
  if (!env.ok) fail(2, env.message);
  const loaded = await loadLesson(resolve(positionals[0] ?? ''));
  if (!loaded.ok) fail(2, formatError(loaded.error));
  const { lesson, dir } = loaded.value;
  process.stdout.write(
    `${dir}: valid lesson "${lesson.title}" (${lesson.slides.length} slides, ${lesson.output.width}x${lesson.output.height} @ ${lesson.output.fps} fps); slide images present\n`,
  );
  const keyless = await mkdtemp(join(tmpdir(), 'rapido-check-'));
  const services = cliServices(env.value, keyless);
  try {
    const avatar: ServiceStatus =
      lesson.avatar.provider === 'synctalk'
        ? {
            ...(await probeSyncTalk(
              services.syncTalk,
              lesson.avatar,
              env.value.SYNCTALK_SERVER_URL,
            )),
            name: 'avatar (SyncTalk)',
          }
        : { name: 'avatar', state: 'ok', detail: 'local presenter video (no server needed)' };
    const statuses = [await voiceStatus(lesson, services.voices), avatar];
    process.stdout.write(`${statusLines(statuses).join('\n')}\n`);
    return statuses.some((s) => s.state === 'problem') ? 1 : 0;
  } finally {
    await services.syncTalk.close();
    services.voices.close();
    services.cacheOnlyVoices.close();
    await rm(keyless, { recursive: true, force: true });
  }
}
