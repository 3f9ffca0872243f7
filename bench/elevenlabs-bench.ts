import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Lesson } from '../src/shared/lesson/lesson-schema.ts';
import { createLogger } from '../src/main/services/logging/logger.ts';
import {
  startElevenLabsReference,
  type ElevenLabsReference,
} from '../src/main/services/speech/elevenlabs-reference/reference-server.ts';
import { createVoiceServices } from '../src/main/services/speech/voice-services.ts';
import { splitSentences } from '../src/shared/speech/narration-text.ts';
import { readAllFiles, sampleLessonAt, startTestHost } from '../e2e/support/app-host.ts';
import { chromiumArgs, chromiumExecutablePath } from '../e2e/support/harness-chromium.ts';
import { readMainLog, runCli, tempDir, type LogLine } from '../e2e/support/render-cli.ts';

/**
 * The ElevenLabs voice, timed as a listener would: Play to the first audible sample with the
 * service's first byte 75 ms (flash, warm) and 1 s (a cold or distant connection) away,
 *  - without look-ahead: Play the moment the lesson shows in the presenter (the first slide
 *    starts on its first sentence), and an export started the moment the lesson opens (the
 *    render CLI, which waits for the whole first slide so a file never has a gap);
 *  - with look-ahead: the lesson has been open long enough for its look-ahead (the first two
 *    slides) to be synthesised, then Play (the presenter UI, clicked in Chromium);
 * and the characters sent to the service on a first and a second render of an unchanged lesson.
 * The local ElevenLabs-compatible server speaks each text once before timing starts, so its
 * first byte keeps to the configured delay (the offline voice behind it is slower than 75 ms).
 */
const apiKey = 'sk_bench_7c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f';
const voiceId = '21m00Tcm4TlvDq8ikWAM';

export interface PlayLatency {
  firstByteDelayMs: number;
  /** Presenter: Play the moment the lesson shows (the slide starts on its first sentence). */
  withoutLookAheadMs: number;
  /** Export: recording starts the moment the lesson opens (waits for the whole first slide). */
  withoutLookAheadRecordMs: number;
  /** Presenter: Play after the look-ahead has prepared the first two slides. */
  withLookAheadMs: number;
  /** without / with, in the same run. */
  lookAheadSpeedup: number;
}

export interface ElevenLabsBenchResult {
  slides: number;
  sentences: number;
  latency: PlayLatency[];
  charactersFirstRender: number;
  charactersSecondRender: number;
  requestsSecondRender: number;
}

async function lessonForBench(): Promise<{ dir: string; lesson: Lesson }> {
  return sampleLessonAt(640, 360, (lesson) => ({
    ...lesson,
    slides: lesson.slides.slice(0, 3),
    voice: {
      provider: 'elevenlabs',
      voiceId,
      modelId: 'eleven_flash_v2_5',
      settings: {},
      fallback: { provider: 'offline', voice: 'en-us', rateWpm: 165, pitch: 50 },
    },
  }));
}

function latestNumber(lines: LogLine[], eventType: string, field: string): number | null {
  const value = lines.findLast((line) => line.event_type === eventType)?.performance_data?.[field];
  return typeof value === 'number' ? value : null;
}

/** Has the server answer every text once, so later first bytes keep to the set delay. */
async function primeServer(server: ElevenLabsReference, lesson: Lesson): Promise<void> {
  const dir = await tempDir('bench-prime');
  const voices = createVoiceServices({
    cacheDir: join(dir, 'cache'),
    secretsDir: join(dir, 'secrets'),
    cipher: null,
    environment: { apiKey, baseUrl: server.url },
    logger: createLogger({ directory: join(dir, 'logs'), level: 'warn', console: false }),
  });
  try {
    for (const [index, slide] of lesson.slides.entries()) {
      await voices.narration.narrate({
        lessonId: lesson.id,
        slideId: slide.id,
        text: slide.narration,
        voice: lesson.voice,
        previousText: lesson.slides[index - 1]?.narration,
        nextText: lesson.slides[index + 1]?.narration,
      });
    }
  } finally {
    voices.close();
  }
}

async function recordAtOpen(server: ElevenLabsReference, lessonDir: string): Promise<number> {
  const dataDir = await tempDir('bench-el-cold');
  const run = await runCli(
    ['render', lessonDir, '--out', join(await tempDir('bench-el-out'), 'cold.mp4')],
    { ELEVENLABS_API_KEY: apiKey, ELEVENLABS_BASE_URL: server.url },
    { dataDir },
  );
  if (run.code !== 0) throw new Error(`render failed: ${run.stderr}`);
  const value = latestNumber(
    await readMainLog(join(dataDir, 'logs')),
    'play_to_first_sample',
    'openToFirstSampleMs',
  );
  if (value === null) throw new Error('no play_to_first_sample line');
  return value;
}

async function presenterPlay(
  server: ElevenLabsReference,
  lessonDir: string,
  lookAheadSentences: number | null,
): Promise<number> {
  const { host, logDir } = await startTestHost(lessonDir, {
    ELEVENLABS_API_KEY: apiKey,
    ELEVENLABS_BASE_URL: server.url,
  });
  const browser = await chromium.launch({
    executablePath: chromiumExecutablePath,
    args: [...chromiumArgs],
  });
  try {
    const page = await browser.newPage();
    await page.goto(host.server.appUrl);
    const play = page.getByRole('button', { name: '▶ Play' });
    await play.waitFor({ state: 'visible' });
    const deadline = Date.now() + 60_000;
    if (lookAheadSentences !== null) {
      // The look-ahead is done when the first two slides' sentences have all been synthesised.
      while (host.services.voices.elevenLabsSpeech.stats().synthesized < lookAheadSentences) {
        if (Date.now() > deadline) throw new Error('the look-ahead did not finish within 60 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    await play.click();
    while (Date.now() < deadline) {
      const value = latestNumber(
        await readMainLog(logDir),
        'play_to_first_sample',
        'playToFirstSampleMs',
      );
      if (value !== null) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('no play_to_first_sample line within 60 s');
  } finally {
    await browser.close();
    await host.close();
  }
}

export async function runElevenLabsBench(): Promise<ElevenLabsBenchResult> {
  const server = await startElevenLabsReference({
    apiKey,
    warmUp: true,
    characterLimit: 10_000_000,
  });
  try {
    const { dir, lesson } = await lessonForBench();
    await primeServer(server, lesson);
    const sentencesPerSlide = lesson.slides.map((slide) => splitSentences(slide.narration).length);
    const lookAheadSentences = (sentencesPerSlide[0] ?? 0) + (sentencesPerSlide[1] ?? 0);
    const latency: PlayLatency[] = [];
    for (const firstByteDelayMs of [75, 1000]) {
      server.setFirstByteDelayMs(firstByteDelayMs);
      const withoutLookAheadMs = await presenterPlay(server, dir, null);
      const withoutLookAheadRecordMs = await recordAtOpen(server, dir);
      const withLookAheadMs = await presenterPlay(server, dir, lookAheadSentences);
      latency.push({
        firstByteDelayMs,
        withoutLookAheadMs,
        withoutLookAheadRecordMs,
        withLookAheadMs,
        lookAheadSpeedup: Number((withoutLookAheadMs / Math.max(1, withLookAheadMs)).toFixed(1)),
      });
    }
    server.setFirstByteDelayMs(75);
    // A first and a second render sharing one data folder (and so one speech cache).
    const dataDir = await tempDir('bench-el-twice');
    const counts: { characters: number; requests: number }[] = [];
    for (const name of ['first', 'second']) {
      const characters = server.characterCount();
      const requests = server.synthesisRequests().length;
      const run = await runCli(
        ['render', dir, '--out', join(await tempDir('bench-el-out'), `${name}.mp4`)],
        { ELEVENLABS_API_KEY: apiKey, ELEVENLABS_BASE_URL: server.url },
        { dataDir },
      );
      if (run.code !== 0) throw new Error(`render failed: ${run.stderr}`);
      counts.push({
        characters: server.characterCount() - characters,
        requests: server.synthesisRequests().length - requests,
      });
    }
    // Every log file, not just the first one listed.
    const logged = await readAllFiles(join(dataDir, 'logs'));
    if (logged.some((file) => file.bytes.toString('utf8').includes(apiKey))) {
      throw new Error('the API key reached a log file');
    }
    return {
      slides: lesson.slides.length,
      sentences: sentencesPerSlide.reduce((a, b) => a + b, 0),
      latency,
      charactersFirstRender: counts[0]?.characters ?? -1,
      charactersSecondRender: counts[1]?.characters ?? -1,
      requestsSecondRender: counts[1]?.requests ?? -1,
    };
  } finally {
    await server.close();
  }
}
