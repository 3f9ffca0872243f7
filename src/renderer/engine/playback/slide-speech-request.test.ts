import { describe, expect, it } from 'vitest';
import { createRapidoApi } from '../../../shared/ipc/rapido-api.ts';
import { lessonSchema, type Lesson } from '../../../shared/lesson/lesson-schema.ts';
import type { ProgramAudio } from './program-audio.ts';
import { SlidePreparer } from './slide-preparer.ts';
import { slideSpeechRequest } from '../../../shared/speech/slide-speech-request.ts';

function lessonWith(narrations: string[]): Lesson {
  return lessonSchema.parse({
    schemaVersion: 1,
    id: 'speech-request',
    title: 'Speech request',
    voice: { provider: 'offline', voice: 'en-gb', rateWpm: 180, pitch: 40 },
    slides: narrations.map((narration, i) => ({
      id: `s${i + 1}`,
      image: `slides/${i + 1}.png`,
      narration,
    })),
  });
}

/** What the slide preparer (playback and export) sends for each slide, through the real API. */
async function preparerRequests(lesson: Lesson): Promise<unknown[]> {
  const sent: unknown[] = [];
  const api = createRapidoApi({
    invoke: (channel, payload) => {
      if (channel === 'speech:synthesize') sent.push(payload);
      // Failing both keeps the preparer away from decoding and audio buffers.
      return Promise.resolve({ ok: false, error: { code: 'not-available', message: 'test' } });
    },
    send: () => undefined,
    on: () => () => undefined,
  });
  // Never touched: both requests fail before any audio is made.
  const audio = {} as unknown as ProgramAudio;
  const preparer = new SlidePreparer(api, audio, '/lesson', lesson);
  for (let index = 0; index < lesson.slides.length; index += 1) await preparer.prepare(index);
  return sent;
}

describe('slideSpeechRequest', () => {
  it('is exactly the request the slide preparer makes (so the speech cache answers playback)', async () => {
    const lesson = lessonWith(['First slide.', '', 'Third slide.', 'Last slide.']);
    const ours = lesson.slides.map((_, index) => slideSpeechRequest(lesson, index, '/lesson'));
    expect(ours).toEqual(await preparerRequests(lesson));
    // The neighbours are there (an empty next narration is left out, as the preparer does).
    expect(ours[0]).not.toHaveProperty('nextText');
    expect(ours[0]).not.toHaveProperty('previousText');
    expect(ours[1]).toMatchObject({ previousText: 'First slide.', nextText: 'Third slide.' });
    expect(ours[3]).not.toHaveProperty('nextText');
  });

  it('is null past the last slide', () => {
    expect(slideSpeechRequest(lessonWith(['One.']), 1, '/lesson')).toBeNull();
  });
});
