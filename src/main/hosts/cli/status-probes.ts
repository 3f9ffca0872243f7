import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import type { SyncTalkAvatarSettings } from '../../../shared/lesson/lesson-schema.ts';
import { syncTalkAvatarSchema } from '../../../shared/lesson/lesson-schema.ts';
import { errorMessage } from '../../../shared/result.ts';
import type { SyncTalkAvatarService } from '../../services/avatar/synctalk-avatar-service.ts';
import { findLibreOffice } from '../../services/lesson/pptx-convert.ts';
import type { LiveService } from '../../services/live/live-service.ts';
import { createOfflineSpeechProvider } from '../../services/speech/offline-voice.ts';
import type { VoiceServices } from '../../services/speech/voice-services.ts';
import type { Logger } from '../../services/logging/logger.ts';

/**
 * The probes behind `rapido status`: each configured service asked for real, within a bounded
 * time, through the clients the app itself uses (the ElevenLabs API, the SyncTalk check, the
 * LiveKit settings, the LibreOffice finder, the offline voice). Each answers one line: what it
 * is, whether it can be used, and when not, why and what to check.
 */
export interface ServiceStatus {
  name: string;
  /** ok: usable; off: not configured (optional); problem: configured or needed, not usable. */
  state: 'ok' | 'off' | 'problem';
  detail: string;
  hint?: string;
}

/** Time any one network probe may take. */
export const probeTimeoutMs = 5000;

export async function probeElevenLabs(
  voices: VoiceServices,
  timeoutMs = probeTimeoutMs,
): Promise<ServiceStatus> {
  const status = voices.status();
  const name = 'ElevenLabs';
  if (!status.key.present) {
    return {
      name,
      state: 'off',
      detail: `no API key (the offline voice speaks instead); ${status.baseUrl}`,
      hint: 'Set ELEVENLABS_API_KEY (or tts.api_key in --config) to use ElevenLabs voices.',
    };
  }
  const quota = await voices.elevenLabsApi.subscription(AbortSignal.timeout(timeoutMs));
  const source = status.key.source === 'environment' ? 'ELEVENLABS_API_KEY' : 'saved key';
  if (!quota.ok) {
    return {
      name,
      state: 'problem',
      detail: `${status.baseUrl} with the ${source} (${status.key.hint ?? 'key'}): ${quota.error.message}`,
      hint:
        quota.error.hint ??
        `Check the key, and that ${status.baseUrl} is reachable from this machine.`,
    };
  }
  return {
    name,
    state: 'ok',
    detail: `${status.baseUrl}: the ${source} (${status.key.hint ?? 'key'}) is valid, ${quota.value.tier} tier, ${quota.value.charactersLeft} characters left`,
  };
}

/** The SyncTalk servers to ask: SYNCTALK_SERVER_URL (which overrides every lesson's), or the lesson's. */
export async function probeSyncTalk(
  syncTalk: SyncTalkAvatarService,
  avatar: SyncTalkAvatarSettings | null,
  environmentUrl: string | undefined,
): Promise<ServiceStatus> {
  const name = 'SyncTalk';
  if (avatar === null && environmentUrl === undefined) {
    return {
      name,
      state: 'off',
      detail: 'no server configured (SYNCTALK_SERVER_URL unset; each lesson names its own)',
      hint: 'Set SYNCTALK_SERVER_URL (or synctalk.server_url in --config), or give a lesson: rapido status <lessonDir>.',
    };
  }
  // Without a lesson the avatar is unknown: the check still says whether the server answers.
  const asked =
    avatar ??
    syncTalkAvatarSchema.parse({
      provider: 'synctalk',
      serverUrl: environmentUrl,
      avatarName: '(none)',
    });
  const checked = await syncTalk.check({ avatar: asked });
  if (!checked.ok) {
    return { name, state: 'problem', detail: checked.error.message, hint: checked.error.hint };
  }
  const info = checked.value;
  const from = info.urlFromEnvironment ? 'SYNCTALK_SERVER_URL' : "the lesson's serverUrl";
  if (!info.reachable) {
    return {
      name,
      state: 'problem',
      detail: `${info.serverUrl} (${from}) is not reachable: ${info.problem?.message ?? 'no answer'}`,
      hint:
        info.problem?.hint ??
        `Check that the SyncTalk server runs and that ${info.serverUrl} is reachable from here.`,
    };
  }
  const capacity = info.capacity
    ? `, ${info.capacity.currentStreams}/${info.capacity.maximumStreams} streams`
    : '';
  const models = `avatars offered: ${info.models.join(', ') || 'none'}`;
  if (avatar === null) {
    return {
      name,
      state: 'ok',
      detail: `${info.serverUrl} (${from}) answers; ${models}${capacity}`,
    };
  }
  const usable = info.readiness === 'loaded' || info.readiness === 'not-loaded';
  return {
    name,
    state: usable ? 'ok' : 'problem',
    detail: `${info.serverUrl} (${from}) answers; avatar ${avatar.avatarName}: ${info.readiness} (${info.note}); ${models}${capacity}`,
    ...(usable
      ? {}
      : { hint: `Use an avatar the server offers, or load ${avatar.avatarName} there.` }),
  };
}

/** LiveKit answers plain HTTP on its signalling port ("OK" at /); ws(s) is the same host. */
function httpUrlOf(url: string): string {
  return url.replace(/^ws(s?):/i, 'http$1:');
}

export async function probeLiveKit(
  live: LiveService,
  timeoutMs = probeTimeoutMs,
): Promise<ServiceStatus> {
  const name = 'LiveKit';
  const config = await live.config();
  if (config.url === null) {
    return {
      name,
      state: 'off',
      detail: 'no server configured (render --live and Go live need one)',
      hint: 'Set LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET (or livekit.* in --config).',
    };
  }
  const from = config.urlFromEnvironment ? 'LIVEKIT_URL' : 'saved settings';
  let answered: string;
  try {
    const response = await fetch(httpUrlOf(config.url), { signal: AbortSignal.timeout(timeoutMs) });
    answered = `answers (HTTP ${response.status})`;
    await response.body?.cancel();
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
    return {
      name,
      state: 'problem',
      detail: `${config.url} (${from}) is not reachable: ${errorMessage(error)}${cause ? ` (${cause})` : ''}`,
      hint: `Check that the LiveKit server runs and that ${httpUrlOf(config.url)} is reachable from here (within ${timeoutMs / 1000} s).`,
    };
  }
  // Minting a token proves the credentials are there and well formed (the server judges them).
  const token = await live.connectInfo({ lessonId: 'rapido-status' });
  if (!token.ok) {
    return {
      name,
      state: 'problem',
      detail: `${config.url} (${from}) ${answered}, but no token can be made: ${token.error.message}`,
      hint: token.error.hint ?? 'Set LIVEKIT_API_KEY and LIVEKIT_API_SECRET.',
    };
  }
  return {
    name,
    state: 'ok',
    detail: `${config.url} (${from}) ${answered}; credentials (${config.credentials.kind ?? 'none'}) make tokens`,
  };
}

/** `program --version`'s first line, within a time limit; null when it cannot say. */
export function programVersion(program: string, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(program, ['--version'], {
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: timeoutMs,
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', () => resolve(null));
    child.on('close', (code) => {
      const line = out.split(/\r?\n/).find((text) => text.trim().length > 0);
      resolve(code === 0 && line !== undefined ? line.trim() : null);
    });
  });
}

export async function probeChromium(
  path: string,
  fromEnvironment: boolean,
): Promise<ServiceStatus> {
  const name = 'Chromium';
  const from = fromEnvironment ? 'CHROMIUM_PATH' : 'the default';
  try {
    await access(path, constants.X_OK);
  } catch {
    return {
      name,
      state: 'problem',
      detail: `no program at ${path} (${from}); render and import need it`,
      hint: 'Install Chromium (Debian/Ubuntu: sudo apt install chromium) or set CHROMIUM_PATH.',
    };
  }
  const version = await programVersion(path, 15_000);
  return version === null
    ? {
        name,
        state: 'problem',
        detail: `${path} (${from}) did not say its version`,
        hint: 'Run it with --version by hand to see why.',
      }
    : { name, state: 'ok', detail: `${version} at ${path}` };
}

export async function probeLibreOffice(): Promise<ServiceStatus> {
  const name = 'LibreOffice';
  const found = await findLibreOffice();
  if (!found.found) {
    return {
      name,
      state: 'problem',
      detail: found.reason ?? 'not found (PowerPoint import needs it)',
      hint: 'Install LibreOffice (Debian/Ubuntu: sudo apt install libreoffice-impress) or set LIBREOFFICE_PATH.',
    };
  }
  const version = await programVersion(found.path, 30_000);
  return version === null
    ? {
        name,
        state: 'problem',
        detail: `${found.path} did not say its version`,
        hint: 'Run it with --version by hand to see why.',
      }
    : { name, state: 'ok', detail: `${version} at ${found.path}` };
}

/** The offline voice: one short sentence spoken for real. */
export async function probeEspeak(logger: Logger, timeoutMs = 30_000): Promise<ServiceStatus> {
  const name = 'espeak-ng (offline voice)';
  const provider = createOfflineSpeechProvider(logger);
  const spoken = await provider.synthesize(
    'Rapido status.',
    { provider: 'offline', voice: 'en-us', rateWpm: 165, pitch: 50 },
    AbortSignal.timeout(timeoutMs),
  );
  if (!spoken.ok) {
    return {
      name,
      state: 'problem',
      detail: spoken.error.message,
      hint: spoken.error.hint ?? 'Reinstall the dependencies (npm ci).',
    };
  }
  const ms = Math.round((spoken.value.pcm.length / spoken.value.sampleRateHz) * 1000);
  return { name, state: 'ok', detail: `${provider.id} speaks (${ms} ms of test speech)` };
}
