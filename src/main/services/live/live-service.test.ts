import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenVerifier } from 'livekit-server-sdk';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { liveSettingsSchema } from '../../../shared/live/live-settings.ts';
import { createMemoryLogger } from '../logging/logger.ts';
import { createLiveService, type LiveEnvironment } from './live-service.ts';
import { inspectPublisherToken, mintPublisherToken } from './live-token.ts';

const apiKey = 'APIrapidoTest';
const apiSecret = 'a-long-enough-secret-for-hs256-signing-0123456789';
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rapido-live-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function service(environment: LiveEnvironment = {}) {
  return createLiveService({
    dataDir: dir,
    secretsDir: join(dir, 'secrets'),
    cipher: null,
    environment,
    logger: createMemoryLogger(),
  });
}

describe('publisher tokens', () => {
  test('are signed for one room, publish and data only, and expire within 15 minutes', async () => {
    const token = await mintPublisherToken({
      apiKey,
      apiSecret,
      room: 'plants',
      identity: 'rapido-presenter',
      displayName: 'Ms Rivera',
    });
    const claims = await new TokenVerifier(apiKey, apiSecret).verify(token);
    expect(claims.sub).toBe('rapido-presenter');
    expect(claims.name).toBe('Ms Rivera');
    expect(claims.video).toMatchObject({
      roomJoin: true,
      room: 'plants',
      canPublish: true,
      canPublishData: true,
      canSubscribe: false,
    });
    expect(claims.video?.roomAdmin).toBeFalsy();
    const lifetimeSec = (claims.exp ?? 0) - Math.floor(Date.now() / 1000);
    expect(lifetimeSec).toBeGreaterThan(14 * 60);
    expect(lifetimeSec).toBeLessThanOrEqual(15 * 60);
  });

  test('a pasted token that expired, cannot join or cannot publish is refused with the reason', async () => {
    const expired = await mintPublisherToken({
      apiKey,
      apiSecret,
      room: 'r',
      identity: 'i',
      displayName: 'n',
      ttlSeconds: 1,
    });
    const later = inspectPublisherToken(expired, Date.now() + 5_000);
    expect(!later.ok && later.error.message).toMatch(/expired at/);
    const fields = (video: object) =>
      ['e30', Buffer.from(JSON.stringify({ exp: 9e9, video })).toString('base64url'), 'sig'].join(
        '.',
      );
    const noJoin = inspectPublisherToken(fields({ canPublish: true }));
    expect(!noJoin.ok && noJoin.error.message).toMatch(/roomJoin/);
    const noPublish = inspectPublisherToken(fields({ roomJoin: true, canPublish: false }));
    expect(!noPublish.ok && noPublish.error.message).toMatch(/canPublish is false/);
    expect(inspectPublisherToken('not-a-token').ok).toBe(false);
  });
});

describe('createLiveService', () => {
  test('says what is missing before a connection is tried', async () => {
    const live = service();
    const noUrl = await live.connectInfo({ lessonId: 'plants' });
    expect(!noUrl.ok && noUrl.error.message).toBe('No LiveKit server is set.');
    await live.saveConfig({ settings: liveSettingsSchema.parse({ url: 'ws://127.0.0.1:7880' }) });
    const noCredentials = await live.connectInfo({ lessonId: 'plants' });
    expect(!noCredentials.ok && noCredentials.error.hint).toMatch(/LIVEKIT_API_KEY/);
    await live.saveConfig({ credentials: { kind: 'api-key', apiKey, apiSecret } });
    const badRoom = await live.connectInfo({ lessonId: 'plants', room: 'no spaces allowed' });
    expect(badRoom.ok).toBe(false);
  });

  test('mints for the lesson id by default, never shows the secret, and keeps settings on disk', async () => {
    const live = service();
    await live.saveConfig({
      settings: liveSettingsSchema.parse({ url: 'wss://live.example.org', identity: 'teacher-1' }),
      credentials: { kind: 'api-key', apiKey, apiSecret },
    });
    const info = await live.connectInfo({ lessonId: 'photosynthesis' });
    if (!info.ok) throw new Error(info.error.message);
    expect(info.value).toMatchObject({
      url: 'wss://live.example.org',
      room: 'photosynthesis',
      identity: 'teacher-1',
    });
    const claims = await new TokenVerifier(apiKey, apiSecret).verify(info.value.token);
    expect(claims.video?.room).toBe('photosynthesis');
    const config = await live.config();
    expect(JSON.stringify(config)).not.toContain(apiSecret);
    expect(config.credentials).toMatchObject({ kind: 'api-key', apiKey, source: 'session' });
    expect(live.secrets()).toEqual([apiSecret]);
    expect(await readFile(join(dir, 'live-settings.json'), 'utf8')).toContain('teacher-1');
  });

  test('the environment gives URL and credentials; a pasted token for another room is refused', async () => {
    const live = service({ url: 'ws://127.0.0.1:7880', apiKey, apiSecret });
    const config = await live.config();
    expect(config).toMatchObject({ url: 'ws://127.0.0.1:7880', urlFromEnvironment: true });
    expect(config.credentials.source).toBe('environment');
    const other = await mintPublisherToken({
      apiKey,
      apiSecret,
      room: 'other',
      identity: 'x',
      displayName: 'x',
    });
    const saved = await live.saveConfig({ credentials: { kind: 'token', token: other } });
    expect(saved.ok).toBe(true);
    const info = await live.connectInfo({ lessonId: 'plants' });
    expect(!info.ok && info.error.message).toMatch(/for room "other", not "plants"/);
  });
});
