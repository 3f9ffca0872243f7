import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import {
  liveRoomNamePattern,
  liveSettingsSchema,
  type LiveSettings,
} from '../../../shared/live/live-settings.ts';
import { err, errorMessage, ok, type Result } from '../../../shared/result.ts';
import type { Logger } from '../logging/logger.ts';
import {
  createSecretStore,
  type SecretCipher,
  type SecretStatus,
} from '../secrets/secret-store.ts';
import { writeFileAtomic } from '../platform/atomic-write.ts';
import { inspectPublisherToken, mintPublisherToken, tokenLifetimeSeconds } from './live-token.ts';

/**
 * Going live, main's half: the LiveKit settings (plain JSON in the data folder), the credentials
 * (a sealed secret: an API key and secret, or a pasted token) and the token handed to the
 * renderer for one connection. The API secret never leaves main.
 */
export const liveCredentialsSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('api-key'),
    apiKey: z.string().trim().min(3).max(200),
    apiSecret: z.string().trim().min(8).max(500),
  }),
  z.object({ kind: z.literal('token'), token: z.string().trim().min(20).max(10_000) }),
]);
export type LiveCredentials = z.infer<typeof liveCredentialsSchema>;

export interface LiveEnvironment {
  url?: string | undefined;
  apiKey?: string | undefined;
  apiSecret?: string | undefined;
}

export interface LiveConfigInfo {
  settings: LiveSettings;
  /** The URL in force: LIVEKIT_URL when set, else the saved one. */
  url: string | null;
  urlFromEnvironment: boolean;
  credentials: SecretStatus & { kind: LiveCredentials['kind'] | null; apiKey: string | null };
}

export interface ConnectInfo {
  url: string;
  token: string;
  room: string;
  identity: string;
  displayName: string;
  expiresAtMs: number | null;
}

export interface LiveService {
  config(): Promise<LiveConfigInfo>;
  saveConfig(change: {
    settings?: LiveSettings | undefined;
    credentials?: LiveCredentials | null | undefined;
  }): Promise<Result<LiveConfigInfo>>;
  /** A token for one connection to `room` (or the settings' room, or the lesson id). */
  connectInfo(request: {
    lessonId: string;
    room?: string | undefined;
  }): Promise<Result<ConnectInfo>>;
  /** Values the logs must never contain. */
  secrets(): string[];
}

export function createLiveService(options: {
  dataDir: string;
  secretsDir: string;
  cipher: SecretCipher | null;
  environment: LiveEnvironment;
  logger: Logger;
}): LiveService {
  const { environment, logger } = options;
  const settingsPath = join(options.dataDir, 'live-settings.json');
  const environmentCredentials: LiveCredentials | null =
    environment.apiKey && environment.apiSecret
      ? { kind: 'api-key', apiKey: environment.apiKey, apiSecret: environment.apiSecret }
      : null;
  const credentials = createSecretStore<LiveCredentials>({
    label: 'LiveKit credentials',
    eventName: 'livekit_credentials',
    environmentValue: environmentCredentials,
    cipher: options.cipher,
    filePath: join(options.secretsDir, 'livekit-credentials.bin'),
    schema: liveCredentialsSchema,
    logger,
  });

  async function readSettings(): Promise<LiveSettings> {
    try {
      const parsed = liveSettingsSchema.safeParse(JSON.parse(await readFile(settingsPath, 'utf8')));
      if (parsed.success) return parsed.data;
      logger.warn(`${settingsPath} is not valid LiveKit settings; defaults are used`);
    } catch {
      // Absent on first use: the defaults.
    }
    return liveSettingsSchema.parse({});
  }

  async function config(): Promise<LiveConfigInfo> {
    await credentials.ready;
    const settings = await readSettings();
    const held = credentials.current();
    return {
      settings,
      url: environment.url ?? settings.url,
      urlFromEnvironment: environment.url !== undefined,
      credentials: {
        ...credentials.status(),
        kind: held?.kind ?? null,
        // The key id is not secret (it names the key); the secret and tokens never leave main.
        apiKey: held?.kind === 'api-key' ? held.apiKey : null,
      },
    };
  }

  return {
    config,
    async saveConfig(change) {
      if (change.settings) {
        try {
          await mkdir(dirname(settingsPath), { recursive: true });
          await writeFileAtomic(
            settingsPath,
            Buffer.from(`${JSON.stringify(change.settings, null, 2)}\n`),
          );
        } catch (error) {
          return err('io-failed', `Could not save the LiveKit settings to ${settingsPath}.`, {
            details: [errorMessage(error)],
          });
        }
      }
      if (change.credentials === null) {
        const cleared = await credentials.clear();
        if (!cleared.ok) return cleared;
      } else if (change.credentials) {
        if (change.credentials.kind === 'token') {
          const checked = inspectPublisherToken(change.credentials.token);
          if (!checked.ok) return checked;
        }
        const saved = await credentials.save(change.credentials);
        if (!saved.ok) return saved;
      }
      return ok(await config());
    },
    async connectInfo({ lessonId, room }) {
      const current = await config();
      const url = current.url;
      if (!url) {
        return err('invalid-request', 'No LiveKit server is set.', {
          hint: 'Enter the server URL in the Live panel (or set LIVEKIT_URL), e.g. wss://example.livekit.cloud.',
        });
      }
      const roomName = room ?? current.settings.room ?? lessonId;
      if (!liveRoomNamePattern.test(roomName)) {
        return err('invalid-request', `"${roomName}" cannot name a LiveKit room.`, {
          hint: 'Use letters, digits, ".", "_" and "-" only.',
        });
      }
      const held = credentials.current();
      if (!held) {
        return err('invalid-request', 'No LiveKit credentials are set.', {
          hint: 'Enter an API key and secret (or paste a token) in the Live panel, or set LIVEKIT_API_KEY and LIVEKIT_API_SECRET.',
        });
      }
      const { identity, displayName } = current.settings;
      if (held.kind === 'token') {
        const facts = inspectPublisherToken(held.token);
        if (!facts.ok) return facts;
        if (facts.value.room !== null && facts.value.room !== roomName) {
          return err(
            'invalid-request',
            `The pasted LiveKit token is for room "${facts.value.room}", not "${roomName}".`,
            {
              hint: `Set the room to "${facts.value.room}" in the Live panel, or mint a token for "${roomName}".`,
            },
          );
        }
        return ok({
          url,
          token: held.token,
          room: roomName,
          identity: facts.value.identity ?? identity,
          displayName,
          expiresAtMs: facts.value.expiresAtMs,
        });
      }
      const token = await mintPublisherToken({
        apiKey: held.apiKey,
        apiSecret: held.apiSecret,
        room: roomName,
        identity,
        displayName,
      });
      logger.info(`LiveKit token minted for room ${roomName}`, {
        lesson_id: lessonId,
        event_type: 'live_token',
      });
      return ok({
        url,
        token,
        room: roomName,
        identity,
        displayName,
        expiresAtMs: Date.now() + tokenLifetimeSeconds * 1000,
      });
    },
    secrets() {
      const held = credentials.current();
      if (!held) return [];
      return held.kind === 'api-key' ? [held.apiSecret] : [held.token];
    },
  };
}
