import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadLesson } from './lesson-store.ts';

/** The built-in sample lesson is what a first-time user sees: keep it within its brief. */
const sampleLessonDir = fileURLToPath(
  new URL('../../../../resources/sample-lesson', import.meta.url),
);

async function loadSample() {
  const loaded = await loadLesson(sampleLessonDir);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return loaded.value;
}

describe('the sample lesson', () => {
  test('is about 60-75 s long at 165 words per minute, 2-3 sentences a slide', async () => {
    const { lesson } = await loadSample();
    expect(lesson.voice).toMatchObject({ provider: 'offline', rateWpm: 165 });
    let totalMs = 0;
    for (const slide of lesson.slides) {
      const words = slide.narration.split(/\s+/).filter(Boolean).length;
      const sentences = slide.narration.split(/[.!?](?:\s|$)/).filter((s) => s.trim()).length;
      expect(sentences, slide.id).toBeGreaterThanOrEqual(2);
      expect(sentences, slide.id).toBeLessThanOrEqual(3);
      expect(slide.holdMs, slide.id).toBeGreaterThanOrEqual(500);
      expect(slide.holdMs, slide.id).toBeLessThanOrEqual(800);
      expect(slide.notes.length, slide.id).toBeGreaterThan(20);
      totalMs += (words / 165) * 60_000 + slide.holdMs;
    }
    expect(totalMs).toBeGreaterThanOrEqual(60_000);
    expect(totalMs).toBeLessThanOrEqual(75_000);
  });

  test('slides are self-contained 1920x1080 SVGs with generic fonts', async () => {
    const { dir, lesson } = await loadSample();
    for (const slide of lesson.slides) {
      expect(slide.image).toMatch(/^slides\/[a-z0-9-]+\.svg$/);
      const svg = await readFile(join(dir, slide.image), 'utf8');
      const rootTag = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
      expect(rootTag).toContain('width="1920"');
      expect(rootTag).toContain('height="1080"');
      expect(rootTag).toContain('viewBox="0 0 1920 1080"');
      // Nothing fetched from elsewhere: no raster images, scripts, external fonts or links.
      expect(svg).not.toMatch(/<image\b|<script\b|<foreignObject\b|@import|@font-face/);
      expect(svg).not.toMatch(/(?:href|src)="(?!#)/);
      const families = [...svg.matchAll(/font-family="([^"]*)"/g)].map((match) => match[1]);
      expect(new Set(families)).toEqual(new Set(['sans-serif']));
    }
  });
});
