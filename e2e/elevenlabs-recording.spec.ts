import { scaled } from './support/timeouts.ts';
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Lesson } from '../src/shared/lesson/lesson-schema.ts';
import { parseWebVtt } from '../src/shared/captions/caption-cues.ts';
import { stripAudioTags } from '../src/shared/speech/narration-text.ts';
import {
  startElevenLabsReference,
  type ElevenLabsReference,
} from '../testing/elevenlabs-reference/reference-server.ts';
import {
  readAllFiles,
  requireRendererBuild,
  sampleLessonAt,
  startTestHost,
} from '../testing/support/app-host.ts';
import { audioStartSec, placeSpeech } from '../testing/support/av-sync.ts';
import {
  decodeAudioMono16k,
  ffprobe,
  frameAt,
  streamDurationSec,
  type PixelRect,
} from '../testing/support/media-probe.ts';
import {
  describeRun,
  readMainLog,
  runCli,
  tempDir,
  type LogLine,
} from '../testing/support/render-cli.ts';

/**
 * A lesson with the ElevenLabs voice, recorded by `npm run render` (headless host, Chromium)
 * against the local ElevenLabs-compatible server: the real SDK over real HTTP, the key from
 * ELEVENLABS_API_KEY. Judged on what comes out: the MP4, the WebVTT beside it, the burned-in
 * captions in its pixels, the server's request log, and the log files (no key in them).
 */
const width = 640;
const height = 360;
const apiKey = 'sk_e2e_5f0c2a9e4d7b4c1e8a3f6b2d9c0e7a41';
const voiceId = '21m00Tcm4TlvDq8ikWAM';
const narrations = [
  'Welcome to the lesson on plants. Today we look at how leaves make sugar.',
  'Light gives the energy. Without it, [laughs] nothing happens at all.',
  'Water comes up from the roots. Carbon dioxide comes in through the leaves.',
];
/** Where the caption box sits at 640x360 (bottom centre), clear of the avatar on the right. */
const captionStrip: PixelRect = { x: 250, y: 318, width: 140, height: 18 };

test.describe.configure({ mode: 'serial' });
test.beforeAll(() => requireRendererBuild());

let server: ElevenLabsReference;
let dataDir: string;
test.beforeAll(async () => {
  server = await startElevenLabsReference({ apiKey, firstByteDelayMs: 75, warmUp: true });
  dataDir = await tempDir('elevenlabs-data');
});
test.afterAll(async () => {
  await server.close();
});

async function elevenLabsLesson(slideCount: number, burnIn: boolean) {
  return sampleLessonAt(width, height, (lesson): Lesson => ({
    ...lesson,
    voice: {
      provider: 'elevenlabs',
      voiceId,
      modelId: 'eleven_flash_v2_5',
      settings: { stability: 0.5, similarityBoost: 0.75 },
      fallback: { provider: 'offline', voice: 'en-us', rateWpm: 165, pitch: 50 },
    },
    captions: { burnIn },
    slides: lesson.slides.slice(0, slideCount).map((slide, index) => ({
      ...slide,
      narration: narrations[index] ?? '',
      holdMs: index === slideCount - 1 ? 1500 : 300,
    })),
  }));
}

function render(dir: string, outPath: string) {
  return runCli(
    ['render', dir, '--out', outPath],
    { ELEVENLABS_API_KEY: apiKey, ELEVENLABS_BASE_URL: server.url },
    { dataDir },
  );
}

async function logLines(): Promise<{ lines: LogLine[]; text: string }> {
  const logDir = join(dataDir, 'logs');
  const files = await readAllFiles(logDir);
  return {
    lines: await readMainLog(logDir),
    text: files.map((file) => file.bytes.toString('utf8')).join('\n'),
  };
}

function luma(rgb: Uint8Array, index: number): number {
  return 0.299 * (rgb[index] ?? 0) + 0.587 * (rgb[index + 1] ?? 0) + 0.114 * (rgb[index + 2] ?? 0);
}

/** Mean luma and bright (text) pixels in the caption strip of one frame. */
async function captionStripAt(file: string, timeSec: number) {
  const rgb = await frameAt(file, timeSec, width, height);
  let sum = 0;
  let bright = 0;
  for (let y = captionStrip.y; y < captionStrip.y + captionStrip.height; y += 1) {
    for (let x = captionStrip.x; x < captionStrip.x + captionStrip.width; x += 1) {
      const value = luma(rgb, (y * width + x) * 3);
      sum += value;
      if (value > 200) bright += 1;
    }
  }
  return { meanLuma: sum / (captionStrip.width * captionStrip.height), bright };
}

function spokenText(lesson: Lesson): string {
  return lesson.slides.map((s) => stripAudioTags(s.narration)).join(' ');
}

test(
  'records a lesson in the ElevenLabs voice with captions burned in and a matching WebVTT',
  { tag: '@busy' },
  async () => {
    test.setTimeout(scaled(240_000));
    const { dir, lesson } = await elevenLabsLesson(2, true);
    const outPath = join(await tempDir('out'), 'plants.mp4');
    const before = server.synthesisRequests().length;
    const run = await render(dir, outPath);
    expect(run.code, describeRun(run)).toBe(0);

    // One streamed request per sentence, with the key accepted; tags blanked for this model.
    const sent = server.synthesisRequests().slice(before);
    expect(sent).toHaveLength(4);
    for (const request of sent) {
      expect(request.keyAccepted).toBe(true);
      expect(request.status).toBe(200);
      expect(request.query.output_format).toBe('pcm_16000');
      expect((request.body as { text: string }).text).not.toContain('[');
    }

    const probe = await ffprobe(outPath);
    expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);

    // The captions file says exactly what was said, in order, timed inside the recording.
    const vttPath = outPath.replace(/\.mp4$/, '.vtt');
    expect(existsSync(vttPath), `${vttPath} beside the recording`).toBe(true);
    const cues = parseWebVtt(await readFile(vttPath, 'utf8'));
    expect(cues.map((c) => c.text.replace(/\n/g, ' ')).join(' ')).toBe(spokenText(lesson));
    const videoSec = await streamDurationSec(outPath, 'v:0');
    const firstAudibleSec = await audioStartSec(outPath);
    expect(Math.abs((cues[0]?.startMs ?? -1) / 1000 - firstAudibleSec)).toBeLessThan(0.35);
    for (let i = 1; i < cues.length; i += 1) {
      expect(cues[i]!.startMs).toBeGreaterThanOrEqual(cues[i - 1]!.endMs);
    }
    expect((cues.at(-1)?.endMs ?? 0) / 1000).toBeLessThan(videoSec);

    // Burned in: during the last slide's first cue the strip is darkened and has text; in its
    // hold (no caption) it is the slide alone.
    const lastSlideCue = cues.find((c) => c.text.startsWith('Light'));
    expect(lastSlideCue).toBeDefined();
    const during = await captionStripAt(outPath, (lastSlideCue!.startMs + 400) / 1000);
    const hold = await captionStripAt(outPath, videoSec - 0.3);
    expect(during.bright, 'caption text pixels while speaking').toBeGreaterThan(20);
    expect(hold.meanLuma - during.meanLuma, 'the caption box darkens the slide').toBeGreaterThan(
      20,
    );

    const { lines, text } = await logLines();
    expect(lines.some((line) => line.event_type === 'speech_synthesized')).toBe(true);
    expect(text, 'the API key never reaches a log file').not.toContain(apiKey);
  },
);

test('an unchanged lesson is recorded again with no synthesis; without burn-in the program is clean', async () => {
  test.setTimeout(scaled(240_000));
  const { dir, lesson } = await elevenLabsLesson(2, false);
  const outPath = join(await tempDir('out'), 'again.mp4');
  const before = server.synthesisRequests().length;
  const run = await render(dir, outPath);
  expect(run.code, describeRun(run)).toBe(0);
  expect(server.synthesisRequests().length - before, 'requests on a cached lesson').toBe(0);

  const cues = parseWebVtt(await readFile(outPath.replace(/\.mp4$/, '.vtt'), 'utf8'));
  expect(cues.map((c) => c.text.replace(/\n/g, ' ')).join(' ')).toBe(spokenText(lesson));
  const lastSlideCue = cues.find((c) => c.text.startsWith('Light'));
  const videoSec = await streamDurationSec(outPath, 'v:0');
  const during = await captionStripAt(outPath, (lastSlideCue!.startMs + 400) / 1000);
  const hold = await captionStripAt(outPath, videoSec - 0.3);
  expect(Math.abs(hold.meanLuma - during.meanLuma), 'no caption box').toBeLessThan(3);
});

test('when the service starts failing, the next slide is spoken offline and the recording completes', async () => {
  test.setTimeout(scaled(240_000));
  // Slides 1-2 are cached from the first run; slide 3 is new and the service is now down.
  server.failAll({ status: 503 });
  try {
    const { dir, lesson } = await elevenLabsLesson(3, false);
    const outPath = join(await tempDir('out'), 'outage.mp4');
    const before = server.synthesisRequests().length;
    const run = await render(dir, outPath);
    expect(run.code, describeRun(run)).toBe(0);
    const failed = server.synthesisRequests().slice(before);
    expect(failed.length, 'retried, then given up').toBeGreaterThanOrEqual(4);
    expect(failed.every((r) => r.status === 503)).toBe(true);

    // All three slides are in the file and the captions: the third in the offline voice.
    const cues = parseWebVtt(await readFile(outPath.replace(/\.mp4$/, '.vtt'), 'utf8'));
    expect(cues.map((c) => c.text.replace(/\n/g, ' ')).join(' ')).toBe(spokenText(lesson));
    const { lines } = await logLines();
    const fallback = lines.find(
      (line) => line.event_type === 'speech_fallback' && line.message.includes('offline voice'),
    );
    expect(fallback?.message).toMatch(/HTTP 503/);
    const stalls = lines.filter((line) => line.event_type === 'slide_stall');
    expect(stalls, 'the fallback did not hold up the show').toHaveLength(0);
  } finally {
    server.failAll(null);
  }
});

test('presenting starts on the first sentence and the rest follows without a seam', async ({
  page,
}) => {
  test.setTimeout(scaled(180_000));
  // A short first sentence and a long rest: the head is ready well before the whole slide.
  const narration =
    "Welcome to today's lesson, everyone. " +
    'We will follow the light from the sun into the leaf, watch water climb up from the roots, and see how air slips in through tiny pores underneath. ' +
    'By the end you will know where the sugar in every apple and potato comes from.';
  const { dir, lesson } = await sampleLessonAt(width, height, (l): Lesson => ({
    ...l,
    voice: {
      provider: 'elevenlabs',
      voiceId,
      modelId: 'eleven_flash_v2_5',
      settings: { stability: 0.45 },
      fallback: { provider: 'offline', voice: 'en-us', rateWpm: 165, pitch: 50 },
    },
    slides: [{ ...l.slides[0]!, narration, holdMs: 500 }],
  }));
  const recordDir = await tempDir('el-live');
  const { host, logDir } = await startTestHost(dir, {
    ELEVENLABS_API_KEY: apiKey,
    ELEVENLABS_BASE_URL: server.url,
    RAPIDO_RECORDING_DIR: recordDir,
  });
  try {
    await page.goto(host.server.appUrl);
    await expect(page.getByRole('textbox', { name: 'Recording folder' })).toHaveValue(recordDir);
    // Play at once: nothing is synthesised yet, so the slide starts on its first sentence.
    await page.getByRole('button', { name: '▶ Play' }).click();
    // Recording joins the running show (pressed while preparing, it would start a new one).
    await expect(page.getByRole('button', { name: '❚❚ Pause' })).toBeVisible();
    await page.getByRole('button', { name: '● Record' }).click();
    await expect(page.getByTestId('recording-saved')).toBeVisible({ timeout: 120_000 });

    const lines = await readMainLog(logDir);
    const started = lines.findLast((line) => line.event_type === 'play_to_first_sample');
    expect(started?.performance_data?.startedOnFirstSentence).toBe(true);
    expect(lines.filter((line) => line.event_type === 'slide_stall')).toHaveLength(0);

    // The whole slide as synthesised (now from the cache) is in the file, intact across the
    // point where the first sentence's buffer ends and the rest's begins.
    const whole = await host.services.voices.narration.narrate({
      lessonId: lesson.id,
      slideId: lesson.slides[0]!.id,
      text: narration,
      voice: lesson.voice,
    });
    if (!whole.ok) throw new Error(whole.error.message);
    expect(whole.value.cached).toBe(true);
    const [fileName] = (await readdir(recordDir)).filter((f) => f.endsWith('.mp4'));
    const recorded = await decodeAudioMono16k(join(recordDir, fileName!));
    const fromSample = 16_000; // 1 s in: after Record was pressed, before the seam (~2 s)
    const speech = Float32Array.from(whole.value.pcm.subarray(fromSample), (v) => v / 32768);
    const placed = placeSpeech(recorded, speech, 0.8, 0.8);
    expect(placed.correlation).toBeGreaterThan(0.95);
    expect(
      placed.worstWindowCorrelation,
      `worst 200 ms window at ${placed.worstWindowAtSec.toFixed(2)} s`,
    ).toBeGreaterThan(0.5);
  } finally {
    await host.close();
  }
});
