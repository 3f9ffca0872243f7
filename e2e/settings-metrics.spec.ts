import { expect, test, type Locator, type Page } from '@playwright/test';
import type { HeadlessHost } from '../src/main/hosts/headless/headless-host.ts';
import { type Lesson } from '../src/shared/lesson/lesson-schema.ts';
import { readLessonAt, sampleLessonAt, startTestHost } from '../testing/support/app-host.ts';
import { expectLessonReady } from './support/lesson-state.ts';

/**
 * The settings dialog, the themes and the metrics panel, in real Chromium through the headless
 * host, driven as a person would: change the lesson's output and see the program and lesson.json
 * follow, switch themes and measure the page's colours, open the metrics and watch them move.
 * 640x360 keeps software WebGL in real time on CI machines; the window is the 1280x800 the UI is
 * designed for.
 */
const width = 640;
const height = 360;

test.use({ viewport: { width: 1280, height: 800 } });

let host: HeadlessHost;
let lessonDir: string;
let lesson: Lesson;

test.beforeAll(async () => {
  ({ dir: lessonDir, lesson } = await sampleLessonAt(width, height));
  ({ host } = await startTestHost(lessonDir));
});

test.afterAll(async () => {
  await host.close();
});

async function openApp(page: Page): Promise<void> {
  await page.goto(host.server.appUrl);
  await expectLessonReady(page, lesson.title);
}

async function openSettings(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await expect(dialog).toBeVisible();
  return dialog;
}

async function outputOnDisk(): Promise<Lesson['output']> {
  return (await readLessonAt(lessonDir)).output;
}

async function programCanvasSize(page: Page): Promise<{ width: number; height: number }> {
  // The canvas's size attributes reflect canvas.width / canvas.height.
  const canvas = page.locator('canvas.program-canvas');
  return {
    width: Number(await canvas.getAttribute('width')),
    height: Number(await canvas.getAttribute('height')),
  };
}

/** The few page globals read here (this file is typed for Node, without the DOM library). */
interface PageElement {
  scrollWidth: number;
  clientWidth: number;
}
interface PageGlobals {
  document: { documentElement: PageElement; activeElement: PageElement | null };
  getComputedStyle(element: PageElement): {
    backgroundColor: string;
    color: string;
    outlineStyle: string;
    outlineWidth: string;
  };
}

/** The root element's computed background and text colours. */
async function rootColours(page: Page): Promise<{ background: string; text: string }> {
  return page.evaluate(() => {
    const page = globalThis as unknown as PageGlobals;
    const style = page.getComputedStyle(page.document.documentElement);
    return { background: style.backgroundColor, text: style.color };
  });
}

/** WCAG relative luminance of a computed `rgb(r, g, b)` colour. */
function luminance(colour: string): number {
  const channels = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(colour);
  if (!channels) throw new Error(`not an rgb colour: ${colour}`);
  const [r = 0, g = 0, b = 0] = [channels[1], channels[2], channels[3]].map((channel) => {
    const c = Number(channel) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((high ?? 0) + 0.05) / ((low ?? 0) + 0.05);
}

/** Nothing wider than the window: no horizontal scroll bar on the page. */
async function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const root = (globalThis as unknown as PageGlobals).document.documentElement;
    return root.scrollWidth > root.clientWidth;
  });
}

async function focusRing(page: Page): Promise<{ style: string; widthPx: number } | null> {
  return page.evaluate(() => {
    const page = globalThis as unknown as PageGlobals;
    const focused = page.document.activeElement;
    if (!focused) return null;
    const style = page.getComputedStyle(focused);
    return { style: style.outlineStyle, widthPx: parseFloat(style.outlineWidth) };
  });
}

/** Paints a theme directly (no storage), to look at the main screen in it. */
async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.evaluate((value) => {
    const root = (
      globalThis as unknown as {
        document: { documentElement: { setAttribute(name: string, value: string): void } };
      }
    ).document.documentElement;
    root.setAttribute('data-theme', value);
  }, theme);
}

async function storedTheme(page: Page): Promise<string | null> {
  return page.evaluate(() =>
    (
      globalThis as unknown as { localStorage: { getItem(key: string): string | null } }
    ).localStorage.getItem('rapido.theme'),
  );
}

test('changes the output size and frame rate; the program and lesson.json follow', async ({
  page,
}, testInfo) => {
  await openApp(page);
  expect(await programCanvasSize(page)).toEqual({ width, height });
  const settingsButton = page.getByRole('button', { name: 'Settings', exact: true });
  const dialog = await openSettings(page);
  await expect(dialog.getByRole('tab', { name: 'Output' })).toHaveAttribute(
    'aria-selected',
    'true',
  );

  // A size the schema refuses is named next to its field, and cannot be applied.
  const size = dialog.getByLabel('Size (px)');
  await expect(size).toHaveValue('custom');
  await dialog.getByLabel('Width (px)').fill('641');
  await expect(dialog.getByText('Width must be an even number from 16 to 7680.')).toBeVisible();
  await expect(dialog.getByLabel('Width (px)')).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.getByRole('button', { name: 'Apply' })).toBeDisabled();
  await page.screenshot({ path: testInfo.outputPath('settings-output.png') });

  await size.selectOption('1920x1080');
  await dialog.getByLabel('Frame rate (fps)').selectOption('30');
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(dialog.getByTestId('settings-output-current')).toContainText(
    '1920 × 1080 at 30 fps',
  );
  await expect.poll(() => programCanvasSize(page)).toEqual({ width: 1920, height: 1080 });
  await expect
    .poll(outputOnDisk, { timeout: 10_000 })
    .toEqual({ width: 1920, height: 1080, fps: 30 });

  // Back to a custom size (software WebGL keeps real time only small), through the custom fields.
  await size.selectOption('custom');
  await dialog.getByLabel('Width (px)').fill(String(width));
  await dialog.getByLabel('Height (px)').fill(String(height));
  await dialog.getByLabel('Frame rate (fps)').selectOption(String(lesson.output.fps));
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect.poll(() => programCanvasSize(page)).toEqual({ width, height });
  await expect.poll(outputOnDisk, { timeout: 10_000 }).toEqual(lesson.output);

  // Escape closes the dialog, leaves the presentation alone and gives focus back.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(settingsButton).toBeFocused();
});

test(
  'switches between dark and light themes, readable and without overflow',
  { tag: '@busy' },
  async ({ page }, testInfo) => {
    await openApp(page);
    const dialog = await openSettings(page);
    await dialog.getByRole('tab', { name: 'Appearance' }).click();

    await dialog.getByRole('radio', { name: 'Dark' }).check();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    const dark = await rootColours(page);
    expect(luminance(dark.background), `a dark page background (${dark.background})`).toBeLessThan(
      0.05,
    );
    expect(contrast(dark.background, dark.text)).toBeGreaterThanOrEqual(4.5);
    await page.screenshot({ path: testInfo.outputPath('settings-dark.png') });

    await dialog.getByRole('radio', { name: 'Light' }).check();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    const light = await rootColours(page);
    expect(
      luminance(light.background),
      `a light page background (${light.background})`,
    ).toBeGreaterThan(0.8);
    expect(contrast(light.background, light.text)).toBeGreaterThanOrEqual(4.5);
    await page.screenshot({ path: testInfo.outputPath('settings-light.png') });

    // Keyboard focus is visible: a ring in the theme's focus colour.
    await dialog.getByRole('tab', { name: 'Appearance' }).focus();
    await page.keyboard.press('ArrowLeft');
    await expect(dialog.getByRole('tab', { name: 'Recording' })).toBeFocused();
    await expect(dialog.getByRole('tab', { name: 'Recording' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
    const ring = await focusRing(page);
    expect(ring).toEqual({ style: 'solid', widthPx: 2 });

    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(dialog).toBeHidden();
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme);
      expect(await overflowsHorizontally(page), `no horizontal overflow in ${theme}`).toBe(false);
      await page.screenshot({ path: testInfo.outputPath(`main-${theme}.png`) });
    }
    await setTheme(page, 'light');

    // The choice is remembered: a reload comes back light.
    expect(await storedTheme(page)).toBe('light');
    await openApp(page);
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    // Back to the default for the next test (the browser context's storage is per test anyway).
    const settings = await openSettings(page);
    await settings.getByRole('tab', { name: 'Appearance' }).click();
    await settings.getByRole('radio', { name: 'System' }).check();
    expect(await storedTheme(page)).toBe('system');
    // System follows the operating system's scheme, also when it changes.
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  },
);

test('the metrics panel follows the composer and the processes while playing', async ({
  page,
}, testInfo) => {
  await openApp(page);
  await page.getByRole('button', { name: 'Metrics', exact: true }).click();
  const panel = page.getByRole('region', { name: 'Metrics' });
  await expect(panel).toBeVisible();

  await page.getByRole('button', { name: '▶ Play', exact: true }).click();
  await expect(page.getByTestId('play-state')).toHaveText('playing');
  await expect
    .poll(async () => Number(await panel.getByTestId('metric-composer-fps').textContent()), {
      timeout: 15_000,
    })
    .toBeGreaterThan(5);
  await expect
    .poll(
      async () => {
        const cells = await panel.getByTestId('metrics-process-memory').allTextContents();
        return cells.map(Number).filter((memoryMB) => memoryMB > 0).length;
      },
      { timeout: 15_000 },
    )
    .toBeGreaterThan(0);
  await expect(panel.getByTestId('metric-memory')).toHaveText(/^\d+$/);
  // The sparkline has drawn: at least two seconds make a line.
  await expect
    .poll(
      async () => {
        const lines = await panel.getByTestId('sparkline-composer-fps').locator('polyline').all();
        let longest = 0;
        for (const line of lines) {
          const points = (await line.getAttribute('points')) ?? '';
          longest = Math.max(longest, points.split(' ').length);
        }
        return longest;
      },
      { timeout: 10_000 },
    )
    .toBeGreaterThanOrEqual(2);
  await page.screenshot({ path: testInfo.outputPath('metrics-panel.png') });

  await page.getByRole('button', { name: '■ Stop', exact: true }).click();
  await expect(page.getByTestId('play-state')).toHaveText('idle');
  await page.getByRole('button', { name: 'Metrics', exact: true }).click();
  await expect(panel).toBeHidden();
});
