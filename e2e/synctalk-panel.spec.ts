import { expectLessonReady } from './support/lesson-state.ts';
import { expect, test, type Page } from '@playwright/test';
import type { Lesson } from '../src/shared/lesson/lesson-schema.ts';
import type { HeadlessHost } from '../src/main/hosts/headless/headless-host.ts';
import {
  folderNameFor,
  startReferenceServer,
  type ReferenceServer,
} from '../testing/synctalk-reference/reference-server.ts';
import { sampleLessonAt, startTestHost } from '../testing/support/app-host.ts';

/**
 * The Avatar panel against the reference SyncTalk server, in real Chromium through the headless
 * host: what the panel says before a load, a load with live progress, and an unreachable server.
 */
const width = 640;
const height = 360;
const avatarName = 'alin_cc';
/** Preloaded, so /status lists a folder that is not the lesson's avatar's. */
const otherAvatarName = 'enrique_torres';
/** Long enough for the progress line to be seen for several seconds, and to tick. */
const loadDelayMs = 4000;

function syncTalkLesson(serverUrl: string) {
  return sampleLessonAt(width, height, (lesson): Lesson => {
    const { chromaKey, placement } = lesson.avatar;
    return {
      ...lesson,
      avatar: {
        provider: 'synctalk',
        serverUrl,
        avatarName,
        frameSize: { width: 512, height: 512 },
        keyColor: '#089831',
        chromaKey,
        placement,
      },
    };
  });
}

async function openApp(page: Page, host: HeadlessHost, lesson: Lesson): Promise<void> {
  await page.goto(host.server.appUrl);
  await expectLessonReady(page, lesson.title);
}

async function loadedFolders(server: ReferenceServer): Promise<string[]> {
  const response = await fetch(`${server.url}/status`);
  const body = (await response.json()) as { loaded_models: string[] };
  return body.loaded_models;
}

let server: ReferenceServer | null = null;
let host: HeadlessHost | null = null;

test.afterEach(async () => {
  await host?.close();
  host = null;
  await server?.close();
  server = null;
});

test('shows a reachable server with the avatar not loaded, then loads it with progress', async ({
  page,
}) => {
  server = await startReferenceServer({
    port: 0,
    avatars: [
      { name: avatarName, width: 512, height: 512, keyColor: '#089831' },
      { name: otherAvatarName, width: 512, height: 512, keyColor: '#089831' },
    ],
    preloaded: [otherAvatarName],
    loadDelayMs,
  });
  const folder = folderNameFor(avatarName);
  // The case the panel must get right: the server's folder is not spelled like the avatar.
  expect(folder).not.toBe(avatarName);
  const { dir, lesson } = await syncTalkLesson(server.url);
  ({ host } = await startTestHost(dir));
  await openApp(page, host, lesson);

  const panel = page.getByRole('region', { name: 'Avatar' });
  await expect(panel.getByTestId('avatar-server-url')).toHaveText(`Server ${server.url}`);
  await expect(panel.getByTestId('avatar-reachability')).toHaveText('Reachable');
  const models = panel.getByTestId('avatar-models').getByRole('listitem');
  await expect(models).toHaveText([`${avatarName} (this lesson)`, otherAvatarName]);
  await expect(models.first()).toHaveAttribute('aria-current', 'true');
  await expect(panel.getByTestId('avatar-not-offered')).toHaveCount(0);
  const readiness = panel.getByTestId('avatar-readiness');
  await expect(readiness).toContainText(/^Not loaded/);
  await expect(readiness).toContainText(`No loaded folder matches avatar "${avatarName}"`);
  await expect(panel.getByTestId('avatar-capacity')).toHaveText('Streams: 0 of 5 in use');
  await expect(panel.getByTestId('avatar-on-air')).toHaveText('On air: SyncTalk');
  expect(await loadedFolders(server)).not.toContain(folder);
  // The old "plays it with the built-in avatar" notice is gone: SyncTalk plays for real.
  await expect(page.getByText(/plays it with the built-in avatar/)).toHaveCount(0);

  const loadButton = panel.getByRole('button', { name: 'Load avatar' });
  await loadButton.click();
  const progress = panel.getByTestId('avatar-load-progress');
  await expect(progress).toContainText(`Loading avatar "${avatarName}"`);
  await expect(loadButton).toBeDisabled();
  // The server ticks once a second while /load_model runs: the elapsed time moves on screen.
  await expect(progress).toContainText(/\([1-9]\d* s\)$/);

  await expect(panel.getByTestId('avatar-load-result')).toContainText(
    `Avatar "${avatarName}" is loaded (folder "${folder}").`,
  );
  await expect(readiness).toContainText(/^Loaded/);
  await expect(readiness).toContainText(`(folder "${folder}")`);
  await expect(progress).toHaveCount(0);
  await expect(loadButton).toHaveCount(0);
  expect(await loadedFolders(server)).toContain(folder);
});

test('names the URL of a server that does not answer', { tag: '@busy' }, async ({ page }) => {
  // A port that just had a server on it and now has none: connections are refused at once.
  const closed = await startReferenceServer({
    port: 0,
    avatars: [{ name: avatarName, width: 512, height: 512, keyColor: '#089831' }],
  });
  const closedUrl = closed.url;
  await closed.close();
  const { dir, lesson } = await syncTalkLesson(closedUrl);
  ({ host } = await startTestHost(dir));
  await openApp(page, host, lesson);

  const panel = page.getByRole('region', { name: 'Avatar' });
  await expect(panel.getByTestId('avatar-server-url')).toHaveText(`Server ${closedUrl}`);
  const reachability = panel.getByTestId('avatar-reachability');
  await expect(reachability).toContainText('Unreachable');
  await expect(reachability).toContainText(closedUrl);
  await expect(panel.getByRole('button', { name: 'Load avatar' })).toHaveCount(0);

  await panel.getByRole('button', { name: 'Check again' }).click();
  await expect(reachability).toContainText('Unreachable');
  await expect(panel.getByRole('button', { name: 'Check again' })).toBeEnabled();
});
