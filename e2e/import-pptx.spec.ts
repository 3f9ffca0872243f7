import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { HeadlessHost } from '../src/main/hosts/headless/headless-host.ts';
import { readLessonAt, sampleLessonAt, startTestHost } from '../testing/support/app-host.ts';
import {
  fixtureMissing,
  hasUnzip,
  notesByUnzip,
  notesDeck,
  squash,
} from '../testing/support/pptx-notes.ts';
import { pngToRgb } from './support/reference-slides.ts';
import { expectLessonShown } from './support/lesson-state.ts';

/**
 * Import a PowerPoint deck with speaker notes as a presenter would, through the real LibreOffice:
 * PowerPoint tab, the deck, a new folder, Import. Each slide's notes become its narration (checked
 * against the notes read independently with unzip), titles come from the title placeholders, and
 * the slide images are the deck's pages, not blank frames. A damaged deck is refused by name,
 * before LibreOffice runs, and nothing is written.
 */

let host: HeadlessHost;
let sampleTitle: string;

function onPath(command: string): boolean {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => dir.length > 0 && existsSync(join(dir, command)));
}
const noLibreOffice =
  'LibreOffice (soffice) is not installed here: run scripts/setup-system.sh (libreoffice-impress)';

test.beforeAll(async () => {
  const sample = await sampleLessonAt(640, 360);
  sampleTitle = sample.lesson.title;
  ({ host } = await startTestHost(sample.dir));
});
test.afterAll(async () => {
  await host.close();
});

async function openPowerPointTab(page: Page) {
  await page.goto(host.server.appUrl);
  await expectLessonShown(page, sampleTitle);
  await page.getByRole('button', { name: 'Import…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import a lesson' });
  await dialog.getByRole('tab', { name: 'PowerPoint' }).click();
  return dialog;
}

/** Standard deviation of luma over a whole RGB24 image: a blank or uniform frame is near 0. */
function lumaSpread(rgb: Uint8Array): number {
  let sum = 0;
  let sumSquares = 0;
  const n = rgb.length / 3;
  for (let i = 0; i < rgb.length; i += 3) {
    const luma = 0.299 * (rgb[i] ?? 0) + 0.587 * (rgb[i + 1] ?? 0) + 0.114 * (rgb[i + 2] ?? 0);
    sum += luma;
    sumSquares += luma * luma;
  }
  const mean = sum / n;
  return Math.sqrt(Math.max(0, sumSquares / n - mean * mean));
}

test('a deck with speaker notes: each slide narrated from its notes, titled, drawn', async ({
  page,
}, testInfo) => {
  test.skip(fixtureMissing(notesDeck) !== null, fixtureMissing(notesDeck) ?? '');
  test.skip(!onPath('soffice') && !onPath('libreoffice'), noLibreOffice);
  test.setTimeout(300_000);
  const lessonDir = join(await mkdtemp(join(tmpdir(), 'rapido-import-pptx-')), 'resume-workshop');

  const dialog = await openPowerPointTab(page);
  await dialog.getByLabel('PowerPoint file (.pptx)').setInputFiles(notesDeck);
  await dialog.getByRole('textbox', { name: 'New lesson folder' }).fill(lessonDir);
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog.getByRole('status').first()).toContainText('with LibreOffice');

  const done = dialog.getByTestId('import-done');
  await expect(done.or(dialog.getByTestId('import-error'))).toBeVisible({ timeout: 240_000 });
  await expect(done).toContainText('Imported 21 pages');
  await expect(dialog.getByTestId('import-deck-summary')).toHaveText(
    'Narration from the speaker notes on 20 slides; from the slide’s own text on 1 slide without notes.',
  );
  await page.screenshot({ path: testInfo.outputPath('import-pptx-done.png') });

  const lesson = await readLessonAt(lessonDir);
  expect(lesson.slides).toHaveLength(21);
  expect(lesson.slides[0]?.title).toBe(
    'Create a resume website in the browser using github.dev and GitHub Pages',
  );
  expect(lesson.slides[5]?.title).toBe('Getting started with HTML');
  expect(lesson.slides[10]?.title).toBe('Add your work experience');
  // Slide 2 is a screenshot without a title placeholder.
  expect(lesson.slides[1]?.title).toBeUndefined();
  expect(lesson.slides[10]?.narration).toContain('<!-- your work experience -->');
  // The closing slide has empty notes: its own text instead.
  expect(lesson.slides[20]?.narration).toContain('To continue growing your web development skills');
  if (hasUnzip()) {
    const notes = notesByUnzip(notesDeck);
    for (const index of [0, 3, 5, 8, 10, 16]) {
      expect(squash(lesson.slides[index]?.narration ?? ''), `slide ${index + 1}`).toBe(
        notes[index],
      );
    }
  }

  // Every page written at the output size; the pages are drawn, not blank.
  const images = (await readdir(join(lessonDir, 'slides'))).filter((f) => f.endsWith('.png'));
  expect(images).toHaveLength(21);
  for (const index of [0, 5, 13, 20]) {
    const slide = lesson.slides[index];
    if (!slide) throw new Error(`no slide ${index + 1}`);
    const rgb = await pngToRgb(readFileSync(join(lessonDir, slide.image)), 320, 180);
    // Measured: 30 to 38 on slides 1, 6, 14 and 21 of this deck; a blank page is 0.
    expect(lumaSpread(rgb), slide.image).toBeGreaterThan(15);
  }

  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(page.getByRole('navigation', { name: 'Slides' }).getByRole('listitem')).toHaveCount(
    21,
  );
});

test(
  'a damaged deck is refused by name before LibreOffice runs, and nothing is written',
  { tag: '@busy' },
  async ({ page }) => {
    test.skip(fixtureMissing(notesDeck) !== null, fixtureMissing(notesDeck) ?? '');
    const folder = await mkdtemp(join(tmpdir(), 'rapido-import-pptx-bad-'));
    // The deck cut short: its ZIP directory (at the end) is gone.
    const damaged = join(folder, 'damaged.pptx');
    await writeFile(damaged, readFileSync(notesDeck).subarray(0, 500_000));
    const lessonDir = join(folder, 'lesson');

    const dialog = await openPowerPointTab(page);
    await dialog.getByLabel('PowerPoint file (.pptx)').setInputFiles(damaged);
    await dialog.getByRole('textbox', { name: 'New lesson folder' }).fill(lessonDir);
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();

    const alert = dialog.getByRole('alert');
    await expect(alert).toContainText('damaged.pptx could not be read as a PowerPoint deck');
    await expect(alert).toContainText('not a ZIP archive');
    expect(existsSync(lessonDir)).toBe(false);
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(page.locator('.lesson-title')).toHaveText(sampleTitle);
  },
);
