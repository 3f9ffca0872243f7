import { expect, type Page } from '@playwright/test';

/**
 * Waits on the app, not on a guess at how long opening takes: the lesson title's
 * `data-lesson-state` (set by the app, features/lesson/lesson-toolbar.tsx) says when the lesson
 * is shown (`preparing`: its first slide and speech are still being made) and when it is `ready`.
 * `locator.waitFor` has no timeout of its own here (the config sets no actionTimeout), so on a
 * busy machine the wait is bounded only by the test's own timeout.
 */
function titleIn(page: Page, states: string[], title: string) {
  const selector = states.map((state) => `.lesson-title[data-lesson-state="${state}"]`).join(', ');
  return page.locator(selector, { hasText: new RegExp(`^${escapeRegExp(title)}$`) });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The lesson titled `title` is open and its first slide prepared (Play starts at once). */
export async function expectLessonReady(page: Page, title: string): Promise<void> {
  await titleIn(page, ['ready'], title).waitFor();
  await expect(page.locator('.lesson-title')).toHaveText(title);
}

/** The lesson titled `title` is open (shown), its slide and speech perhaps still being made. */
export async function expectLessonShown(page: Page, title: string): Promise<void> {
  await titleIn(page, ['preparing', 'ready'], title).waitFor();
  await expect(page.locator('.lesson-title')).toHaveText(title);
}
