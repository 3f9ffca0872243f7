import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, delimiter, join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { HeadlessHost } from '../src/main/hosts/headless/headless-host.ts';
import { readLessonAt, sampleLessonAt, startTestHost } from '../testing/support/app-host.ts';
import { expectLessonReady } from './support/lesson-state.ts';
import { scaled } from './support/timeouts.ts';

/**
 * Optional: the predecessor's real files (its repository's rapido_system/data/slideData and
 * parsed_slideData, in RAPIDO_PREDECESSOR_DATA; never copied into this repository) imported
 * through the dialog, one lesson each, every slide drawn into it (pictures that cannot be fetched,
 * e.g. offline, become placeholders). Measured offline: the 14 files in about 30 s. Skipped when
 * the variable is unset.
 */

const dataDir = process.env.RAPIDO_PREDECESSOR_DATA;
const files = (form: string) =>
  dataDir && existsSync(join(dataDir, form))
    ? readdirSync(join(dataDir, form))
        .filter((name) => name.endsWith('.json'))
        .map((name) => join(dataDir, form, name))
    : [];
const realFiles = [...files('slideData'), ...files('parsed_slideData')];

let host: HeadlessHost | undefined;
let sampleTitle = '';

test.beforeAll(async () => {
  if (realFiles.length === 0) return;
  const sample = await sampleLessonAt(640, 360);
  sampleTitle = sample.lesson.title;
  ({ host } = await startTestHost(sample.dir, {
    RAPIDO_FOLDERS: [tmpdir(), dataDir ?? ''].join(delimiter),
  }));
});
test.afterAll(async () => {
  await host?.close();
});

/** Slides in a real file: the document's inner JSON, or the parsed form's list. */
async function slideCount(file: string): Promise<number> {
  const outer = JSON.parse(await readFile(file, 'utf8')) as {
    stringifiedDocJson?: string;
    slides?: unknown[];
  };
  if (typeof outer.stringifiedDocJson === 'string') {
    return (JSON.parse(outer.stringifiedDocJson) as { slides: unknown[] }).slides.length;
  }
  return outer.slides?.length ?? 0;
}

test(
  'every real file imports through the dialog, each slide drawn',
  { tag: '@busy' },
  async ({ page }) => {
    test.skip(realFiles.length === 0, 'RAPIDO_PREDECESSOR_DATA is not set');
    test.setTimeout(scaled(60_000 * realFiles.length));
    if (!host) throw new Error('no host');
    const out = await mkdtemp(join(tmpdir(), 'rapido-import-real-'));
    await page.goto(host.server.appUrl);
    await expectLessonReady(page, sampleTitle);
    // One page for all: each import opens its lesson, and the next starts from there.
    for (const file of realFiles) {
      const form = basename(join(file, '..'));
      const lessonDir = join(out, `${form}-${basename(file, '.json')}`);
      await page.getByRole('button', { name: 'Import…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Import a lesson' });
      await dialog.getByRole('tab', { name: 'Rapido (Python) data' }).click();
      await dialog.getByRole('textbox', { name: 'Rapido data file (.json)' }).fill(file);
      await dialog.getByRole('textbox', { name: 'New lesson folder' }).fill(lessonDir);
      await dialog.getByRole('button', { name: 'Import', exact: true }).click();
      const done = dialog.getByTestId('import-done');
      await expect(done.or(dialog.getByTestId('import-error')), file).toBeVisible({
        timeout: scaled(55_000),
      });
      await expect(done, file).toBeVisible();
      const lesson = await readLessonAt(lessonDir);
      expect(lesson.slides.length, file).toBe(await slideCount(file));
      for (const slide of lesson.slides) {
        expect(existsSync(join(lessonDir, slide.image)), `${file} ${slide.image}`).toBe(true);
      }
      await dialog.getByRole('button', { name: 'Close', exact: true }).click();
      await expectLessonReady(page, lesson.title);
    }
  },
);
