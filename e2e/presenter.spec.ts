import { scaled } from './support/timeouts.ts';
import { expectLessonReady, expectLessonShown } from './support/lesson-state.ts';
import { decodeWireMessage } from '../src/shared/ipc/wire.ts';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Lesson } from '../src/shared/lesson/lesson-schema.ts';
import { fitRect } from '../src/renderer/engine/compositor/fit-rect.ts';
import {
  LOCAL_AVATAR_MOUTH_RECT,
  countMouthInteriorPixels,
} from '../src/renderer/engine/local-avatar/avatar-layout.ts';
import type { HeadlessHost } from '../src/main/hosts/headless/headless-host.ts';
import { sampleLessonAt, startTestHost } from '../testing/support/app-host.ts';
import {
  countPixels,
  decodeAudioMono16k,
  ffprobe,
  frameAt,
  framesBetween,
  meanAbsDiff,
  rmsDb,
  streamDurationSec,
  type PixelRect,
} from '../testing/support/media-probe.ts';
import { renderReferenceSlide } from './support/reference-slides.ts';

/**
 * The offline presenter end to end, through the headless host in real Chromium, driven as a
 * person would: open the sample lesson, play, pause, jump, record; then judge the MP4 itself.
 * 640x360 keeps software WebGL in real time on CI machines.
 */
const width = 640;
const height = 360;

let host: HeadlessHost;
let lessonDir: string;
/** Where the host records: main's recordings folder, given to it as the CLI would get it. */
let recordDir: string;
let lesson: Lesson;

test.beforeAll(async () => {
  ({ dir: lessonDir, lesson } = await sampleLessonAt(width, height));
  recordDir = await mkdtemp(join(tmpdir(), 'rapido-e2e-recordings-'));
  ({ host } = await startTestHost(lessonDir, { RAPIDO_RECORDING_DIR: recordDir }));
});

test.afterAll(async () => {
  await host.close();
});

test(
  'opens the sample lesson; play, pause, resume, jump and stop work',
  { tag: '@busy' },
  async ({ page }) => {
    await page.goto(host.server.appUrl);
    await expectLessonReady(page, lesson.title);
    await expect(page.getByTestId('slide-position')).toHaveText('Slide 1 / 4');

    await page.getByRole('button', { name: '▶ Play' }).click();
    await expect(page.getByTestId('play-state')).toHaveText('playing');
    await expect(page.getByTestId('clock')).toHaveText(/^00:0[1-9]/, { timeout: 10_000 });

    await page.getByRole('button', { name: '❚❚ Pause' }).click();
    await expect(page.getByTestId('play-state')).toHaveText('paused');
    await page.getByRole('button', { name: '▶ Resume' }).click();
    await expect(page.getByTestId('play-state')).toHaveText('playing');

    // Jump from the slide list: the slide's own narration starts.
    await page.getByRole('button', { name: /^3\s/ }).click();
    await expect(page.getByTestId('slide-position')).toHaveText('Slide 3 / 4');
    await expect(page.getByTestId('play-state')).toHaveText('playing');
    await expect(page.getByTestId('narration')).toHaveValue(lesson.slides[2]!.narration);

    await page.getByRole('button', { name: 'Next slide' }).click();
    await expect(page.getByTestId('slide-position')).toHaveText('Slide 4 / 4');

    await page.getByRole('button', { name: '■ Stop' }).click();
    await expect(page.getByTestId('play-state')).toHaveText('idle');
  },
);

test(
  'shows the lesson as soon as it is read; its first slide and speech are made after',
  { tag: '@busy' },
  async ({ page }) => {
    // Every speech request is held back (a machine too busy to synthesise): the lesson must be
    // shown all the same, told as being prepared, and be ready once its speech comes.
    const held: (() => void)[] = [];
    let holding = true;
    await page.routeWebSocket(/\/rapido-ipc/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((message) => {
        const bytes = typeof message === 'string' ? Buffer.from(message) : message;
        const decoded = decodeWireMessage(new Uint8Array(bytes));
        const speech = decoded.kind === 'invoke' && decoded.channel === 'speech:synthesize';
        if (speech && holding) held.push(() => server.send(message));
        else server.send(message);
      });
      server.onMessage((message) => ws.send(message));
    });
    await page.goto(host.server.appUrl);
    await expectLessonShown(page, lesson.title);
    await expect(page.locator('.lesson-title')).toHaveAttribute('data-lesson-state', 'preparing');
    await expect(page.getByTestId('lesson-preparing')).toBeVisible();
    await expect(page.getByTestId('slide-position')).toHaveText('Slide 1 / 4');
    await expect.poll(() => held.length, 'speech was asked for').toBeGreaterThan(0);
    holding = false;
    for (const release of held.splice(0)) release();
    await expectLessonReady(page, lesson.title);
    await expect(page.getByTestId('lesson-preparing')).toHaveCount(0);
  },
);

test('refuses a malformed lesson with the field and line, and keeps the open one', async ({
  page,
}) => {
  const { dir: broken } = await sampleLessonAt(width, height, (l) => ({
    ...l,
    slides: l.slides.map((s, i) => (i === 2 ? { ...s, image: 'slides/missing.png' } : s)),
  }));
  await page.goto(host.server.appUrl);
  await expectLessonReady(page, lesson.title);
  await page.getByRole('button', { name: 'Open lesson…' }).click();
  await page.getByRole('textbox', { name: 'Lesson folder' }).fill(broken);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  const notice = page.getByTestId('notice-error');
  await expect(notice).toContainText('slides[2].image');
  await expect(notice).toContainText('slides/missing.png');
  await expect(notice).toContainText(/line \d+/);
  await expectLessonReady(page, lesson.title);
});

test('records the presentation to an MP4 that matches the narration', async ({
  page,
}, testInfo) => {
  test.setTimeout(scaled(240_000));
  await page.goto(host.server.appUrl);
  await expectLessonReady(page, lesson.title);
  await expect(page.getByRole('textbox', { name: 'Recording folder' })).toHaveValue(recordDir);
  await page.getByRole('button', { name: '● Record' }).click();
  await expect(page.getByTestId('recording-status')).toBeVisible();
  await expect(page.getByTestId('recording-saved')).toBeVisible({ timeout: 180_000 });
  await page.screenshot({ path: testInfo.outputPath('after-recording.png') });

  const [fileName] = (await readdir(recordDir)).filter((f) => f.endsWith('.mp4'));
  expect(fileName, 'one MP4 in the recording folder').toBeDefined();
  const file = join(recordDir, fileName!);
  await expect(page.getByTestId('recording-saved')).toContainText(file);

  // The speech the app played: the same cached synthesis, so timings are exact.
  const speech = [];
  for (const slide of lesson.slides) {
    const result = await host.services.voices.narration.narrate({
      lessonId: lesson.id,
      slideId: slide.id,
      text: slide.narration,
      voice: lesson.voice,
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.cached, 'the app already synthesised (and cached) this slide').toBe(true);
    speech.push({
      durationSec: result.value.durationMs / 1000,
      holdSec: slide.holdMs / 1000,
      pcm: result.value.pcm,
    });
  }
  const totalSec = speech.reduce((sum, s) => sum + s.durationSec + s.holdSec, 0);

  const probe = await ffprobe(file);
  const video = probe.streams.find((s) => s.codec_type === 'video');
  const audio = probe.streams.find((s) => s.codec_type === 'audio');
  expect(video).toMatchObject({ codec_name: 'h264', width, height });
  expect(audio?.codec_name).toBe('opus');
  const videoSec = await streamDurationSec(file, 'v:0');
  const audioSec = await streamDurationSec(file, 'a:0');
  testInfo.annotations.push({
    type: 'durations',
    description: `video ${videoSec}s audio ${audioSec}s narration+holds ${totalSec}s`,
  });
  expect(Math.abs(videoSec - audioSec)).toBeLessThan(0.2);
  expect(Math.abs(videoSec - totalSec)).toBeLessThan(0.2);
  expect(Math.abs(audioSec - totalSec)).toBeLessThan(0.2);

  // Where the first word is in the file tells the lead-in before program time 0.
  const samples = await decodeAudioMono16k(file);
  const onset = (values: ArrayLike<number>, scale: number) => {
    for (let i = 0; i < values.length; i += 1)
      if (Math.abs((values[i] ?? 0) / scale) > 0.02) return i / 16_000;
    return Number.NaN;
  };
  const leadSec = onset(samples, 1) - onset(speech[0]!.pcm, 32768);
  expect(leadSec).toBeGreaterThanOrEqual(-0.05);
  expect(leadSec).toBeLessThan(0.25);
  const starts: number[] = [];
  speech.reduce((t, s) => {
    starts.push(t);
    return t + s.durationSec + s.holdSec;
  }, leadSec);

  // Audio: speech is loud, the holds between slides are silent.
  for (const [i, s] of speech.entries()) {
    expect(
      rmsDb(samples, starts[i]! + 0.5, starts[i]! + s.durationSec - 0.5),
      `slide ${i + 1} speech`,
    ).toBeGreaterThan(-35);
    if (s.holdSec > 0.3) {
      const holdStart = starts[i]! + s.durationSec + 0.1;
      expect(
        rmsDb(samples, holdStart, holdStart + s.holdSec - 0.2),
        `slide ${i + 1} hold`,
      ).toBeLessThan(-55);
    }
  }

  // Geometry of the avatar in the output, from the lesson's placement.
  const placement = lesson.avatar.placement;
  const avatarBox = fitRect(
    { width: 512, height: 512 },
    {
      x: placement.x * width,
      y: placement.y * height,
      width: placement.width * width,
      height: placement.height * height,
    },
    'contain',
    'bottom',
  );
  const avatarPx: PixelRect = {
    x: Math.round(avatarBox.x),
    y: Math.round(avatarBox.y),
    width: Math.round(avatarBox.width),
    height: Math.round(avatarBox.height),
  };
  const whole: PixelRect = { x: 0, y: 0, width, height };
  const references = [];
  for (const slide of lesson.slides)
    references.push(await renderReferenceSlide(page, lessonDir, slide.image, width, height));

  for (const [i, s] of speech.entries()) {
    const frame = await frameAt(file, starts[i]! + s.durationSec / 2, width, height);
    // No key colour left anywhere: the avatar's green screen is keyed out.
    const keyish = countPixels(
      frame,
      width,
      whole,
      (r, g, b) =>
        g > 120 && g > r * 1.6 && g > b * 1.6 && Math.abs(r - 0) < 70 && Math.abs(b - 64) < 60,
    );
    expect(keyish / (width * height), `slide ${i + 1}: key-colour pixels`).toBeLessThan(0.005);
    // The slide is visible outside the avatar's box, and it is this slide, not another.
    const outside = meanAbsDiff(frame, references[i]!, width, avatarPx, false);
    expect(outside, `slide ${i + 1} outside the avatar`).toBeLessThan(12);
    for (const [j, other] of references.entries()) {
      if (j !== i)
        expect(meanAbsDiff(frame, other, width, avatarPx, false)).toBeGreaterThan(outside + 5);
    }
    // The avatar covers its box: inside it the frame differs clearly from the bare slide.
    expect(
      meanAbsDiff(frame, references[i]!, width, avatarPx, true),
      `slide ${i + 1} avatar present`,
    ).toBeGreaterThan(20);
  }

  // The mouth moves while the voice speaks and is still while it is silent.
  const mouthRect = {
    x: (avatarBox.x + LOCAL_AVATAR_MOUTH_RECT.x * avatarBox.width) / width,
    y: (avatarBox.y + LOCAL_AVATAR_MOUTH_RECT.y * avatarBox.height) / height,
    width: (LOCAL_AVATAR_MOUTH_RECT.width * avatarBox.width) / width,
    height: (LOCAL_AVATAR_MOUTH_RECT.height * avatarBox.height) / height,
  };
  const mouth = (frame: Uint8Array) =>
    countMouthInteriorPixels(frame, width, height, { channels: 3, rect: mouthRect });
  const speaking = (await framesBetween(file, starts[0]! + 0.3, 4, width, height)).map(mouth);
  expect(
    speaking.filter((c) => c > 0).length,
    `open-mouth frames while speaking: ${speaking.join(',')}`,
  ).toBeGreaterThan(speaking.length * 0.3);
  expect(new Set(speaking).size, 'the mouth changes shape while speaking').toBeGreaterThan(3);
  const first = speech[0]!;
  const silent = (
    await framesBetween(
      file,
      starts[0]! + first.durationSec + 0.1,
      first.holdSec - 0.2,
      width,
      height,
    )
  ).map(mouth);
  expect(silent.length).toBeGreaterThan(3);
  expect(Math.max(...silent), `mouth while silent: ${silent.join(',')}`).toBeLessThanOrEqual(1);
});
