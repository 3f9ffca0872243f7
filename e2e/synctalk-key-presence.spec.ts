import { expectLessonReady } from './support/lesson-state.ts';
import { expect, test, type Page } from '@playwright/test';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lesson } from '../src/shared/lesson/lesson-schema.ts';
import type { HeadlessHost } from '../src/main/hosts/headless/headless-host.ts';
import {
  startReferenceServer,
  type FaultSettings,
  type ReferenceServer,
} from '../testing/synctalk-reference/reference-server.ts';
import { readLessonAt, sampleLessonAt, startTestHost } from '../testing/support/app-host.ts';

/**
 * SyncTalk frames on air without the lesson's key colour are told within the first second, and
 * the notice offers Detect from border on the live frames. Here the reference server paints its
 * avatar on #089831 while the lesson keys blue: the frames carry a screen, just not the lesson's.
 * (A server that composites onto its own background is the other case; its verdict is unit-tested
 * in shared/keying/key-presence.test.ts.)
 */
const avatarName = 'enrique_torres';
const serverKey = '#089831';
const lessonKey = '#2040c0';

let server: ReferenceServer | null = null;
let host: HeadlessHost | null = null;

test.afterEach(async () => {
  await host?.close();
  host = null;
  await server?.close();
  server = null;
});

async function openSyncTalkLesson(
  page: Page,
  keyColor: string,
  faults: Partial<FaultSettings>,
): Promise<{ dir: string; lesson: Lesson; logDir: string }> {
  server = await startReferenceServer({
    port: 0,
    avatars: [{ name: avatarName, width: 512, height: 512, keyColor: serverKey }],
    preloaded: [avatarName],
    preloadDelayMs: 0,
    faults,
  });
  const serverUrl = server.url;
  const opened = await sampleLessonAt(640, 360, (original): Lesson => ({
    ...original,
    // One slide: no second stream for the look-ahead competing for this machine's cores.
    slides: original.slides.slice(0, 1),
    avatar: {
      provider: 'synctalk',
      serverUrl,
      avatarName,
      frameSize: { width: 512, height: 512 },
      keyColor,
      chromaKey: original.avatar.chromaKey,
      placement: original.avatar.placement,
    },
  }));
  const started = await startTestHost(opened.dir);
  host = started.host;
  await page.goto(host.server.appUrl);
  // Opening waits for the first slide's speech (a cold offline voice takes seconds).
  await expectLessonReady(page, opened.lesson.title);
  return { ...opened, logDir: started.logDir };
}

test(
  'a server that keys its frames itself is told on Play, naming the setting to change',
  { tag: '@busy' },
  async ({ page }) => {
    // The reference server's defaults are the real server's: chroma_key enabled, a default
    // background it cannot fetch here, so frames arrive on black without the key colour.
    await openSyncTalkLesson(page, serverKey, {});
    await page.getByRole('button', { name: '▶ Play' }).click();
    const warning = page.getByTestId('notice-warning');
    await expect(warning).toContainText(`arrives without its key colour ${serverKey}`, {
      timeout: 30_000,
    });
    await expect(warning).toContainText('"chroma_key": { "enabled": false }');
    await expect(warning.getByRole('button', { name: 'Detect from border' })).toBeVisible();
    // No Stop here: on a loaded machine the one slide may already have ended (Stop disabled).
  },
);

test('a server slower than real time is still checked while the local avatar stands in', async ({
  page,
}) => {
  // Three frames a second: after a few frames on air the avatar falls more than maxHoldMs
  // behind and the local avatar stands in; the frames still arriving behind the playhead are
  // what the check must read (a loaded CI machine's reference server got here by itself).
  const { logDir } = await openSyncTalkLesson(page, serverKey, { generationFps: 3 });
  await page.getByRole('button', { name: '▶ Play' }).click();
  const warning = page.getByTestId('notice-warning');
  await expect(warning).toContainText(`arrives without its key colour ${serverKey}`, {
    timeout: 30_000,
  });
  // The path under test was taken: the local avatar stood in before the verdict came.
  const logName = (await readdir(logDir)).find((name) => /^rapido_\d/.test(name)) ?? 'no log';
  const events = (await readFile(join(logDir, logName), 'utf8'))
    .split('\n')
    .filter((line) => line.includes('"event_type":"avatar_'))
    .map((line) => (JSON.parse(line) as { event_type: string }).event_type);
  const fellBack = events.indexOf('avatar_fallback');
  expect(fellBack, events.join(', ')).toBeGreaterThanOrEqual(0);
  expect(events.indexOf('avatar_key_presence'), events.join(', ')).toBeGreaterThan(fellBack);
});

test('a wrong key colour is told on Play, and Detect from border in the notice fixes it', async ({
  page,
}) => {
  // The server's own keying off, as the app advises: its frames stand on its screen colour.
  const { dir } = await openSyncTalkLesson(page, lessonKey, { serverKeying: false });

  await page.getByRole('button', { name: '▶ Play' }).click();
  const warning = page.getByTestId('notice-warning');
  // Within the first second of frames on air (22 new images); a loaded machine's reference
  // server can fall behind real time and hold the image for a while, hence the margin.
  await expect(warning).toContainText(`not on the lesson's key colour ${lessonKey}`, {
    timeout: 30_000,
  });
  await expect(warning).toContainText(/stands on #[0-9a-f]{6}/);
  await warning.getByRole('button', { name: 'Detect from border' }).click();
  await expect(warning).toHaveCount(0);
  const info = page.getByTestId('notice-info');
  await expect(info).toContainText(/Detected #[0-9a-f]{6}/);
  const detected = /#[0-9a-f]{6}/.exec((await info.textContent()) ?? '')?.[0] ?? '';
  // The screen's colour, from the live frame: within a few levels of what the server paints.
  const channels = (hex: string) => [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
  const difference = channels(detected).map((value, i) =>
    Math.abs(value - (channels(serverKey)[i] ?? 0)),
  );
  expect(Math.max(...difference), `detected ${detected}`).toBeLessThanOrEqual(6);
  // An editor edit: saved with the lesson.
  await expect
    .poll(async () => (await readLessonAt(dir)).avatar.keyColor, { timeout: 15_000 })
    .toBe(detected);
});
