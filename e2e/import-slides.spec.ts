import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import type { HeadlessHost } from '../src/main/hosts/headless/headless-host.ts';
import { sampleLessonAt, startTestHost } from '../testing/support/app-host.ts';
import { countPixels } from '../testing/support/media-probe.ts';
import { pngToRgb } from './support/reference-slides.ts';
import { expectLessonReady } from './support/lesson-state.ts';

/**
 * The predecessor's SLIDE_FRAMES_PATH workflow in the UI: a folder of slide images plus a script
 * with one paragraph per slide becomes a lesson; 4:3 slides are pillarboxed, not stretched.
 */
const run = promisify(execFile);
let host: HeadlessHost;

test.beforeAll(async () => {
  const { dir } = await sampleLessonAt(640, 360);
  ({ host } = await startTestHost(dir));
});
test.afterAll(async () => {
  await host.close();
});

test(
  'imports a folder of 4:3 slide images with a script, shows them letterboxed and plays',
  { tag: '@busy' },
  async ({ page }) => {
    const folder = await mkdtemp(join(tmpdir(), 'rapido-slides-'));
    // Three bright 4:3 test-pattern slides; file names sort naturally (slide2 before slide10).
    for (const [name, colour] of [
      ['slide1.png', 'orange'],
      ['slide2.png', 'skyblue'],
      ['slide10.png', 'pink'],
    ] as const) {
      await run('ffmpeg', [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        `color=c=${colour}:s=800x600`,
        '-frames:v',
        '1',
        join(folder, name),
      ]);
    }
    await writeFile(
      join(folder, 'script.txt'),
      'First, an orange slide.\n\nSecond, the sky blue one.\n\nThird and last, a pink slide.\n',
    );

    await page.goto(host.server.appUrl);
    await expect(page.getByTestId('slide-position')).toHaveText('Slide 1 / 4');
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByRole('tab', { name: 'Images + script' }).click();
    await page.getByRole('textbox', { name: 'Slide images folder' }).fill(folder);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect(page.getByTestId('notice-info')).toContainText('Imported 3 slides');
    // The title comes from the folder's name; lesson.json is written beside the images.
    await expectLessonReady(page, basename(folder).replaceAll('-', ' '));
    await expect(page.locator('.lesson-title')).toHaveAttribute('title', folder);
    await expect(page.getByTestId('slide-position')).toHaveText('Slide 1 / 3');
    await expect(page.getByTestId('narration')).toHaveValue('First, an orange slide.');
    await page.getByRole('button', { name: /^3\s/ }).click();
    await expect(page.getByTestId('narration')).toHaveValue('Third and last, a pink slide.');

    // The program shows the pink slide pillarboxed: black bars left and right, pink in the middle.
    const canvas = page.locator('[data-testid=program] canvas');
    await expect
      .poll(async () => {
        const rgb = await pngToRgb(await canvas.screenshot(), 640, 360);
        const pink = (r: number, g: number, b: number) =>
          r > 220 && g > 160 && g < 215 && b > 175 && b < 225;
        const black = (r: number, g: number, b: number) => r < 12 && g < 12 && b < 12;
        const bars =
          countPixels(rgb, 640, { x: 0, y: 0, width: 70, height: 360 }, black) / (70 * 360);
        const middle =
          countPixels(rgb, 640, { x: 100, y: 20, width: 300, height: 200 }, pink) / (300 * 200);
        return bars > 0.95 && middle > 0.95;
      })
      .toBe(true);

    await page.getByRole('button', { name: '▶ Play' }).click();
    await expect(page.getByTestId('play-state')).toHaveText('playing');
    await expect(page.getByTestId('play-state')).toHaveText('ended', { timeout: 20_000 });
  },
);
