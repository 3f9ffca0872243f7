import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { syncTalkAvatarSchema } from '../../../../shared/lesson/lesson-schema.ts';
import type { SyncTalkAvatarSettings } from '../../../../shared/lesson/lesson-schema.ts';
import { createMemoryLogger } from '../../logging/logger.ts';
import { createSyncTalkSession } from '../synctalk-client/synctalk-session.ts';
import type { SyncTalkSession } from '../synctalk-client/synctalk-session.ts';
import {
  idealServer,
  startReferenceServer,
} from '../../../../../testing/synctalk-reference/reference-server.ts';
import type { ReferenceServer } from '../../../../../testing/synctalk-reference/reference-server.ts';
import { createAvatarSegmentCache } from './avatar-segment-cache.ts';
import { createAvatarSegmentService } from './avatar-segment-service.ts';
import type { AvatarSegmentService } from './avatar-segment-service.ts';

/** Small frames keep the suite fast; non-square proves the size comes from the settings. */
const alin = { name: 'alin_cc', width: 48, height: 32, keyColor: '#089831' };
const fastBackoff = { initialDelayMs: 20, maxDelayMs: 80, maxAttempts: 2 };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  wrapSession: (session: SyncTalkSession) => SyncTalkSession = (session) => session,
): Promise<{
  server: ReferenceServer;
  service: AvatarSegmentService;
  cacheDir: string;
  avatar: SyncTalkAvatarSettings;
  logger: ReturnType<typeof createMemoryLogger>;
  sessionsCreated: () => number;
}> {
  // The ideal server: these tests count the utterances the server was sent, and the real
  // server's marker crash (quirk 1) makes the client send a killed one again (a replay).
  const server = await startReferenceServer({
    port: 0,
    avatars: [alin],
    preloaded: ['alin_cc'],
    faults: { ...idealServer },
  });
  cleanups.push(() => server.close());
  const cacheDir = await mkdtemp(join(tmpdir(), 'rapido-avseg-'));
  cleanups.push(() => rm(cacheDir, { recursive: true, force: true }));
  const logger = createMemoryLogger();
  let created = 0;
  const service = createAvatarSegmentService({
    logger,
    cacheDir,
    sessionOptions: { backoff: fastBackoff },
    sessionFactory: (sessionOptions) => {
      created += 1;
      return wrapSession(createSyncTalkSession(sessionOptions));
    },
  });
  cleanups.push(() => service.close());
  const avatar = syncTalkAvatarSchema.parse({
    provider: 'synctalk',
    serverUrl: server.url,
    avatarName: alin.name,
    frameSize: { width: alin.width, height: alin.height },
  });
  return { server, service, cacheDir, avatar, logger, sessionsCreated: () => created };
}

/** A deterministic, never-silent signal; the seed changes every sample. */
function speech(durationMs: number, seed = 1): Int16Array {
  const length = Math.round((durationMs * 16_000) / 1000);
  return Int16Array.from(
    { length },
    (_, n) => Math.round(8000 * Math.sin((n * (seed + 3)) / 17)) + ((n * 7919 * seed) % 997) - 498,
  );
}

function collector() {
  const frames: { index: number; digest: string }[] = [];
  return {
    frames,
    onFrame(index: number, rgb: Uint8Array) {
      frames.push({ index, digest: createHash('sha256').update(rgb).digest('hex') });
    },
  };
}

async function segmentFiles(cacheDir: string): Promise<string[]> {
  return (await readdir(cacheDir).catch(() => [])).filter((name) => name.endsWith('.avseg'));
}

const request = (avatar: SyncTalkAvatarSettings, pcm: Int16Array, slideId = 's1') => ({
  lessonId: 'lesson-1',
  slideId,
  avatar,
  pcm,
});

describe('avatar segment service', () => {
  test('a second generate of the same audio comes from the cache, frame for frame', async () => {
    const { server, service, cacheDir, avatar } = await setup();
    const first = collector();
    const generated = await service.generate(request(avatar, speech(400)), first);
    expect(generated).toEqual({
      ok: true,
      value: { frameCount: 10, cached: false, source: 'server' },
    });
    expect(first.frames.map((frame) => frame.index)).toEqual([...Array(10).keys()]);
    expect(await segmentFiles(cacheDir)).toHaveLength(1);
    const utterances = server.stats().utterances;

    const second = collector();
    const replayed = await service.generate(request(avatar, speech(400), 's2'), second);
    expect(replayed).toEqual({
      ok: true,
      value: { frameCount: 10, cached: true, source: 'cache' },
    });
    expect(server.stats().utterances).toBe(utterances);
    expect(second.frames).toEqual(first.frames);
  });

  test('pre-generation waits for the same segment already being made instead of asking again', async () => {
    const { server, service, cacheDir, avatar } = await setup();
    // A pre-rolled (or playing) slide's segment is under way when "Prepare whole lesson" reaches it.
    const playing = service.generate(request(avatar, speech(400)), collector());
    const prepared = await service.prepare(request(avatar, speech(400)), {});
    expect(prepared).toEqual({
      ok: true,
      value: { frameCount: 10, cached: false, source: 'server' },
    });
    expect((await playing).ok).toBe(true);
    expect(server.stats().utterances).toBe(1);
    expect(await segmentFiles(cacheDir)).toHaveLength(1);
  });

  test('different audio goes to the server, through the same session', async () => {
    const { server, service, avatar, sessionsCreated } = await setup();
    await service.generate(request(avatar, speech(200, 1)), collector());
    const before = server.stats().utterances;
    const other = collector();
    const result = await service.generate(request(avatar, speech(200, 2)), other);
    expect(result.ok && result.value.source).toBe('server');
    expect(server.stats().utterances).toBe(before + 1);
    expect(other.frames).toHaveLength(5);
    expect(sessionsCreated()).toBe(1);
  });

  test('a damaged cache file is regenerated, with a warning', async () => {
    const { server, service, cacheDir, avatar, logger } = await setup();
    const first = collector();
    await service.generate(request(avatar, speech(400)), first);
    const [name] = await segmentFiles(cacheDir);
    if (name === undefined) throw new Error('no cache entry written');
    const path = join(cacheDir, name);
    const bytes = await readFile(path);
    bytes[20] = (bytes[20] ?? 0) ^ 0xff; // inside frame 0's compressed bytes
    await writeFile(path, bytes);
    const before = server.stats().utterances;

    const second = collector();
    const result = await service.generate(request(avatar, speech(400)), second);
    expect(result.ok && result.value.source).toBe('server');
    expect(server.stats().utterances).toBe(before + 1);
    expect(second.frames).toEqual(first.frames);
    expect(
      logger.lines.some((line) => line.record.event_type === 'avatar_segment_cache_damaged'),
    ).toBe(true);
    // Rewritten: the third time is a clean hit.
    const third = await service.generate(request(avatar, speech(400)), collector());
    expect(third.ok && third.value.source).toBe('cache');
  });

  test('a frame damaged part-way through resumes from the server without repeating frames', async () => {
    const { service, cacheDir, avatar } = await setup();
    const first = collector();
    await service.generate(request(avatar, speech(400)), first);
    const [name] = await segmentFiles(cacheDir);
    if (name === undefined) throw new Error('no cache entry written');
    const path = join(cacheDir, name);
    const reader = await createAvatarSegmentCache({
      directory: cacheDir,
      logger: createMemoryLogger(),
    }).open(name.replace('.avseg', ''));
    expect(reader?.frameCount).toBe(10);
    await reader?.close();
    // Damage the last frame's bytes (just before the index): frames 0..8 stay good.
    const bytes = await readFile(path);
    const indexOffset = Number(bytes.readBigUInt64LE(bytes.length - 48));
    bytes[indexOffset - 3] = (bytes[indexOffset - 3] ?? 0) ^ 0xff;
    await writeFile(path, bytes);

    const second = collector();
    const result = await service.generate(request(avatar, speech(400)), second);
    expect(result.ok && result.value.source).toBe('server');
    expect(second.frames).toEqual(first.frames);
  });

  test('server down: not-available naming the URL, nothing cached', async () => {
    const { server, service, cacheDir, avatar } = await setup();
    await server.close();
    const result = await service.generate(request(avatar, speech(200)), collector());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('not-available');
    expect(result.error.message).toContain(server.url);
    expect(await segmentFiles(cacheDir)).toHaveLength(0);
  });

  test('cached segments still play while the server is down', async () => {
    const { server, service, avatar } = await setup();
    const first = collector();
    await service.generate(request(avatar, speech(200)), first);
    await server.close();
    const second = collector();
    const result = await service.generate(request(avatar, speech(200)), second);
    expect(result.ok && result.value.source).toBe('cache');
    expect(second.frames).toEqual(first.frames);
  });

  test('a segment cut short by a dropped connection is not cached', async () => {
    const { server, service, cacheDir, avatar } = await setup();
    server.setFaults({ dropAfterFrames: 4 });
    const partial = collector();
    const result = await service.generate(request(avatar, speech(400)), partial);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('not-available');
    expect(partial.frames.length).toBeLessThan(10);
    expect(await segmentFiles(cacheDir)).toHaveLength(0);
    expect((await readdir(cacheDir)).filter((file) => file.includes('.tmp-'))).toEqual([]);

    server.setFaults({ dropAfterFrames: null });
    const retried = await service.generate(request(avatar, speech(400)), collector());
    expect(retried.ok && retried.value.source).toBe('server');
    expect(await segmentFiles(cacheDir)).toHaveLength(1);
  });

  test('a segment with a held frame (one place without its own frame) plays but is not cached', async () => {
    // Every frame index is there, but one repeats its neighbour: not the server's frame for that
    // 40 ms of audio (issue 15: cached only when complete).
    const { service, cacheDir, avatar, logger } = await setup((session) => ({
      ...session,
      get state() {
        return session.state;
      },
      get lastError() {
        return session.lastError;
      },
      async speak(utterance, handlers, options) {
        const spoken = await session.speak(utterance, handlers, options);
        if (!spoken.ok) return spoken;
        const placement = { ...spoken.value.placement, held: 1 };
        return { ok: true, value: { ...spoken.value, complete: false, placement } };
      },
    }));
    const frames = collector();
    const result = await service.generate(request(avatar, speech(400)), frames);
    expect(result.ok && result.value).toEqual({
      frameCount: 10,
      cached: false,
      source: 'server',
      unplacedFrames: 1,
    });
    expect(frames.frames.map((frame) => frame.index)).toEqual([...Array(10).keys()]);
    expect(await segmentFiles(cacheDir)).toHaveLength(0);
    expect(
      logger.lines.some((line) => String(line.record.message).includes('(1 held); not cached')),
    ).toBe(true);
  });

  test('an aborted signal cancels', async () => {
    const { service, avatar } = await setup();
    const controller = new AbortController();
    controller.abort();
    const result = await service.generate(request(avatar, speech(200)), {
      ...collector(),
      signal: controller.signal,
    });
    expect(result.ok ? null : result.error.code).toBe('cancelled');
  });
});
