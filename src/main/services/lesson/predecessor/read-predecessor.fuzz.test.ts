import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  documentNear,
  expectPlainData,
  fuzzAsync,
  lineCount,
  maxFileCaseMs,
} from '../../../../../testing/fuzz.ts';
import { pngBytes, tempRoot, writeFiles } from '../../../../../testing/lesson-files.ts';
import { predecessorPlanSchema } from '../../../../shared/lesson/predecessor-import.ts';
import { rapidoErrorSchema } from '../../../../shared/result.ts';
import { readPredecessorFile } from './read-predecessor.ts';
import { innerDocument, parsedSlideData } from './predecessor-samples.test-data.ts';

let root: string;
let remove: () => Promise<void>;
const readCount = { parsed: 0, document: 0 };

beforeAll(async () => {
  ({ root, remove } = await tempRoot('rapido-predecessor-fuzz-'));
  await writeFiles(root, { 'frames/slide_1.png': pngBytes });
});
afterAll(() => remove());

/** Either form: parsed slide data near the sample, or a document whose inner string is. */
const predecessorText = fc.oneof(
  documentNear(parsedSlideData()),
  documentNear(innerDocument()).map((inner) =>
    JSON.stringify({ docId: 'd', stringifiedDocJson: inner, videoUrl: null }, null, 2),
  ),
  documentNear(innerDocument()),
);

describe('predecessor files (properties)', () => {
  fuzzAsync(
    'predecessor: any text reads as a plan the contract accepts, or names the fields and lines at fault',
    predecessorText,
    async (text) => {
      const file = join(root, 'data.json');
      await writeFile(file, text);
      const result = await readPredecessorFile({ file, imagesDir: join(root, 'frames') });
      // The plan and the error cross to the page (main's asset map stays in main).
      expectPlainData(result.ok ? result.value.plan : result.error);
      if (!result.ok) {
        expect(rapidoErrorSchema.safeParse(result.error).success).toBe(true);
        expect(result.error.code).toBe('invalid-request');
        const lines = lineCount(text);
        for (const detail of result.error.details ?? []) {
          if (detail.startsWith('…and')) continue;
          const line = /^\S.*? \(line (\d+)\)/.exec(detail);
          expect(line, detail).not.toBeNull();
          expect(Number(line?.[1])).toBeLessThanOrEqual(lines);
        }
        return;
      }
      expect(predecessorPlanSchema.safeParse(result.value.plan).success).toBe(true);
      // Every key a slide names is an asset of the plan, and main knows where it comes from.
      const keys = new Set(result.value.plan.assets.map((asset) => asset.key));
      expect([...result.value.assets.keys()].sort()).toEqual([...keys].sort());
      for (const slide of result.value.plan.slides) {
        if (slide.recorded) expect(keys.has(slide.recorded.asset)).toBe(true);
        if (slide.visual.kind === 'image') expect(keys.has(slide.visual.asset)).toBe(true);
        if (slide.visual.kind === 'canvas') {
          for (const object of slide.visual.objects) {
            if (object.kind === 'image') expect(keys.has(object.asset)).toBe(true);
          }
        }
      }
      if (result.value.plan.form === 'parsed-slide-data') readCount.parsed += 1;
      else readCount.document += 1;
    },
    maxFileCaseMs,
  );

  // Guards the generator: properties that never read anything would test only refusals.
  test('predecessor: some generated files of each form read (generator check)', () => {
    expect(readCount.parsed).toBeGreaterThan(0);
    expect(readCount.document).toBeGreaterThan(0);
  });
});
