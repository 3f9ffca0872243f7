import { scaled } from './support/timeouts.ts';
import { expect, test, type Page } from '@playwright/test';
import { useLiveKitRig } from './support/livekit-rig.ts';
import {
  audioRuns,
  callSubscriber,
  frameRateFps,
  framesBetween,
  openSubscriberPage,
} from '../testing/support/livekit-subscriber.ts';
import { readAllFiles, sampleLessonAt, startTestHost } from '../testing/support/app-host.ts';
import type { Lesson } from '../src/shared/lesson/lesson-schema.ts';
import type { AvatarEvent } from '../src/shared/live/live-settings.ts';
import { videoFrameTimesSec } from '../testing/support/av-sync.ts';
import { streamDurationSec } from '../testing/support/media-probe.ts';
import { describeRun, runCli, tempDir } from '../testing/support/render-cli.ts';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Going live as a presenter does: the Live panel's Go Live publishes the program (the program
 * canvas and mix, nothing rendered twice) to a real LiveKit server, and a viewer page in the room
 * checks what arrives: 640x360 video at the lesson's frame rate, narration audio with quiet
 * between slides, and the `avatar_events` messages in order. Bad settings each get their own
 * message.
 */
test.describe.configure({ mode: 'serial' });

const width = 640;
const height = 360;
const servers = useLiveKitRig();

async function shortLesson() {
  return sampleLessonAt(width, height, (lesson): Lesson => ({
    ...lesson,
    slides: [
      { ...lesson.slides[0]!, narration: 'Plants make their own food from light.', holdMs: 1500 },
      { ...lesson.slides[1]!, narration: 'They need water, air and sunlight.', holdMs: 1500 },
    ],
  }));
}

async function liveStatus(page: Page): Promise<string> {
  return (await page.getByTestId('live-status').textContent()) ?? '';
}

test('Go Live publishes the program: the viewer gets 640x360 video, narration and slide events', async ({
  page,
  browser,
}) => {
  test.setTimeout(scaled(120_000));
  const { liveKit, harness } = servers();
  const { dir, lesson } = await shortLesson();
  const { host } = await startTestHost(dir, {
    LIVEKIT_URL: liveKit.url,
    LIVEKIT_API_KEY: liveKit.apiKey,
    LIVEKIT_API_SECRET: liveKit.apiSecret,
  });
  const viewer = await browser.newPage();
  try {
    await openSubscriberPage(viewer, harness.url);
    const viewerToken = await liveKit.token({
      identity: 'viewer',
      room: lesson.id,
      canPublish: false,
      canPublishData: false,
    });
    await callSubscriber(viewer, 'join', liveKit.url, viewerToken);

    await page.goto(host.server.appUrl);
    await expect(page.getByTestId('live-credentials')).toContainText('from LIVEKIT_API_KEY');
    await page.getByRole('button', { name: '◉ Go Live' }).click();
    await expect(page.getByTestId('live-status')).toContainText(`Live in room ${lesson.id}`);

    // The lesson plays to its end; the last message is streamEnd.
    await expect
      .poll(
        async () =>
          (await callSubscriber(viewer, 'stats')).dataMessages.some((m) =>
            m.text.includes('streamEnd'),
          ),
        { timeout: 60_000 },
      )
      .toBe(true);
    const stats = await callSubscriber(viewer, 'stats');
    expect(stats.participantIdentities).toContain('rapido-presenter');
    expect(stats.video).toEqual({ width, height });

    const events = stats.dataMessages
      .filter((m) => m.topic === 'avatar_events')
      .map((m) => JSON.parse(m.text) as AvatarEvent);
    expect(events.map((e) => (e.type === 'slideChange' ? `slide:${e.slideId}` : e.type))).toEqual([
      'streamStarting',
      `slide:${lesson.slides[0]!.id}`,
      `slide:${lesson.slides[1]!.id}`,
      'streamEnd',
    ]);
    expect(events.flatMap((e) => (e.type === 'slideChange' ? [e.index] : []))).toEqual([0, 1]);

    // Frames at the lesson's rate (software VP8 here: at least 15 of 25 fps) over the lesson.
    const first = stats.frames[0]?.receivedAtMs ?? 0;
    const steady = framesBetween(stats.frames, first + 1_000, first + 5_000);
    expect(frameRateFps(steady)).toBeGreaterThanOrEqual(15);

    // Narration: loud while a slide speaks, near silence in the holds between and after.
    const runs = audioRuns(stats.audioLevels, { loudAboveDb: -40, quietBelowDb: -60 });
    const loud = runs.filter((run) => run.kind === 'loud' && run.endMs - run.startMs >= 500);
    const quiet = runs.filter((run) => run.kind === 'quiet' && run.endMs - run.startMs >= 800);
    expect(loud.length, JSON.stringify(runs)).toBeGreaterThanOrEqual(2);
    expect(quiet.length, JSON.stringify(runs)).toBeGreaterThanOrEqual(1);

    // Stopping the stream stops only the stream.
    await page.getByRole('button', { name: '■ Stop stream' }).click();
    await expect(page.getByTestId('live-status')).toHaveText('Not live');
    await expect(page.getByRole('button', { name: '◉ Go Live' })).toBeEnabled();
  } finally {
    await viewer.close();
    await host.close();
  }
});

test(
  'a wrong URL, a wrong secret and a token without publish rights each say what is wrong',
  { tag: '@busy' },
  async ({ page }) => {
    test.setTimeout(scaled(90_000));
    const { liveKit } = servers();
    const { dir, lesson } = await shortLesson();

    const unreachable = await startTestHost(dir, {
      LIVEKIT_URL: 'ws://127.0.0.1:9',
      LIVEKIT_API_KEY: liveKit.apiKey,
      LIVEKIT_API_SECRET: liveKit.apiSecret,
    });
    try {
      await page.goto(unreachable.host.server.appUrl);
      await page.getByRole('button', { name: '◉ Go Live' }).click();
      await expect(page.getByTestId('live-status')).toContainText(
        'Could not reach the LiveKit server at ws://127.0.0.1:9',
      );
    } finally {
      await unreachable.host.close();
    }

    const wrongSecret = await startTestHost(dir, {
      LIVEKIT_URL: liveKit.url,
      LIVEKIT_API_KEY: liveKit.apiKey,
      LIVEKIT_API_SECRET: 'not-the-secret-this-server-was-started-with-000',
    });
    try {
      await page.goto(wrongSecret.host.server.appUrl);
      await page.getByRole('button', { name: '◉ Go Live' }).click();
      await expect(page.getByTestId('live-status')).toContainText('refused the token');
      expect(await liveStatus(page)).toContain('API key and secret');
    } finally {
      await wrongSecret.host.close();
    }

    const noGrant = await startTestHost(dir, { LIVEKIT_URL: liveKit.url });
    try {
      await page.goto(noGrant.host.server.appUrl);
      const viewOnly = await liveKit.token({ identity: 'x', room: lesson.id, canPublish: false });
      await page.getByRole('radio', { name: 'Token' }).check();
      await page.getByLabel('LiveKit token').fill(viewOnly);
      await page.getByRole('button', { name: 'Save credentials' }).click();
      await expect(page.locator('.notice').first()).toContainText('does not allow publishing');
      // The token never comes back into the page.
      expect(await page.getByLabel('LiveKit token').inputValue()).toBe('');
      expect(await page.content()).not.toContain(viewOnly);
    } finally {
      await noGrant.host.close();
    }
  },
);

test('render --live publishes while recording; a server restart mid-stream is survived without a gap in the file', async ({
  browser,
}) => {
  test.setTimeout(scaled(180_000));
  const { liveKit, harness } = servers();
  const { dir } = await sampleLessonAt(width, height, (l): Lesson => ({
    ...l,
    slides: l.slides.slice(0, 2).map((slide) => ({ ...slide, holdMs: 500 })),
  }));
  const room = 'cli-live-room';
  const viewer = await browser.newPage();
  try {
    await openSubscriberPage(viewer, harness.url);
    const viewerToken = await liveKit.token({ identity: 'viewer', room, canPublish: false });
    await callSubscriber(viewer, 'join', liveKit.url, viewerToken);
    const outPath = join(await tempDir('live-out'), 'live.mp4');
    const server = liveKit;
    const rendering = runCli(['render', dir, '--out', outPath, '--live', '--room', room], {
      LIVEKIT_URL: server.url,
      LIVEKIT_API_KEY: server.apiKey,
      LIVEKIT_API_SECRET: server.apiSecret,
    });
    // Once the viewer has seen a few seconds, the server goes down and comes back.
    await expect
      .poll(async () => (await callSubscriber(viewer, 'stats')).frames.length, { timeout: 60_000 })
      .toBeGreaterThan(75);
    await server.restart();
    const afterRestart = Date.now();
    await expect
      .poll(
        async () =>
          (await callSubscriber(viewer, 'stats')).frames.filter(
            (f) => f.receivedAtMs > afterRestart,
          ).length,
        { timeout: 60_000 },
      )
      .toBeGreaterThan(25);
    const run = await rendering;
    expect(run.code, describeRun(run)).toBe(0);

    const stats = await callSubscriber(viewer, 'stats');
    const kinds = stats.dataMessages.map((m) => (JSON.parse(m.text) as AvatarEvent).type);
    expect(kinds[0]).toBe('streamStarting');
    expect(kinds).toContain('slideChange');
    const logLines = (await readAllFiles(run.logDir))
      .map((file) => file.bytes.toString('utf8'))
      .join('\n');
    expect(logLines).toMatch(/live: reconnecting/);
    expect(logLines).toMatch(/live: live/);

    // The recording never paused for the stream: video frames evenly spaced, audio whole.
    const times = await videoFrameTimesSec(outPath);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t));
    expect(Math.max(...gaps), 'largest gap between frames in the file').toBeLessThan(0.2);
    const audioSec = await streamDurationSec(outPath, 'a:0');
    const videoSec = await streamDurationSec(outPath, 'v:0');
    expect(Math.abs(audioSec - videoSec)).toBeLessThan(0.15);
  } finally {
    await viewer.close();
  }
});

test('stopping the stream leaves playback and the recording running', async ({ page }) => {
  test.setTimeout(scaled(120_000));
  const { liveKit } = servers();
  const { dir } = await shortLesson();
  const recordDir = await tempDir('live-rec');
  const { host } = await startTestHost(dir, {
    LIVEKIT_URL: liveKit.url,
    LIVEKIT_API_KEY: liveKit.apiKey,
    LIVEKIT_API_SECRET: liveKit.apiSecret,
    RAPIDO_RECORDING_DIR: recordDir,
  });
  try {
    await page.goto(host.server.appUrl);
    await expect(page.getByRole('textbox', { name: 'Recording folder' })).toHaveValue(recordDir);
    await page.getByRole('button', { name: '◉ Go Live' }).click();
    await expect(page.getByTestId('live-status')).toContainText('Live in room');
    await expect(page.getByRole('button', { name: '❚❚ Pause' })).toBeVisible();
    await page.getByRole('button', { name: '● Record' }).click();
    await expect(page.getByTestId('recording-status')).toBeVisible();
    await expect(page.getByTestId('live-stats')).toContainText('fps');

    await page.getByRole('button', { name: '■ Stop stream' }).click();
    await expect(page.getByTestId('live-status')).toHaveText('Not live');
    // Still presenting and still recording.
    await expect(page.getByRole('button', { name: '❚❚ Pause' })).toBeVisible();
    await expect(page.getByTestId('recording-status')).toBeVisible();
    await expect(page.getByTestId('recording-saved')).toBeVisible({ timeout: 60_000 });
    const [file] = (await readdir(recordDir)).filter((f) => f.endsWith('.mp4'));
    expect(await streamDurationSec(join(recordDir, file!), 'v:0')).toBeGreaterThan(2);
  } finally {
    await host.close();
  }
});
