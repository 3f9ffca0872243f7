import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pngBytes, tempRoot, writeFiles } from '../../../testing/lesson-files.ts';
import { callerFor, startWiredServices } from '../../../testing/support/wiring-services.ts';
import { buildCaptionCues } from '../../shared/captions/caption-cues.ts';
import {} from '../../shared/ipc/contract.ts';
import { lessonSchema, type Lesson } from '../../shared/lesson/lesson-schema.ts';
import { slideSpeechRequest } from '../../shared/speech/slide-speech-request.ts';
import { readWav } from '../../shared/speech/wav-reader.ts';
import { int16Samples } from '../../shared/pcm-samples.ts';
import { recordedSpeechFrom } from '../services/speech/recorded/recorded-speech.ts';
import type { Dispatcher } from '../services/ipc/dispatcher.ts';
import type { AppServices } from './app-services.ts';
import { startReferenceServer } from '../../../testing/synctalk-reference/reference-server.ts';
import { idealServer } from '../../../testing/synctalk-reference/server-state.ts';

/**
 * A slide's recorded narration through the main process as the page reaches it (the real
 * dispatcher, pipeline, voice services and speech cache): the real speech fixtures of
 * ../shared/fixtures/media/speech (SOURCES.md §5), at 22.05 kHz as recorded and converted by
 * ffmpeg to 48 kHz stereo float.
 */

const speechFixtures = resolve(import.meta.dirname, '../../../../shared/fixtures/media/speech');
const longClip = join(speechFixtures, 'ljspeech_LJ001-0001_22k_mono.wav');
const shortClip = join(speechFixtures, 'ljspeech_LJ001-0002_short_22k_mono.wav');
const fixturesMissing = !existsSync(longClip) || !existsSync(shortClip);
if (fixturesMissing) {
  console.warn(
    `recorded narration: speech fixtures not found in ${speechFixtures} (they live outside the repo in ../shared/fixtures/media/speech), skipping`,
  );
}
function hasFfmpeg(): boolean {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const ffmpegMissing = !hasFfmpeg();
if (ffmpegMissing)
  console.warn('recorded narration: ffmpeg not on PATH, skipping the 48 kHz float case');

/** LJ001-0001's transcript (SOURCES.md §5b), the slide's script. */
const script =
  'Printing, in the only sense with which we are at present concerned, differs from most if not from all the arts and crafts represented in the Exhibition';
/** Times for its first words, as an import would bring them (ms from the recording's start). */
const recordedWords = [
  { text: 'Printing', startMs: 120, endMs: 610 },
  { text: 'in', startMs: 850, endMs: 930 },
  { text: 'the', startMs: 930, endMs: 1010 },
  { text: 'only', startMs: 1010, endMs: 1330 },
  { text: 'sense', startMs: 1330, endMs: 1800 },
];

let root: string;
let remove: () => Promise<void>;
let services: AppServices | null = null;

beforeEach(async () => {
  ({ root, remove } = await tempRoot('rapido-recorded-'));
});

afterEach(async () => {
  await services?.dispose();
  services = null;
  await remove();
});

const context = { transport: 'electron' as const, clientId: 'test' };

const call = callerFor(context);

function lessonWith(slides: Lesson['slides'] extends (infer S)[] ? Partial<S>[] : never): Lesson {
  return lessonSchema.parse({
    schemaVersion: 1,
    id: 'recorded',
    title: 'Recorded',
    slides: slides.map((slide, index) => ({
      id: `s${index + 1}`,
      image: 'slides/one.png',
      narration: script,
      ...slide,
    })),
  });
}

/** A lesson folder main opened (given on the command line, then lesson:open). */
async function openLesson(
  lesson: Lesson,
  files: Record<string, string>,
): Promise<{
  dispatcher: Dispatcher;
  dir: string;
}> {
  const dir = join(root, 'lesson');
  await writeFiles(dir, { 'slides/one.png': pngBytes, 'lesson.json': JSON.stringify(lesson) });
  for (const [name, source] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await copyFile(source, join(dir, name));
  }
  const started = startWiredServices(root, { launch: { lessonDir: dir } });
  services = started.services;
  const opened = await call(started.dispatcher, 'lesson:open', { dir });
  if (!opened.ok) throw new Error(opened.error.message);
  return { dispatcher: started.dispatcher, dir: opened.value.dir };
}

async function fixtureDurationMs(file: string): Promise<number> {
  const wav = readWav(await readFile(file), file);
  if (!wav.ok) throw new Error(wav.error.message);
  return wav.value.durationMs;
}

describe.skipIf(fixturesMissing)('recorded narration through the main process', () => {
  it('speaks the WAV at 16 kHz for its length, words from the recording, captions on them', async () => {
    const lesson = lessonWith([
      { recordedNarration: { audio: 'narration/slide-01.wav', words: recordedWords } },
    ]);
    const { dispatcher, dir } = await openLesson(lesson, { 'narration/slide-01.wav': longClip });
    const request = slideSpeechRequest(lesson, 0, dir);
    const spoken = await call(dispatcher, 'speech:synthesize', request);
    if (!spoken.ok) throw new Error(spoken.error.message);
    const speech = spoken.value;

    expect(speech.providerId).toBe('recorded-wav.1');
    expect(speech.sampleRateHz).toBe(16_000);
    expect(speech.fallback).toBeNull();
    expect(speech.cached).toBe(false);
    // The recording's length to the output sample (9.66 s, SOURCES.md), whatever its rate.
    const recordedMs = await fixtureDurationMs(longClip);
    expect(recordedMs).toBeCloseTo(9660, -1);
    expect(Math.abs(speech.durationMs - recordedMs)).toBeLessThanOrEqual(1000 / 16_000);
    expect(speech.pcm.byteLength / 2).toBe(Math.round((speech.durationMs * 16_000) / 1000));

    // The first words take the recording's times, offsets into the script; the rest follow.
    expect(speech.words.slice(0, 5).map((w) => [w.text, w.startMs, w.endMs])).toEqual(
      recordedWords.map((w) => [w.text, w.startMs, w.endMs]),
    );
    for (const word of speech.words) {
      expect(script.slice(word.charStart, word.charEnd)).toBe(word.text);
      expect(word.endMs).toBeLessThanOrEqual(speech.durationMs);
    }
    expect(speech.words.map((w) => w.text).join(' ')).toBe(
      script.replace(/,/g, '').replace(/\s+/g, ' '),
    );
    expect(speech.words.at(-1)?.startMs).toBeGreaterThan(1800);

    // Captions are cut from those times: the first cue starts on the recording's first word.
    const cues = buildCaptionCues(speech.words);
    expect(cues[0]?.startMs).toBe(120);
    expect(cues[0]?.text.startsWith('Printing in the only sense')).toBe(true);

    // Asked again: from the speech cache, the same audio.
    const again = await call(dispatcher, 'speech:synthesize', request);
    if (!again.ok) throw new Error(again.error.message);
    expect(again.value.cached).toBe(true);
    expect(Buffer.from(again.value.pcm).equals(Buffer.from(speech.pcm))).toBe(true);

    // Re-recorded under the same name: never the old speech.
    await copyFile(shortClip, join(dir, 'narration', 'slide-01.wav'));
    const rerecorded = await call(dispatcher, 'speech:synthesize', request);
    if (!rerecorded.ok) throw new Error(rerecorded.error.message);
    expect(rerecorded.value.cached).toBe(false);
    expect(rerecorded.value.durationMs).toBeCloseTo(await fixtureDurationMs(shortClip), 0);
  });

  it("is prepared ahead by the pipeline (the editor's Prepare, `rapido prepare`) into the cache playback reads", async () => {
    const lesson = lessonWith([
      { recordedNarration: { audio: 'narration/slide-01.wav', words: recordedWords } },
      { narration: 'The second slide is spoken by the voice.' },
    ]);
    const { dispatcher, dir } = await openLesson(lesson, { 'narration/slide-01.wav': longClip });
    if (!services) throw new Error('services not started');
    const final = await services.pipeline.prepareLesson(lesson, dir, {});
    expect(final).toMatchObject({ state: 'done', slidesDone: 2, failures: [] });
    const played = await call(dispatcher, 'speech:synthesize', slideSpeechRequest(lesson, 0, dir));
    if (!played.ok) throw new Error(played.error.message);
    expect(played.value).toMatchObject({ cached: true, providerId: 'recorded-wav.1' });
  });

  it('animates the SyncTalk avatar from the recording (the reference server hears exactly it)', async () => {
    const alin = { name: 'alin_cc', width: 48, height: 32, keyColor: '#089831' };
    // A well-behaved server: the real one's quirks (retries, dropped tails) are tested elsewhere.
    const server = await startReferenceServer({
      port: 0,
      avatars: [alin],
      preloaded: [alin.name],
      faults: { ...idealServer },
    });
    try {
      const lesson = lessonSchema.parse({
        ...lessonWith([{ recordedNarration: { audio: 'narration/slide-01.wav' } }]),
        avatar: {
          provider: 'synctalk',
          serverUrl: server.url,
          avatarName: alin.name,
          frameSize: { width: alin.width, height: alin.height },
        },
      });
      const { dispatcher, dir } = await openLesson(lesson, { 'narration/slide-01.wav': shortClip });
      const request = slideSpeechRequest(lesson, 0, dir);
      if (lesson.avatar.provider !== 'synctalk') throw new Error('expected SyncTalk');
      const spoken = await call(dispatcher, 'speech:synthesize', request);
      if (!spoken.ok) throw new Error(spoken.error.message);
      const segment = await call(dispatcher, 'avatar:segment', {
        requestId: 'r1',
        speech: request,
        avatar: lesson.avatar,
        creditFrames: 10_000,
      });
      if (!segment.ok) throw new Error(segment.error.message);
      // One 40 ms frame per 640 samples of the recording at 16 kHz, each frame's audio checked
      // against the speech main answered with.
      expect(segment.value.frameCount).toBe(Math.ceil(spoken.value.pcm.byteLength / 2 / 640));
      expect(segment.value.audioMismatches).toBe(0);
      // One utterance: the recording, padded by the client to whole 40 ms frames.
      expect(server.stats()).toMatchObject({
        utterances: 1,
        audioBytesReceived: segment.value.frameCount * 1280,
      });
    } finally {
      await services?.dispose();
      services = null;
      await server.close();
    }
  });

  it.skipIf(ffmpegMissing)(
    'takes a 48 kHz stereo float WAV, and estimates word times over its voice without words',
    async () => {
      const converted = join(root, 'converted.wav');
      execFileSync('ffmpeg', [
        // Both channels the mono signal at full level (ffmpeg's own upmix is 3 dB down).
        ...['-v', 'error', '-i', longClip, '-af', 'pan=stereo|c0=c0|c1=c0', '-ar', '48000'],
        ...['-c:a', 'pcm_f32le', converted],
      ]);
      const lesson = lessonWith([{ recordedNarration: { audio: 'narration/float.wav' } }]);
      const { dispatcher, dir } = await openLesson(lesson, { 'narration/float.wav': converted });
      const spoken = await call(
        dispatcher,
        'speech:synthesize',
        slideSpeechRequest(lesson, 0, dir),
      );
      if (!spoken.ok) throw new Error(spoken.error.message);
      const speech = spoken.value;
      expect(Math.abs(speech.durationMs - (await fixtureDurationMs(longClip)))).toBeLessThan(2);
      // The same audio as the 22.05 kHz original resampled directly: band-limited resampling
      // from either rate agrees to about 77 dB, with no delay (nearest-sample picking, or a
      // shift of one sample, would be under 30 dB).
      const direct = recordedSpeechFrom(await readFile(longClip), 'original', script, undefined);
      if (!direct.ok) throw new Error(direct.error.message);
      const ours = int16Samples(speech.pcm);
      let signal = 0;
      let noise = 0;
      for (let n = 100; n < Math.min(ours.length, direct.value.pcm.length) - 100; n += 1) {
        const reference = direct.value.pcm[n] ?? 0;
        signal += reference ** 2;
        noise += (reference - (ours[n] ?? 0)) ** 2;
      }
      expect(10 * Math.log10(signal / noise)).toBeGreaterThan(60);
      expect(speech.words).toHaveLength(script.split(/\s+/).length);
      // Spread over the voice: not before the speaker starts, ending where the voice ends.
      expect(speech.words[0]?.startMs).toBeGreaterThanOrEqual(0);
      expect(speech.words.at(-1)?.endMs).toBeGreaterThan(speech.durationMs * 0.8);
      expect(speech.words.at(-1)?.endMs).toBeLessThanOrEqual(speech.durationMs);
    },
  );

  it('reads a recording only inside a lesson main opened', async () => {
    const lesson = lessonWith([{ recordedNarration: { audio: 'narration/slide-01.wav' } }]);
    const { dispatcher, dir } = await openLesson(lesson, { 'narration/slide-01.wav': longClip });
    const elsewhere = join(root, 'elsewhere');
    await mkdir(elsewhere);
    await copyFile(longClip, join(elsewhere, 'private.wav'));
    const base = slideSpeechRequest(lesson, 0, dir);
    if (!base?.recorded) throw new Error('expected a recorded request');

    const unopened = await call(dispatcher, 'speech:synthesize', {
      ...base,
      recorded: { ...base.recorded, lessonDir: elsewhere, audio: 'private.wav' },
    });
    expect(unopened.ok ? null : unopened.error.code).toBe('path-not-chosen');
    for (const audio of ['../elsewhere/private.wav', join(elsewhere, 'private.wav')]) {
      const escaped = await call(dispatcher, 'speech:synthesize', {
        ...base,
        recorded: { ...base.recorded, audio },
      });
      expect(escaped.ok ? null : escaped.error.code).toBe('path-outside-lesson');
    }
    // The avatar's speech request is checked the same way, before any avatar work.
    const segment = await call(dispatcher, 'avatar:segment', {
      requestId: 'r1',
      speech: { ...base, recorded: { ...base.recorded, lessonDir: elsewhere } },
      avatar: {
        provider: 'synctalk',
        serverUrl: 'http://127.0.0.1:9',
        avatarName: 'a',
      },
      creditFrames: 10,
    });
    expect(segment.ok ? null : segment.error.code).toBe('path-not-chosen');
  });

  it('refuses a recording it cannot read, naming the file', async () => {
    const lesson = lessonWith([{ recordedNarration: { audio: 'narration/slide-01.wav' } }]);
    const { dispatcher, dir } = await openLesson(lesson, { 'narration/slide-01.wav': longClip });
    // Replaced after opening by something that is no WAV.
    await writeFile(join(dir, 'narration', 'slide-01.wav'), 'ID3 not a wav');
    const spoken = await call(dispatcher, 'speech:synthesize', slideSpeechRequest(lesson, 0, dir));
    expect(spoken.ok).toBe(false);
    if (!spoken.ok) {
      expect(spoken.error.message).toContain('narration/slide-01.wav: not a WAV file');
    }
  });
});
