import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { type Lesson } from '../src/shared/lesson/lesson-schema.ts';
import type { HeadlessHost } from '../src/main/hosts/headless/headless-host.ts';
import { readLessonAt, sampleLessonAt, startTestHost } from '../testing/support/app-host.ts';
import { readMainLog } from '../testing/support/render-cli.ts';
import { expectLessonReady } from './support/lesson-state.ts';

/**
 * The editor as a teacher uses it, through the headless host in real Chromium: edit a slide's
 * narration and hear only that slide made again, reorder slides by drag and drop, add, duplicate
 * and delete, undo and redo, save (and autosave), then reopen the lesson and find it as left.
 */
const width = 640;
const height = 360;

let host: HeadlessHost;
let lessonDir: string;
let lesson: Lesson;
let logDir: string;

test.beforeAll(async () => {
  ({ dir: lessonDir, lesson } = await sampleLessonAt(width, height));
  ({ host, logDir } = await startTestHost(lessonDir));
});

test.afterAll(async () => {
  await host.close();
});

async function onDisk(): Promise<Lesson> {
  return readLessonAt(lessonDir);
}

const slideButtons = (page: Page) => page.locator('nav[aria-label="Slides"] .slide-item');

/** The ids of the slides as the list shows them, read back from what was saved. */
async function savedIds(): Promise<string[]> {
  return (await onDisk()).slides.map((slide) => slide.id);
}

test('edits narration, reorders, adds and deletes slides, undoes, saves and reopens', async ({
  page,
}, testInfo) => {
  await page.goto(host.server.appUrl);
  await expectLessonReady(page, lesson.title);
  await expect(slideButtons(page)).toHaveCount(lesson.slides.length);
  await expect(page.getByTestId('save-state')).toHaveText('Saved');

  // Narration: typed into slide 2, autosaved, and only slide 2 is spoken again.
  await slideButtons(page).nth(1).click();
  await expect(page.getByTestId('slide-position')).toHaveText(`Slide 2 / ${lesson.slides.length}`);
  const narration = page.getByTestId('narration');
  await expect(narration).toHaveValue(lesson.slides[1]!.narration);
  const newText = 'Plants turn light into sugar. This sentence was written in the editor.';
  const synthesised = async () =>
    (await readMainLog(logDir)).filter((line) => line.event_type === 'speech_synthesized');
  // What was spoken before the edit (the look-ahead prepares the selected slide and the next).
  const before = await synthesised();
  const spokenBefore = new Set(before.map((line) => line.performance_data?.characters));
  await narration.fill(newText);
  await expect(page.getByTestId('save-state')).toHaveText('All changes saved');
  expect((await onDisk()).slides[1]?.narration).toBe(newText);

  await page.getByRole('button', { name: '▶ Preview slide' }).click();
  await expect(page.getByTestId('play-state')).toHaveText('playing');
  // The preview plays this slide only, then stops by itself and stays on it.
  await expect(page.getByTestId('play-state')).toHaveText(/idle|ended/, { timeout: 30_000 });
  await expect(page.getByTestId('slide-position')).toHaveText(`Slide 2 / ${lesson.slides.length}`);
  // Only the edited slide was made again: everything spoken before came from the cache.
  const madeAfter = (await synthesised())
    .slice(before.length)
    .filter((line) => line.performance_data?.cached === false)
    .map((line) => line.performance_data?.characters);
  expect(madeAfter.filter((characters) => characters === newText.length)).toHaveLength(1);
  expect(madeAfter.filter((characters) => spokenBefore.has(characters))).toEqual([]);

  // Reorder: drag the last slide above the first.
  const ids = lesson.slides.map((slide) => slide.id);
  await page.getByTestId(`slide-${ids.length}`).dragTo(page.getByTestId('slide-1'), {
    targetPosition: { x: 20, y: 2 },
  });
  const moved = [ids[ids.length - 1]!, ...ids.slice(0, -1)];
  await expect.poll(savedIds).toEqual(moved);
  await expect(slideButtons(page).first()).toContainText(
    lesson.slides[ids.length - 1]!.title ?? lesson.slides[ids.length - 1]!.narration.slice(0, 10),
  );

  // Undo puts it back (and is saved too); redo moves it again.
  await page.getByRole('button', { name: 'Undo Move slide' }).click();
  await expect.poll(savedIds).toEqual(ids);
  await page.getByRole('button', { name: 'Redo Move slide' }).click();
  await expect.poll(savedIds).toEqual(moved);
  await page.getByRole('button', { name: 'Undo Move slide' }).click();
  await expect.poll(savedIds).toEqual(ids);

  // Keyboard reorder: Alt+↓ on the focused slide.
  await slideButtons(page).first().focus();
  await page.keyboard.press('Alt+ArrowDown');
  await expect.poll(savedIds).toEqual([ids[1], ids[0], ...ids.slice(2)]);
  await page.getByRole('button', { name: 'Undo Move slide' }).click();
  await expect.poll(savedIds).toEqual(ids);

  // Add a blank slide after the selected one, duplicate it, delete the copy.
  await slideButtons(page).nth(1).click();
  await page.getByRole('button', { name: '+ Slide' }).click();
  await expect(slideButtons(page)).toHaveCount(ids.length + 1);
  await expect(page.getByTestId('slide-position')).toHaveText(`Slide 3 / ${ids.length + 1}`);
  await page.getByTestId('narration').fill('A slide added in the editor.');
  await page.getByRole('button', { name: 'Duplicate' }).click();
  await expect(slideButtons(page)).toHaveCount(ids.length + 2);
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(slideButtons(page)).toHaveCount(ids.length + 1);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('save-state')).toHaveText('All changes saved');
  const saved = await onDisk();
  expect(saved.slides).toHaveLength(ids.length + 1);
  expect(saved.slides[2]?.narration).toBe('A slide added in the editor.');
  // The new slide's image was written into the lesson folder.
  await readFile(join(lessonDir, saved.slides[2]!.image));
  await page.screenshot({ path: testInfo.outputPath('editor.png') });

  // Reopen: a fresh page opens the lesson from disk, as it was left, with a fresh history.
  await page.reload();
  await expect(slideButtons(page)).toHaveCount(ids.length + 1);
  await slideButtons(page).nth(1).click();
  await expect(page.getByTestId('narration')).toHaveValue(newText);
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  await expect(page.getByRole('button', { name: 'Undo', exact: true })).toBeDisabled();
});

test(
  'lists the lesson among recent lessons and reopens it from there',
  { tag: '@busy' },
  async ({ page }) => {
    await page.goto(host.server.appUrl);
    await expectLessonReady(page, lesson.title);
    await page.getByRole('button', { name: 'Open lesson…' }).click();
    await page.getByRole('button', { name: 'Sample lesson' }).click();
    await expect(page.getByRole('form', { name: 'Open a lesson folder' })).toBeHidden();
    await page.getByRole('button', { name: 'Open lesson…' }).click();
    const recent = page.getByRole('region', { name: 'Recent lessons' });
    await expect(recent.getByRole('button', { name: new RegExp(lessonDir) })).toBeVisible();
    await recent.getByRole('button', { name: new RegExp(lessonDir) }).click();
    await expect(page.locator('.lesson-title')).toHaveAttribute('title', lessonDir);
  },
);

test('a new lesson starts with a title slide and is saved at once', async ({ page }) => {
  const dir = join(lessonDir, '..', `${lesson.id}-new-${Date.now()}`);
  await page.goto(host.server.appUrl);
  await page.getByRole('button', { name: 'New…' }).click();
  await page.getByRole('textbox', { name: 'Lesson title' }).fill('Cells and tissues');
  await page.getByRole('textbox', { name: 'New lesson folder' }).fill(dir);
  await page.getByRole('button', { name: 'Create' }).click();
  await expectLessonReady(page, 'Cells and tissues');
  const created = await readLessonAt(dir);
  expect(created.slides).toHaveLength(1);
  await readFile(join(dir, created.slides[0]!.image));
  // A folder that already holds a lesson is refused, naming what to do.
  await page.getByRole('button', { name: 'New…' }).click();
  await page.getByRole('textbox', { name: 'New lesson folder' }).fill(dir);
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByTestId('notice-error')).toContainText('already holds a lesson');
});
