import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { HeadlessHost } from '../src/main/hosts/headless/headless-host.ts';
import { encodeWav16 } from '../src/renderer/features/import/predecessor/wav.ts';
import { readLessonAt, sampleLessonAt, startTestHost } from '../testing/support/app-host.ts';
import {
  pageBuildProblem,
  startHarnessServer,
  type HarnessServer,
} from '../testing/support/harness-server.ts';
import {
  testCanvas,
  testDocument,
  testSlides,
  writeTestPictures,
  type PictureSources,
} from '../testing/support/predecessor-document.ts';
import { expectLessonReady } from './support/lesson-state.ts';
import { pngToRgb } from './support/reference-slides.ts';
import { compareRgb, domReference } from './support/slide-compare.ts';
import { scaled } from './support/timeouts.ts';

/**
 * Import the previous Rapido's (Python) data as a teacher would: Import…, "Rapido (Python) data",
 * the file, Look inside, a new folder, Import. A video-job document in the documented shape, with
 * local pictures, one served by a local HTTP server standing in for the predecessor's blob store
 * and one at an address nothing answers: every canvas slide is drawn into the lesson and judged
 * against what Chromium draws for the same document objects as DOM; the unreachable picture is a
 * hatched placeholder and is listed as missing; the recorded narration is kept as a WAV with its
 * word timings. Parsed slide data with a folder of slide pictures becomes a lesson too.
 *
 * Needs main's predecessor channels (lesson:read-predecessor, lesson:fetch-plan-assets) and the
 * built test pages (npm run build:harness).
 */

const output = { width: 1280, height: 720 };

let host: HeadlessHost;
let sampleTitle: string;
let pictures: HarnessServer;
let remote: Server;
let work: string;
let src: PictureSources;
let urls: Record<string, string>;

test.beforeAll(async () => {
  const problem = pageBuildProblem('predecessor-drawing.html');
  if (problem) throw new Error(problem);
  const sample = await sampleLessonAt(640, 360);
  sampleTitle = sample.lesson.title;
  ({ host } = await startTestHost(sample.dir));
  work = await mkdtemp(join(tmpdir(), 'rapido-import-predecessor-'));
  const files = await writeTestPictures(work);
  // The "remote" picture: a real HTTP server on this machine, as the blob store was.
  const remoteBytes = await readFile(files.remote);
  remote = createServer((request, response) => {
    // Never answered: a fetch that is still running when the teacher cancels.
    if (request.url === '/usermedia/slow.png') return;
    if (request.url === '/usermedia/remote.png') {
      response.writeHead(200, { 'content-type': 'image/png' }).end(remoteBytes);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
  const { port } = remote.address() as AddressInfo;
  // One second of a 220 Hz tone as the slide's recorded narration.
  const tone = Float32Array.from(
    { length: 22_050 },
    (_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / 22_050),
  );
  const narration = join(work, 'narration-1.wav');
  await writeFile(narration, encodeWav16([tone], 22_050));
  src = {
    photo: files.photo,
    background: files.background,
    remote: `http://127.0.0.1:${port}/usermedia/remote.png`,
    // A port nothing listens on any more: the connection is refused at once.
    unreachable: `http://127.0.0.1:${await closedPort()}/usermedia/lucknow-aerial.jpg`,
    narration,
  };
  pictures = await startHarnessServer({ mounts: { '/media/': work } });
  urls = {
    [src.photo]: `${pictures.url}/media/${basename(files.photo)}`,
    [src.background]: `${pictures.url}/media/${basename(files.background)}`,
    [src.remote]: `${pictures.url}/media/${basename(files.remote)}`,
  };
});

test.afterAll(async () => {
  await host.close();
  await pictures.close();
  remote.closeAllConnections();
  await new Promise<void>((resolve) => remote.close(() => resolve()));
});

/** A local port that was free a moment ago (a server opened on it and closed again). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function openImportDialog(page: Page) {
  await page.goto(host.server.appUrl);
  await expectLessonReady(page, sampleTitle);
  await page.getByRole('button', { name: 'Import…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import a lesson' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('tab', { name: 'Rapido (Python) data' }).click();
  return dialog;
}

test(
  'a video-job document: slides drawn as the page showed them, missing pictures listed, recording kept',
  { tag: '@busy' },
  async ({ page, browser }, testInfo) => {
    test.setTimeout(scaled(180_000));
    const file = join(work, 'job-lucknow.json');
    await writeFile(file, JSON.stringify(testDocument(src), null, 2));
    const lessonDir = join(work, 'lucknow');

    const dialog = await openImportDialog(page);
    await dialog.getByRole('textbox', { name: 'Rapido data file (.json)' }).fill(file);
    await dialog.getByRole('button', { name: 'Look inside' }).click();
    await expect(dialog.getByTestId('predecessor-preview')).toContainText('Video-job document');
    await expect(dialog.getByTestId('predecessor-preview')).toContainText('4 slides');
    const keep = dialog.getByRole('checkbox', { name: /Keep the recorded narration/ });
    await expect(keep).toBeChecked();
    await dialog.getByRole('textbox', { name: 'New lesson folder' }).fill(lessonDir);
    await page.screenshot({ path: testInfo.outputPath('import-predecessor-preview.png') });
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();

    const done = dialog.getByTestId('import-done');
    await expect(done.or(dialog.getByTestId('import-error'))).toBeVisible({ timeout: 120_000 });
    await page.screenshot({ path: testInfo.outputPath('import-predecessor-done.png') });
    await expect(done).toContainText('Imported 4 slides');
    await expect(done).toContainText('1 slide keeps its recorded narration');
    await expect(dialog.getByTestId('import-missing')).toContainText('lucknow-aerial.jpg');
    await expect(dialog.getByTestId('import-missing')).not.toContainText('remote.png');
    await expect(dialog.getByTestId('import-fonts')).toContainText('Poppins →');

    const lesson = await readLessonAt(lessonDir);
    expect(lesson.output).toMatchObject(output);
    expect(lesson.slides.map((s) => s.image)).toEqual(
      [1, 2, 3, 4].map((n) => `slides/slide-0${n}.png`),
    );
    expect(lesson.slides.map((s) => s.narration)).toEqual(testSlides(src).map((s) => s.narration));
    expect(lesson.slides[0]?.notes).toBe('Narration length in Rapido (Python): 3.0 s.');
    // The second slide's presenter sits elsewhere: its own placement; the others use the lesson's.
    expect(lesson.slides[1]?.avatar?.placement).toBeDefined();
    expect(lesson.slides[0]?.avatar?.placement).toBeUndefined();
    const recorded = lesson.slides[0]?.recordedNarration;
    expect(recorded?.audio).toBe('narration/slide-01.wav');
    expect(recorded?.words?.length).toBe(testSlides(src)[0]?.narration.split(' ').length);
    const wav = await readFile(join(lessonDir, recorded?.audio ?? 'missing'));
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt16LE(34)).toBe(16);
    // About one second of audio at whatever rate Web Audio decoded it to.
    const seconds = wav.readUInt32LE(40) / wav.readUInt32LE(28);
    expect(seconds).toBeGreaterThan(0.95);
    expect(seconds).toBeLessThan(1.1);

    // Each canvas slide as the importer drew it, against Chromium's DOM of the same objects.
    const reference = await browser.newPage({ viewport: output });
    await reference.goto(`${pictures.url}/predecessor-drawing.html`);
    await reference.waitForFunction(() => 'predecessorDrawing' in globalThis);
    const slides = testSlides(src);
    for (const index of [0, 1, 2]) {
      const slide = slides[index];
      if (!slide) throw new Error(`no slide ${index + 1}`);
      const dom = await domReference(reference, {
        slide,
        canvas: testCanvas,
        output,
        missing: [src.unreachable],
        urls,
      });
      const drawn = await pngToRgb(
        await readFile(join(lessonDir, `slides/slide-0${index + 1}.png`)),
        output.width,
        output.height,
      );
      const difference = compareRgb(drawn, dom);
      testInfo.annotations.push({
        type: `slide ${index + 1}`,
        description: JSON.stringify(difference),
      });
      // The bounds of e2e/predecessor-drawing.spec.ts (measured there, justified there).
      expect(difference.meanAbs, `slide ${index + 1}`).toBeLessThan(0.6);
      expect(difference.strongShare, `slide ${index + 1}`).toBeLessThan(0.002);
    }
    await reference.close();

    // Closed, the lesson is open with its four slides.
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await expectLessonReady(page, lesson.title);
    await expect(
      page.getByRole('navigation', { name: 'Slides' }).getByRole('listitem'),
    ).toHaveCount(4);
  },
);

test(
  'parsed slide data with a folder of slide pictures becomes a lesson',
  { tag: '@busy' },
  async ({ page }) => {
    const folder = await mkdtemp(join(tmpdir(), 'rapido-import-parsed-'));
    const frames = join(folder, 'frames');
    const files = await writeTestPictures(await mkdtemp(join(tmpdir(), 'rapido-parsed-pictures-')));
    await mkdir(frames);
    await copyFile(files.photo, join(frames, 'slide_1.png'));
    await copyFile(files.remote, join(frames, 'slide_2.png'));
    const file = join(folder, 'parsed.json');
    const slideInfo = (position: number, narrationData: string) => ({
      slideInfo: {
        position,
        slideType: 1,
        narrationData,
        narrationDuration: 2000 + position,
        slideId: `00000000-0000-4000-8000-00000000000${position}`,
        embedId: '',
        presenterConfig: { scaleX: 0.2, scaleY: 0.2, top: 670.4, left: 755.2, isEditable: true },
      },
    });
    await writeFile(
      file,
      JSON.stringify({ slides: [slideInfo(1, 'The first one.'), slideInfo(2, 'The second one.')] }),
    );
    const lessonDir = join(folder, 'made');

    const dialog = await openImportDialog(page);
    await dialog.getByRole('textbox', { name: 'Rapido data file (.json)' }).fill(file);
    await dialog.getByRole('textbox', { name: 'Slide pictures folder' }).fill(frames);
    await dialog.getByRole('button', { name: 'Look inside' }).click();
    await expect(dialog.getByTestId('predecessor-preview')).toContainText('Parsed slide data');
    await expect(dialog.getByTestId('predecessor-preview')).toContainText(
      '2 from supplied pictures',
    );
    await dialog.getByRole('textbox', { name: 'New lesson folder' }).fill(lessonDir);
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    const done = dialog.getByTestId('import-done');
    await expect(done.or(dialog.getByTestId('import-error'))).toBeVisible({ timeout: 60_000 });
    await expect(done).toContainText('Imported 2 slides');
    const lesson = await readLessonAt(lessonDir);
    expect(lesson.slides.map((s) => s.narration)).toEqual(['The first one.', 'The second one.']);
    expect(lesson.slides[0]?.notes).toBe('Narration length in Rapido (Python): 2.0 s.');
    await expect(
      page.getByRole('navigation', { name: 'Slides' }).getByRole('listitem'),
    ).toHaveCount(2);
  },
);

test('a file that is not predecessor data is refused in the dialog, nothing written', async ({
  page,
}) => {
  const folder = await mkdtemp(join(tmpdir(), 'rapido-import-bad-'));
  const file = join(folder, 'bad.json');
  await writeFile(file, '{\n  "slides": [\n    { "slideInfo": { "position": "one" } }\n  ]\n}\n');
  const lessonDir = join(folder, 'made');
  const dialog = await openImportDialog(page);
  await dialog.getByRole('textbox', { name: 'Rapido data file (.json)' }).fill(file);
  await dialog.getByRole('textbox', { name: 'New lesson folder' }).fill(lessonDir);
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  const error = dialog.getByTestId('import-error');
  await expect(error).toBeVisible({ timeout: 30_000 });
  await expect(error).toContainText('position');
  expect(existsSync(lessonDir)).toBe(false);
});

test('cancelling while pictures are fetched stops the import: no lesson, said so', async ({
  page,
}) => {
  const slow = src.remote.replace('remote.png', 'slow.png');
  const file = join(work, 'job-slow.json');
  await writeFile(file, JSON.stringify(testDocument({ ...src, remote: slow }), null, 2));
  const lessonDir = join(work, 'cancelled');
  const dialog = await openImportDialog(page);
  await dialog.getByRole('textbox', { name: 'Rapido data file (.json)' }).fill(file);
  await dialog.getByRole('textbox', { name: 'New lesson folder' }).fill(lessonDir);
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  // The progress names what is being fetched and counts what is done.
  await expect(dialog.getByRole('status').first()).toContainText(/Fetch/);
  await expect(dialog.getByRole('progressbar', { name: 'Import progress' })).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel import' }).click();
  const cancelled = dialog.getByTestId('import-cancelled');
  await expect(cancelled.or(dialog.getByTestId('import-error'))).toBeVisible({ timeout: 30_000 });
  await expect(cancelled).toContainText('No lesson was created');
  expect(existsSync(join(lessonDir, 'lesson.json'))).toBe(false);
  // The dialog is usable again: Import can be pressed, Close closes.
  await expect(dialog.getByRole('button', { name: 'Import', exact: true })).toBeEnabled();
});
