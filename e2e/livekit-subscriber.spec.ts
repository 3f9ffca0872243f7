import { expect, test, type Page, type TestInfo } from '@playwright/test';
import type {
  SubscriberEvent,
  SubscriberStats,
} from '../testing/harness/subscriber/subscriber-api.ts';
import { useLiveKitRig } from './support/livekit-rig.ts';
import { freeTcpPort } from '../testing/support/livekit-server.ts';
import {
  audioRuns,
  callSubscriber,
  callTestPublisher,
  decodedCounters,
  frameRateFps,
  framesBetween,
  glassToGlassLatenciesMs,
  openSubscriberPage,
  summariseLatencies,
} from '../testing/support/livekit-subscriber.ts';

/**
 * Self-test of the LiveKit test rig against a real server: what the test publisher sends (a frame
 * counter pattern, a tone switching every second, data packets) is what the subscriber page
 * records, including across a server restart. Later suites rely on both halves being right.
 */

const room = 'self-test';
const width = 640;
const height = 360;
const fps = 25;
const measureWindowMs = 3_000;
const loudAboveDb = -30;
const quietBelowDb = -60;

const servers = useLiveKitRig();

function report(testInfo: TestInfo, metrics: Record<string, number | string>): void {
  const line = Object.entries(metrics)
    .map(([name, value]) => `${name}=${typeof value === 'number' ? value.toFixed(1) : value}`)
    .join(' ');
  testInfo.annotations.push({ type: 'metrics', description: line });
  console.log(`[${testInfo.title}] ${line}`);
}

function subscriberStats(page: Page): Promise<SubscriberStats> {
  return callSubscriber(page, 'stats');
}

/** Polls the page's stats until `done` holds (what is awaited is the page's own recording). */
async function waitForStats(
  page: Page,
  what: string,
  done: (stats: SubscriberStats) => boolean,
  timeoutMs = 20_000,
): Promise<SubscriberStats> {
  let latest: SubscriberStats | undefined;
  await expect
    .poll(
      async () => {
        latest = await subscriberStats(page);
        return done(latest);
      },
      { message: what, timeout: timeoutMs, intervals: [100, 200] },
    )
    .toBe(true);
  if (!latest) throw new Error(`no stats while waiting for ${what}`);
  return latest;
}

function isStrictlyIncreasing(values: readonly number[]): boolean {
  return values.every((value, index) => index === 0 || value > (values[index - 1] ?? value));
}

function describeEvents(events: readonly SubscriberEvent[]): string {
  return events.map((event) => `${event.event}(${event.detail})`).join(' ');
}

test('what the test publisher sends arrives at the subscriber, again after a server restart', async ({
  page,
  context,
}, testInfo) => {
  const { harness: pages, liveKit: server } = servers();
  const subscriber = page;
  const publisher = await context.newPage();
  await openSubscriberPage(subscriber, pages.url);
  await openSubscriberPage(publisher, pages.url);

  const subscriberToken = await server.token({ identity: 'viewer', room, canPublish: false });
  const publisherToken = await server.token({ identity: 'avatar', room });
  await callSubscriber(subscriber, 'join', server.url, subscriberToken);
  await callTestPublisher(publisher, 'publishPattern', server.url, publisherToken, {
    width,
    height,
    fps,
  });

  // Video: wait for the first decoded frame, then record a window of frames from there.
  const firstFrames = await waitForStats(subscriber, 'the first video frame', (stats) =>
    stats.frames.some((frame) => frame.counter !== null),
  );
  expect(firstFrames.participantIdentities).toContain('avatar');
  expect(firstFrames.video).toEqual({ width, height });
  const windowStartMs = firstFrames.frames.at(-1)?.receivedAtMs ?? 0;
  const windowed = await waitForStats(
    subscriber,
    `${measureWindowMs} ms of video`,
    (stats) => (stats.frames.at(-1)?.receivedAtMs ?? 0) - windowStartMs >= measureWindowMs,
  );
  const window = framesBetween(windowed.frames, windowStartMs, windowStartMs + measureWindowMs);
  const windowFps = frameRateFps(window);
  const counters = decodedCounters(window);
  expect(window.every((frame) => frame.width === width && frame.height === height)).toBe(true);
  expect(windowFps).toBeGreaterThanOrEqual(15);
  expect(counters.length).toBeGreaterThanOrEqual(window.length * 0.95);
  expect(isStrictlyIncreasing(counters)).toBe(true);

  // Latency: when each counter value was drawn vs when the subscriber got / showed that frame.
  const published = await callTestPublisher(publisher, 'stats');
  const received = summariseLatencies(
    glassToGlassLatenciesMs(published.frames, window, 'receivedAtMs'),
  );
  const glass = summariseLatencies(glassToGlassLatenciesMs(published.frames, window));
  const network = summariseLatencies(
    glassToGlassLatenciesMs(published.frames, window, 'networkReceivedAtMs'),
  );
  expect(received.count).toBe(counters.length);
  expect(glass.count).toBe(counters.length);
  // Causality: a frame cannot be shown before it was drawn (a misread counter would break this).
  // Judged on the display time only: Chromium's `receiveTime` for WebRTC frames comes from the
  // network stack's own clock and read up to 17 ms early against both pages' wall clock on CI
  // (after they shared one, src/shared/time/wall-clock.ts), so it is reported, not bounded.
  expect(network.count).toBe(counters.length);
  expect(glass.minMs).toBeGreaterThan(0);
  expect(glass.medianMs).toBeLessThan(1_000);

  // Audio: a tone on for a second, off for a second, seen as alternating loud and quiet runs.
  const audioStartMs = windowed.audioLevels.at(-1)?.atMs ?? 0;
  const withAudio = await waitForStats(
    subscriber,
    '4.5 s of audio levels',
    (stats) => (stats.audioLevels.at(-1)?.atMs ?? 0) - audioStartMs >= 4_500,
  );
  const levels = withAudio.audioLevels.filter((level) => level.atMs >= audioStartMs);
  const runs = audioRuns(levels, { loudAboveDb, quietBelowDb });
  expect(
    runs.length,
    runs.map((run) => `${run.kind}:${run.samples}`).join(' '),
  ).toBeGreaterThanOrEqual(4);
  // Whole runs (not the first or last, cut by the window) last about the tone's one second.
  const wholeRunsMs = runs.slice(1, -1).map((run) => run.endMs - run.startMs);
  for (const durationMs of wholeRunsMs) {
    expect(durationMs).toBeGreaterThan(600);
    expect(durationMs).toBeLessThan(1_300);
  }
  const loudestDb = Math.max(...levels.map((level) => level.rmsDb));
  const quietestDb = Math.min(...levels.map((level) => level.rmsDb));

  // Data: three reliable packets, in order.
  const texts = [
    '{"event":"speaking","slide":1}',
    '{"event":"slide","slide":2}',
    '{"event":"done"}',
  ];
  for (const text of texts) await callTestPublisher(publisher, 'sendData', 'avatar_events', text);
  const withData = await waitForStats(
    subscriber,
    'three data messages',
    (stats) =>
      stats.dataMessages.filter((message) => message.topic === 'avatar_events').length >= 3,
  );
  const messages = withData.dataMessages.filter((message) => message.topic === 'avatar_events');
  expect(messages.map((message) => message.text)).toEqual(texts);
  expect(messages.every((message) => message.participantIdentity === 'avatar')).toBe(true);

  report(testInfo, {
    fps: windowFps,
    framesIn3s: window.length,
    networkMedianMs: network.medianMs,
    receivedMinMs: received.minMs,
    receivedMedianMs: received.medianMs,
    glassMinMs: glass.minMs,
    glassMedianMs: glass.medianMs,
    glassP95Ms: glass.p95Ms,
    glassMaxMs: glass.maxMs,
    loudestDb,
    quietestDb,
    audioRuns: runs.length,
  });

  // Restart the server mid-stream: both pages must come back on their own.
  await callSubscriber(subscriber, 'clear');
  const restartStartMs = Date.now();
  await server.restart();
  const restartedAtMs = Date.now();
  const afterRestart = await waitForStats(
    subscriber,
    'frames again after the restart',
    (stats) =>
      decodedCounters(stats.frames.filter((frame) => frame.receivedAtMs > restartedAtMs)).length >=
      2 * fps,
    45_000,
  );
  const eventNames = afterRestart.events.map((event) => event.event);
  expect(
    eventNames.includes('Reconnected') || eventNames.includes('TrackSubscribed'),
    describeEvents(afterRestart.events),
  ).toBe(true);
  const framesAfter = afterRestart.frames.filter((frame) => frame.receivedAtMs > restartedAtMs);
  const firstAfterMs = framesAfter[0]?.receivedAtMs ?? 0;
  expect(isStrictlyIncreasing(decodedCounters(framesAfter))).toBe(true);
  expect(framesAfter.every((frame) => frame.width === width && frame.height === height)).toBe(true);
  report(testInfo, {
    restartMs: restartedAtMs - restartStartMs,
    firstFrameAfterRestartMs: firstAfterMs - restartedAtMs,
    fpsAfterRestart: frameRateFps(framesAfter),
    events: describeEvents(afterRestart.events),
  });

  await callTestPublisher(publisher, 'stop');
  await callSubscriber(subscriber, 'leave');
  await publisher.close();
});

function rejectionMessage(promise: Promise<unknown>): Promise<string | null> {
  return promise.then(
    () => null,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
}

test('a token without canPublish cannot publish', async ({ page }, testInfo) => {
  const { harness: pages, liveKit: server } = servers();
  await openSubscriberPage(page, pages.url);
  const token = await server.token({ identity: 'no-publish', room, canPublish: false });
  const message = await rejectionMessage(
    callTestPublisher(page, 'publishPattern', server.url, token, { width, height, fps }),
  );
  expect(message).toMatch(/permission/i);
  expect((await callTestPublisher(page, 'stats')).connectionState).toBe('disconnected');
  report(testInfo, { error: message ?? '' });
});

test('joining a URL where no server listens fails promptly', async ({ page }, testInfo) => {
  const { harness: pages, liveKit: server } = servers();
  await openSubscriberPage(page, pages.url);
  const token = await server.token({ identity: 'lost', room });
  const port = await freeTcpPort();
  const startMs = Date.now();
  const message = await rejectionMessage(
    callSubscriber(page, 'join', `ws://127.0.0.1:${port}`, token),
  );
  const elapsedMs = Date.now() - startMs;
  expect(message).not.toBeNull();
  expect(elapsedMs).toBeLessThan(10_000);
  expect((await callSubscriber(page, 'stats')).connectionState).toBe('disconnected');
  // The failed attempt left nothing behind: the same page joins the real server.
  await callSubscriber(page, 'join', server.url, token);
  expect((await callSubscriber(page, 'stats')).connectionState).toBe('connected');
  await callSubscriber(page, 'leave');
  report(testInfo, { joinRejectedAfterMs: elapsedMs, error: message ?? '' });
});
