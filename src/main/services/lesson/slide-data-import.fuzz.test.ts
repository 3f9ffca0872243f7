import { rm, writeFile } from 'node:fs/promises';
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
import { pngBytes, tempRoot, writeFiles } from '../../../../testing/lesson-files.ts';
import { lessonSchema } from '../../../shared/lesson/lesson-schema.ts';
import { rapidoErrorSchema } from '../../../shared/result.ts';
import { importSlideData } from './slide-data-import.ts';

/** The predecessor's slide data in the spellings the importer reads (see its header comment). */
const bases: unknown[] = [
  {
    title: 'Planets',
    frameWidth: 1920,
    frameHeight: 1080,
    slides: [
      {
        slideInfo: {
          image: 'frame_001.png',
          narrationData: 'The Sun is a star.',
          narrationDuration: 3.2,
          presenterConfig: { x: 1440, y: 540, width: 432, height: 486 },
        },
      },
      {
        slideInfo: {
          slideNumber: 2,
          narrationData: [{ text: 'Venus is hot.' }, 'It spins backwards.'],
          narrationDuration: '4.5s',
          presenterConfig: { position: 'top-left', size: 'small', unit: 'px' },
          title: 'Venus',
          notes: 'A pause.',
        },
      },
    ],
  },
  [
    {
      frame: '1',
      narration: 'Mercury is closest.',
      presenterConfig: { x: '75%', y: 0.5, width: 0.225, height: '0.45', visible: 'true' },
    },
    {
      imagePath: 'file:./frame_002.png',
      text: '',
      narrationDuration: 2,
      presenterConfig: { hidden: true },
    },
  ],
];

let root: string;
let remove: () => Promise<void>;
let imported = 0;

beforeAll(async () => {
  ({ root, remove } = await tempRoot('rapido-slide-data-fuzz-'));
  await writeFiles(root, { 'frame_001.png': pngBytes, 'frame_002.png': pngBytes });
});
afterAll(() => remove());

const slideData = fc.constantFrom(0, 1).chain((index) => documentNear(bases[index]));

describe('slide-data import (properties)', () => {
  fuzzAsync(
    'slide data: any text imports a valid lesson or names the entries and lines at fault',
    slideData,
    async (text) => {
      const file = join(root, 'data.json');
      await writeFile(file, text);
      const lessonDir = join(root, 'out');
      const result = await importSlideData({ file, lessonDir });
      expectPlainData(result);
      if (!result.ok) {
        expect(rapidoErrorSchema.safeParse(result.error).success).toBe(true);
        expect(['invalid-request', 'lesson-invalid']).toContain(result.error.code);
        const lines = lineCount(text);
        const details = result.error.details ?? [];
        if (details.length === 0 && result.error.code === 'invalid-request') {
          expect(result.error.message).toMatch(/^data\.json(:\d+:\d+: .| cannot be imported)/);
        }
        for (const detail of details) {
          const line = /\(line (\d+)\): ./.exec(detail);
          // The importer's own problems carry a line; a lesson the schema refuses, a field path.
          if (result.error.code === 'invalid-request') expect(line, detail).not.toBeNull();
          if (line) expect(Number(line[1])).toBeLessThanOrEqual(lines);
        }
        return;
      }
      imported += 1;
      expect(lessonSchema.safeParse(result.value.lesson).success).toBe(true);
      await rm(lessonDir, { recursive: true, force: true });
    },
    maxFileCaseMs,
  );

  // Guards the generator: a property that never imports anything would test only refusals.
  test('slide data: some generated documents import (generator check)', () => {
    expect(imported).toBeGreaterThan(0);
  });
});
