import { symlink, writeFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  expectError,
  expectOk,
  pngBytes,
  tempRoot,
  writeFiles,
} from '../../../../testing/lesson-files.ts';
import { lessonSchema, type Lesson } from '../../../shared/lesson/lesson-schema.ts';
import { encodeWavPcm16 } from '../../../shared/speech/wav-reader.ts';
import { saveLessonFolder, writeLessonAsset } from './lesson-save.ts';
import { loadLesson } from './lesson-store.ts';

/**
 * A slide's recorded narration is a lesson asset like its image: opening and saving check it is
 * inside the folder (links followed), there, and a WAV speech can read; importers write it with
 * lesson:write-asset.
 */

const wav = encodeWavPcm16(new Int16Array(1600), 16_000);

let root: string;
let remove: () => Promise<void>;
beforeEach(async () => {
  ({ root, remove } = await tempRoot('rapido-recorded-asset-'));
});
afterEach(() => remove());

function lessonWith(audio: string[]): Lesson {
  return lessonSchema.parse({
    schemaVersion: 1,
    id: 'rec',
    title: 'Recorded',
    slides: audio.map((path, index) => ({
      id: `s${index + 1}`,
      image: 'slides/one.png',
      narration: `Slide ${index + 1}.`,
      recordedNarration: { audio: path },
    })),
  });
}

describe('opening a lesson with recorded narration', () => {
  it('opens when each recording is a readable WAV inside the folder', async () => {
    const dir = join(root, 'lesson');
    await writeFiles(dir, {
      'slides/one.png': pngBytes,
      'narration/one.wav': wav,
      'lesson.json': JSON.stringify(lessonWith(['narration/one.wav'])),
    });
    const loaded = expectOk(await loadLesson(dir));
    expect(loaded.lesson.slides[0]?.recordedNarration).toEqual({ audio: 'narration/one.wav' });
  });

  it('names each slide whose recording is missing, outside, linked out or no WAV', async () => {
    const dir = join(root, 'lesson');
    await writeFiles(dir, {
      'slides/one.png': pngBytes,
      'narration/text.wav': 'not audio',
      'lesson.json': JSON.stringify(
        lessonWith([
          'narration/gone.wav',
          '../outside.wav',
          'narration/link.wav',
          'narration/text.wav',
        ]),
        null,
        2,
      ),
    });
    await writeFile(join(root, 'outside.wav'), wav);
    await symlink(join(root, 'outside.wav'), join(dir, 'narration', 'link.wav'));
    const error = expectError(await loadLesson(dir));
    expect(error.details).toEqual([
      expect.stringMatching(
        /^slides\[0\]\.recordedNarration\.audio \(line \d+\): recorded narration not found: narration\/gone\.wav$/,
      ),
      expect.stringMatching(
        /^slides\[1\]\.recordedNarration\.audio \(line \d+\): recorded narration: path escapes the lesson folder/,
      ),
      expect.stringMatching(
        /^slides\[2\]\.recordedNarration\.audio \(line \d+\): path escapes the lesson folder: narration\/link\.wav \(it links/,
      ),
      expect.stringMatching(
        /^slides\[3\]\.recordedNarration\.audio \(line \d+\): narration\/text\.wav: not a WAV file/,
      ),
    ]);
  });
});

describe('saving a lesson with recorded narration', () => {
  it('refuses a lesson whose recording is not there, naming the slide, and writes nothing', async () => {
    const dir = join(root, 'lesson');
    await writeFiles(dir, { 'slides/one.png': pngBytes });
    const error = expectError(
      await saveLessonFolder({ dir, lesson: lessonWith(['narration/one.wav']), create: true }),
    );
    expect(error.code).toBe('asset-not-found');
    expect(error.details).toEqual([
      'slides[0].recordedNarration.audio, slide 1 ("Slide 1.", id s1): recorded narration not found: narration/one.wav',
    ]);
    await expect(readFile(join(dir, 'lesson.json'))).rejects.toThrow();

    await mkdir(join(dir, 'narration'));
    await writeFile(join(dir, 'narration', 'one.wav'), wav);
    expectOk(
      await saveLessonFolder({ dir, lesson: lessonWith(['narration/one.wav']), create: true }),
    );
  });
});

describe('lesson:write-asset for recordings', () => {
  it('writes a WAV speech can read, and refuses one it cannot', async () => {
    const dir = join(root, 'lesson');
    const written = expectOk(
      await writeLessonAsset({ dir, path: 'narration/slide-01.wav', bytes: wav }),
    );
    expect(written.path).toBe('narration/slide-01.wav');
    expect(
      Buffer.from(await readFile(join(dir, 'narration', 'slide-01.wav'))).equals(Buffer.from(wav)),
    ).toBe(true);

    const mp3 = new TextEncoder().encode('ID3\u0003 mp3 bytes');
    const refused = expectError(
      await writeLessonAsset({ dir, path: 'narration/slide-02.wav', bytes: mp3 }),
    );
    expect(refused.message).toBe('narration/slide-02.wav: not a WAV file (no RIFF/WAVE header)');
    const other = expectError(
      await writeLessonAsset({ dir, path: 'narration/slide-02.mp3', bytes: mp3 }),
    );
    expect(other.message).toContain('only images can be added to a lesson');
  });
});
