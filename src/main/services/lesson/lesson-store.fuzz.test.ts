import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  documentNear,
  expectPlainData,
  fuzzAsync,
  lineCount,
  maxFileCaseMs,
} from '../../../../testing/fuzz.ts';
import { tempRoot } from '../../../../testing/lesson-files.ts';
import { lessonSchema } from '../../../shared/lesson/lesson-schema.ts';
import { rapidoErrorSchema } from '../../../shared/result.ts';
import { lessonFileName, loadLesson, saveLesson } from './lesson-store.ts';

const sampleDir = join(import.meta.dirname, '../../../../resources/sample-lesson');

let root: string;
let remove: () => Promise<void>;
let bases: unknown[] = [];
let loadedCount = 0;

beforeAll(async () => {
  ({ root, remove } = await tempRoot('rapido-lesson-fuzz-'));
  // The sample lesson's folder (its slide images exist, so valid documents load).
  await cp(sampleDir, root, { recursive: true });
  const sample = JSON.parse(await readFile(join(sampleDir, lessonFileName), 'utf8')) as {
    slides: Record<string, unknown>[];
  };
  // Bases that reach every branch of the schema: both voices, both avatars, per-slide avatars.
  // One or two slides each: every image is opened on each load, and 10,000 loads must stay quick.
  const [first, second] = sample.slides;
  bases = [
    { ...sample, slides: [first] },
    {
      ...sample,
      voice: {
        provider: 'elevenlabs',
        voiceId: '21m00Tcm4TlvDq8ikWAM',
        modelId: 'eleven_flash_v2_5',
        settings: {
          stability: 0.5,
          similarityBoost: 0.7,
          style: 0,
          useSpeakerBoost: true,
          speed: 1,
        },
        languageCode: 'en',
        fallback: { provider: 'offline', voice: 'en-us', rateWpm: 165, pitch: 50 },
      },
      avatar: {
        provider: 'synctalk',
        serverUrl: 'http://127.0.0.1:8000',
        avatarName: 'May',
        folderName: 'may_512',
        frameSize: { width: 512, height: 512 },
        keyColor: '#089831',
        chromaKey: { similarity: 0.4, smoothness: 0.08, spill: 0.1 },
        placement: { x: 0.1, y: 0.2, width: 0.3, height: 0.4 },
      },
      captions: { burnIn: true },
      slides: [
        { ...first, avatar: { hidden: true, placement: { x: 0, y: 0, width: 1, height: 1 } } },
        second,
      ],
    },
  ];
});
afterAll(() => remove());

const lessonText = fc.constantFrom(0, 1).chain((index) => documentNear(bases[index]));

const lineNumbers = (text: string) => [...text.matchAll(/\(line (\d+)\)|:(\d+):\d+: /g)];

describe('lesson.json loading (properties)', () => {
  fuzzAsync(
    'lesson.json: any text loads a schema-valid lesson or names the fields and lines at fault',
    lessonText,
    async (text) => {
      await writeFile(join(root, lessonFileName), text);
      const loaded = await loadLesson(root);
      expectPlainData(loaded);
      if (!loaded.ok) {
        expect(rapidoErrorSchema.safeParse(loaded.error).success).toBe(true);
        expect(loaded.error.code).toBe('lesson-invalid');
        const details = loaded.error.details ?? [];
        if (details.length === 0) expect(loaded.error.message).toMatch(/^lesson\.json:\d+:\d+: ./);
        // Every detail is `field (line N): message`, with N a line of the file.
        const lines = lineCount(text);
        for (const detail of details) expect(detail).toMatch(/^\S.* \(line \d+\): ./);
        for (const match of lineNumbers([loaded.error.message, ...details].join('\n'))) {
          expect(Number(match[1] ?? match[2])).toBeLessThanOrEqual(lines);
        }
        return;
      }
      loadedCount += 1;
      const { lesson } = loaded.value;
      expect(lessonSchema.safeParse(lesson).success).toBe(true);
      // The writer's output reads back as the same lesson.
      const saved = await saveLesson(root, lesson);
      expect(saved.ok).toBe(true);
      const again = await loadLesson(root);
      // Compared as JSON values: the file cannot tell -0 from 0 (a fuzzed `"x": -0` loads as -0
      // and reads back as 0, the same placement), and toEqual would.
      expect(again.ok && again.value.lesson).toEqual(JSON.parse(JSON.stringify(lesson)));
    },
    maxFileCaseMs,
  );

  // Guards the generator: a property that never loads anything would test only refusals.
  test('lesson.json: some generated documents load (generator check)', () => {
    expect(loadedCount).toBeGreaterThan(0);
  });
});
