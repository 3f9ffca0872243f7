import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lesson } from '../src/shared/lesson/lesson-schema.ts';
import { createLogger } from '../src/main/services/logging/logger.ts';
import {
  startElevenLabsReference,
  type ElevenLabsReference,
} from '../testing/elevenlabs-reference/reference-server.ts';
import { createVoiceServices } from '../src/main/services/speech/voice-services.ts';
import { splitSentences } from '../src/shared/speech/narration-text.ts';
import { readAllFiles, requireRendererBuild, sampleLessonAt } from '../testing/support/app-host.ts';
import { tempDir } from '../testing/support/render-cli.ts';
import { figure, figureOf, ratioFigure, type Figure, type Skipped } from './figures.ts';
import { createScratch, type Scratch } from './lessons.ts';
import { presenterPlayToFirstSampleMs } from './presenter.ts';
import { failureReason, lastEvent, numberField, renderOnce } from './render.ts';

/**
 * The ElevenLabs voice, timed as a listener would: Play to the first audible sample with the
 * service's first byte 75 ms (flash, warm) and 1 s (a cold or distant connection) away,
 *  - without look-ahead: Play the moment the lesson shows in the presenter (the first slide
 *    starts on its first sentence), and a live recording (`npm run render -- --realtime`)
 *    started the moment the lesson opens (it waits for the whole first slide so a file never
 *    has a gap);
 *  - with look-ahead: the lesson has been open long enough for its look-ahead (the first two
 *    slides) to be synthesised, then Play (the presenter UI, clicked in Chromium);
 * each timing over several runs (fresh host each time), and the characters sent to the service on
 * a first and a second render of an unchanged lesson.
 * The local ElevenLabs-compatible server speaks each text once before timing starts, so its
 * first byte keeps to the configured delay (the offline voice behind it is slower than 75 ms).
 */
const apiKey = 'sk_bench_7c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f';
const voiceId = '21m00Tcm4TlvDq8ikWAM';

export interface PlayLatency {
  firstByteDelayMs: number;
  /** Presenter: Play the moment the lesson shows (the slide starts on its first sentence). */
  withoutLookAhead: Figure | null;
  /** Live recording started the moment the lesson opens (waits for the whole first slide). */
  withoutLookAheadRecord: Figure | null;
  /** Presenter: Play after the look-ahead has prepared the first two slides. */
  withLookAhead: Figure | null;
  /** without / with, per run. */
  lookAheadSpeedup: Figure | null;
}

export type ElevenLabsBenchResult =
  | Skipped
  | {
      slides: number;
      sentences: number;
      runs: number;
      latency: PlayLatency[];
      /** Characters sent to the service by a first and a second render of the unchanged lesson. */
      charactersFirstRender: Figure;
      charactersSecondRender: Figure;
      requestsSecondRender: Figure;
    };

/** Three slides; two in a quick run (the look-ahead covers two, so that still measures it). */
async function lessonForBench(slides: number): Promise<{ dir: string; lesson: Lesson }> {
  return sampleLessonAt(640, 360, (lesson) => ({
    ...lesson,
    slides: lesson.slides.slice(0, slides),
    voice: {
      provider: 'elevenlabs',
      voiceId,
      modelId: 'eleven_flash_v2_5',
      settings: {},
      fallback: { provider: 'offline', voice: 'en-us', rateWpm: 165, pitch: 50 },
    },
  }));
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

async function recordAtOpen(
  server: ElevenLabsReference,
  lessonDir: string,
): Promise<number | null> {
  const outDir = await tempDir('bench-el-out');
  try {
    const outcome = await renderOnce({
      mode: 'realtime',
      lessonDir,
      outDir,
      outName: 'cold.mp4',
      env: { ELEVENLABS_API_KEY: apiKey, ELEVENLABS_BASE_URL: server.url },
    });
    if ('unavailable' in outcome) throw new Error(outcome.unavailable);
    if (outcome.code !== 0) throw new Error(failureReason(outcome));
    return numberField(lastEvent(outcome.lines, 'play_to_first_sample'), 'openToFirstSampleMs');
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

async function presenterPlay(
  server: ElevenLabsReference,
  lessonDir: string,
  scratch: Scratch,
  lookAheadSentences: number | null,
): Promise<number | null> {
  return presenterPlayToFirstSampleMs(
    lessonDir,
    scratch,
    { ELEVENLABS_API_KEY: apiKey, ELEVENLABS_BASE_URL: server.url },
    async (host) => {
      if (lookAheadSentences === null) return;
      // The look-ahead is done when the first two slides' sentences have all been synthesised.
      const deadline = Date.now() + 60_000;
      while (host.services.voices.elevenLabsSpeech.stats().synthesized < lookAheadSentences) {
        if (Date.now() > deadline) throw new Error('the look-ahead did not finish within 60 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  );
}

export async function runElevenLabsBench(options: {
  runs: number;
  quick: boolean;
}): Promise<ElevenLabsBenchResult> {
  requireRendererBuild();
  const server = await startElevenLabsReference({
    apiKey,
    warmUp: true,
    characterLimit: 10_000_000,
  });
  const scratch = createScratch();
  try {
    const { dir, lesson } = await lessonForBench(options.quick ? 2 : 3);
    scratch.track(dir);
    await primeServer(server, lesson);
    const sentencesPerSlide = lesson.slides.map((slide) => splitSentences(slide.narration).length);
    const lookAheadSentences = (sentencesPerSlide[0] ?? 0) + (sentencesPerSlide[1] ?? 0);
    const latency: PlayLatency[] = [];
    // A quick run leaves out the slow connection.
    for (const firstByteDelayMs of options.quick ? [75] : [75, 1000]) {
      server.setFirstByteDelayMs(firstByteDelayMs);
      const without: (number | null)[] = [];
      const record: (number | null)[] = [];
      const withLookAhead: (number | null)[] = [];
      for (let runIndex = 0; runIndex < options.runs; runIndex += 1) {
        without.push(await presenterPlay(server, dir, scratch, null));
        record.push(await recordAtOpen(server, dir));
        withLookAhead.push(await presenterPlay(server, dir, scratch, lookAheadSentences));
      }
      latency.push({
        firstByteDelayMs,
        withoutLookAhead: figureOf('ms', without),
        withoutLookAheadRecord: figureOf('ms', record),
        withLookAhead: figureOf('ms', withLookAhead),
        // A 0 ms with-look-ahead start would make the ratio meaningless: count it as 1 ms.
        lookAheadSpeedup: ratioFigure(
          without,
          withLookAhead.map((value) => (value === null ? null : Math.max(1, value))),
          'x',
        ),
      });
    }
    server.setFirstByteDelayMs(75);
    // A first and a second render sharing one data folder (and so one speech cache): counts,
    // not timings, so once is enough.
    const dataDir = scratch.track(await tempDir('bench-el-twice'));
    const counts: { characters: number; requests: number }[] = [];
    for (const name of ['first', 'second']) {
      const characters = server.characterCount();
      const requests = server.synthesisRequests().length;
      const outDir = scratch.track(await tempDir('bench-el-out'));
      const outcome = await renderOnce({
        mode: 'realtime',
        lessonDir: dir,
        outDir,
        outName: `${name}.mp4`,
        dataDir,
        env: { ELEVENLABS_API_KEY: apiKey, ELEVENLABS_BASE_URL: server.url },
      });
      if ('unavailable' in outcome) throw new Error(outcome.unavailable);
      if (outcome.code !== 0) throw new Error(failureReason(outcome));
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
      runs: options.runs,
      latency,
      charactersFirstRender: figure('characters', [counts[0]?.characters ?? Number.NaN]),
      charactersSecondRender: figure('characters', [counts[1]?.characters ?? Number.NaN]),
      requestsSecondRender: figure('requests', [counts[1]?.requests ?? Number.NaN]),
    };
  } finally {
    await server.close();
    await scratch.cleanup();
  }
}
