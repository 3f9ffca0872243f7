import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type {
  EventChannel,
  EventPayload,
  PrepareProgressInfo,
} from '../../../shared/ipc/contract.ts';
import { lessonSchema, type Lesson } from '../../../shared/lesson/lesson-schema.ts';
import { slideSpeechRequest } from '../../../shared/speech/slide-speech-request.ts';
import { createSyncTalkAvatarService } from '../avatar/synctalk-avatar-service.ts';
import { startReferenceServer } from '../../../../testing/synctalk-reference/reference-server.ts';
import type { ReferenceServer } from '../../../../testing/synctalk-reference/reference-server.ts';
import { createMemoryLogger } from '../logging/logger.ts';
import { createVoiceServices } from '../speech/voice-services.ts';
import { createSlidePipeline, type SlidePipeline } from './slide-pipeline.ts';

/**
 * The slide pipeline end to end in main: the offline voice and the real SyncTalk reference
 * server (real time, about 23.5 fps), with the caches on disk.
 */
const alin = { name: 'alin_cc', width: 48, height: 32, keyColor: '#089831' };

interface Sent {
  clientId: string;
  channel: EventChannel;
  payload: EventPayload<EventChannel>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(): Promise<{
  server: ReferenceServer;
  pipeline: SlidePipeline;
  sent: Sent[];
  cacheDir: string;
  lesson: Lesson;
  grant: (requestId: string, shownIndex: number) => void;
}> {
  // The real server's quirks are on (realServerQuirks, the default): the client copes.
  const server = await startReferenceServer({
    port: 0,
    avatars: [alin],
    preloaded: ['alin_cc'],
  });
  cleanups.push(() => server.close());
  const dir = await mkdtemp(join(tmpdir(), 'rapido-pipeline-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const cacheDir = join(dir, 'cache');
  const logger = createMemoryLogger();
  const sent: Sent[] = [];
  const voices = createVoiceServices({
    cacheDir: join(cacheDir, 'speech'),
    secretsDir: join(dir, 'secrets'),
    cipher: null,
    environment: {},
    logger,
  });
  cleanups.push(() => voices.close());
  const syncTalk = createSyncTalkAvatarService({
    logger,
    cacheDir: join(cacheDir, 'avatar-segments'),
    emit: (clientId, channel, payload) => sent.push({ clientId, channel, payload }),
    segmentOptions: {
      sessionOptions: { backoff: { initialDelayMs: 20, maxDelayMs: 80, maxAttempts: 2 } },
    },
  });
  cleanups.push(() => syncTalk.close());
  const pipeline = createSlidePipeline({
    voices,
    avatar: syncTalk,
    logger,
    emitProgress: (clientId, runId, progress) =>
      sent.push({ clientId, channel: 'pipeline:prepare-progress', payload: { runId, progress } }),
  });
  cleanups.push(() => pipeline.close());
  const lesson = lessonSchema.parse({
    schemaVersion: 1,
    id: 'pipeline-test',
    title: 'Pipeline',
    avatar: {
      provider: 'synctalk',
      serverUrl: server.url,
      avatarName: alin.name,
      frameSize: { width: alin.width, height: alin.height },
    },
    slides: ['Hello there.', 'Second slide.'].map((narration, i) => ({
      id: `s${i + 1}`,
      image: `slides/${i + 1}.png`,
      narration,
    })),
  });
  return {
    server,
    pipeline,
    sent,
    cacheDir,
    lesson,
    grant: (requestId, shownIndex) =>
      syncTalk.grantCredit(requestId, shownIndex, {
        transport: 'websocket' as const,
        clientId: 'page',
      }),
  };
}

const frames = (sent: Sent[]) =>
  sent.filter((s) => s.channel === 'avatar:segment-frame') as {
    clientId: string;
    payload: EventPayload<'avatar:segment-frame'>;
  }[];

describe('slide pipeline (offline voice, SyncTalk reference server)', () => {
  test('speech then avatar for one slide: the same speech, frames streamed with credit', async () => {
    const { pipeline, sent, lesson, server, grant } = await setup();
    const request = slideSpeechRequest(lesson, 0, '/lesson');
    if (!request || lesson.avatar.provider !== 'synctalk') throw new Error('no slide');
    const speech = await pipeline.speech(request);
    if (!speech.ok) throw new Error(speech.error.message);
    expect(speech.value.pcm.byteLength).toBeGreaterThan(0);
    expect(speech.value.words.length).toBeGreaterThan(0);

    const context = { transport: 'websocket' as const, clientId: 'page' };
    const answer = pipeline.avatar(
      { requestId: 'r1', speech: request, avatar: lesson.avatar, creditFrames: 5 },
      context,
    );
    // Credit holds frames in main: only 5 (indices 0-4) until the page shows more.
    await expect.poll(() => frames(sent).length, { timeout: 5000 }).toBe(5);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(frames(sent)).toHaveLength(5);
    const granting = setInterval(() => grant('r1', frames(sent).length), 20);
    const result = await answer;
    clearInterval(granting);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.source).toBe('server');
    expect(result.value.audioMismatches).toBe(0);
    await expect.poll(() => frames(sent).length).toBe(result.value.frameCount);
    // The frames are the speech main made (16 kHz from the voice's rate), in order, to that page.
    const seconds = speech.value.pcm.byteLength / 2 / speech.value.sampleRateHz;
    expect(result.value.frameCount).toBe(Math.ceil((seconds * 16_000) / 640));
    expect(frames(sent).map((f) => f.payload.index)).toEqual([
      ...Array(result.value.frameCount).keys(),
    ]);
    expect(frames(sent).every((f) => f.clientId === 'page' && !('audio' in f.payload))).toBe(true);
    // One utterance, fed from main: the server got exactly the 16 kHz speech.
    expect(server.stats().utterances).toBe(1);
  });

  test('pre-generation fills both caches with no frame sent; a second run is all from cache', async () => {
    const { pipeline, sent, cacheDir, lesson } = await setup();
    const reports: PrepareProgressInfo[] = [];
    const first = await pipeline.prepareLesson(lesson, '/lessons/x', {
      onProgress: (p) => reports.push(p),
    });
    expect(first).toMatchObject({
      state: 'done',
      slidesReady: 2,
      slidesFromCache: 0,
      avatarMade: 2,
      failures: [],
    });
    expect(reports.some((r) => r.phase === 'avatar' && r.etaMs !== null)).toBe(true);
    expect(frames(sent)).toHaveLength(0);
    // One segment file per slide, and the speech cache holds something.
    const segmentFiles = (await readdir(join(cacheDir, 'avatar-segments'))).filter((name) =>
      name.endsWith('.avseg'),
    );
    expect(segmentFiles).toHaveLength(2);
    expect((await readdir(join(cacheDir, 'speech'), { recursive: true })).length).toBeGreaterThan(
      0,
    );
    const second = await pipeline.prepareLesson(lesson, '/lessons/x', {});
    expect(second).toMatchObject({
      state: 'done',
      slidesReady: 2,
      slidesFromCache: 2,
      speechCached: 2,
      avatarCached: 2,
      avatarMade: 0,
    });
    expect(frames(sent)).toHaveLength(0);
  });

  test('a page prepares through the channel: progress events only, cancel answers within a second', async () => {
    const { pipeline, sent, lesson, cacheDir } = await setup();
    const context = { transport: 'websocket' as const, clientId: 'editor' };
    const running = pipeline.prepareForClient({ runId: 'p1', lessonDir: '/x', lesson }, context);
    const progress = () => sent.filter((s) => s.channel === 'pipeline:prepare-progress');
    await expect
      .poll(
        () =>
          progress().some(
            (s) =>
              (s.payload as EventPayload<'pipeline:prepare-progress'>).progress.phase === 'avatar',
          ),
        // The offline voice's first synthesis loads its engine: allow for a cold start.
        { timeout: 15_000 },
      )
      .toBe(true);
    const cancelledAt = performance.now();
    pipeline.cancelPrepare('p1', context);
    const final = await running;
    expect(performance.now() - cancelledAt).toBeLessThan(1000);
    expect(final.ok && final.value.state).toBe('cancelled');
    expect(progress().every((s) => s.clientId === 'editor')).toBe(true);
    expect(frames(sent)).toHaveLength(0);
    // The cancelled run's speech and avatar writes go on after the answer; close settles after
    // them, so nothing is half-written (no temporary file) once it has.
    await pipeline.close();
    const left = await readdir(cacheDir, { recursive: true });
    expect(left.filter((name) => name.includes('.tmp-'))).toEqual([]);
  });
});
