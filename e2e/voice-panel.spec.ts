import { expectLessonReady } from './support/lesson-state.ts';
import { randomBytes } from 'node:crypto';
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { HeadlessHost } from '../src/main/hosts/headless/headless-host.ts';
import {
  startElevenLabsReference,
  type ElevenLabsReference,
  type RecordedRequest,
} from '../testing/elevenlabs-reference/reference-server.ts';
import { type Lesson } from '../src/shared/lesson/lesson-schema.ts';
import { splitSentences } from '../src/shared/speech/narration-text.ts';
import {
  readAllFiles,
  readLessonAt,
  sampleLessonAt,
  startTestHost,
} from '../testing/support/app-host.ts';

/**
 * The Voice panel against the local ElevenLabs reference server, in real Chromium through the
 * headless host, driven as a trainer would: a wrong key, the right key, a voice and a model
 * (saved to lesson.json), the cost before going live, a preview, an outage, and the key never
 * showing up on screen or in the logs.
 */
const width = 640;
const height = 360;
const lockedTitle = 'Stop the presentation to change the voice';

let server: ElevenLabsReference | null = null;
let host: HeadlessHost | null = null;

test.afterEach(async () => {
  await host?.close();
  host = null;
  await server?.close();
  server = null;
});

async function lessonOnDisk(dir: string): Promise<Lesson> {
  return readLessonAt(dir);
}

async function openApp(page: Page, url: string, lesson: Lesson): Promise<Locator> {
  await page.goto(url);
  await expectLessonReady(page, lesson.title);
  return page.getByRole('region', { name: 'Voice' });
}

/** Text the page shows or holds in a field: where a leaked key would be. */
async function visibleText(page: Page): Promise<string> {
  const fields = page.locator('input, textarea, select');
  const values: string[] = [];
  for (let index = 0; index < (await fields.count()); index += 1) {
    values.push(await fields.nth(index).inputValue());
  }
  return [await page.locator('body').innerText(), await page.content(), ...values].join('\n');
}

function requestText(request: RecordedRequest): string | null {
  const body = request.body;
  if (typeof body !== 'object' || body === null || !('text' in body)) return null;
  return typeof body.text === 'string' ? body.text : null;
}

function requestModel(request: RecordedRequest): string | null {
  const body = request.body;
  if (typeof body !== 'object' || body === null || !('model_id' in body)) return null;
  return typeof body.model_id === 'string' ? body.model_id : null;
}

/** Whether `count` of the sentences can add up to `sum` characters (a small subset-sum). */
function someSentencesAddUpTo(lengths: readonly number[], count: number, sum: number): boolean {
  let reachable = new Set<string>(['0:0']);
  for (const length of lengths) {
    const next = new Set(reachable);
    for (const state of reachable) {
      const [taken, total] = state.split(':').map(Number) as [number, number];
      next.add(`${taken + 1}:${total + length}`);
    }
    reachable = next;
  }
  return reachable.has(`${count}:${sum}`);
}

function parseCount(text: string): number {
  return Number(text.replaceAll(',', ''));
}

test('a trainer sets the key, picks an ElevenLabs voice and model, checks the cost and previews', async ({
  page,
}) => {
  const apiKey = `sk_${randomBytes(24).toString('hex')}`;
  const wrongKey = `sk_${randomBytes(24).toString('hex')}`;
  server = await startElevenLabsReference({ port: 0, apiKey, warmUp: true });
  const adam = server.voices.find((voice) => voice.name === 'Adam');
  if (!adam) throw new Error('the reference server has no voice "Adam"');
  const { dir, lesson } = await sampleLessonAt(width, height);
  const started = await startTestHost(dir, { ELEVENLABS_BASE_URL: server.url });
  host = started.host;
  const panel = await openApp(page, host.server.appUrl, lesson);

  const keyStatus = panel.getByTestId('elevenlabs-key-status');
  const keyField = panel.getByLabel('ElevenLabs API key');
  const saveKey = panel.getByRole('button', { name: 'Save key' });
  await expect(keyStatus).toHaveText('No key');
  await expect(panel.getByRole('radio', { name: 'Offline voice' })).toBeChecked();
  await expect(panel.getByTestId('voice-cost')).toHaveText('Offline voice: no cost');
  await expect(
    panel.getByRole('checkbox', { name: 'Burn captions into the program' }),
  ).not.toBeChecked();

  // A wrong key is refused with main's reason and is not kept; the field is emptied either way.
  await keyField.fill(wrongKey);
  await saveKey.click();
  const keyProblem = panel.getByTestId('elevenlabs-key-problem');
  await expect(keyProblem).toContainText('ElevenLabs rejected the API key');
  await expect(keyStatus).toHaveText('No key');
  await expect(keyField).toHaveValue('');
  await expect(panel.getByTestId('elevenlabs-quota')).toHaveCount(0);

  // The right key: the quota and the account's voices appear.
  await keyField.fill(apiKey);
  await saveKey.click();
  await expect(keyStatus).toHaveText(`Key for this session only …${apiKey.slice(-4)}`);
  await expect(keyField).toHaveValue('');
  await expect(keyProblem).toHaveCount(0);
  await expect(panel.getByTestId('elevenlabs-quota')).toHaveText(
    '10,000 characters left on your plan (free)',
  );
  await expect(
    panel.getByText('kept for this session only (set ELEVENLABS_API_KEY to keep it)'),
  ).toBeVisible();

  // ElevenLabs needs a voice before it can speak: nothing is saved until one is chosen.
  await panel.getByRole('radio', { name: 'ElevenLabs' }).check();
  const voiceSelect = panel.getByRole('combobox', { name: 'Voice', exact: true });
  const modelSelect = panel.getByRole('combobox', { name: 'Model', exact: true });
  await expect(voiceSelect.locator('option:not([disabled])')).toHaveText(
    server.voices.map((voice) => `${voice.name} (premade)`),
  );
  await expect(panel.getByTestId('voice-needed')).toBeVisible();
  expect((await lessonOnDisk(dir)).voice.provider).toBe('offline');

  await voiceSelect.selectOption({ label: 'Adam (premade)' });
  await expect
    .poll(async () => (await lessonOnDisk(dir)).voice)
    .toMatchObject({ provider: 'elevenlabs', voiceId: adam.voiceId, fallback: lesson.voice });
  await expect(panel.getByTestId('voice-saving')).toHaveCount(0);
  await expect(panel.getByRole('radio', { name: 'ElevenLabs' })).toBeChecked();

  await expect(modelSelect.locator('option')).toContainText([
    'Default (Eleven Flash v2.5)',
    'Eleven Turbo v2.5',
  ]);
  await modelSelect.selectOption({ label: 'Eleven Turbo v2.5' });
  await expect
    .poll(async () => (await lessonOnDisk(dir)).voice)
    .toMatchObject({ provider: 'elevenlabs', voiceId: adam.voiceId, modelId: 'eleven_turbo_v2_5' });
  await expect(panel.getByTestId('voice-saving')).toHaveCount(0);
  await expect(voiceSelect).toHaveValue(adam.voiceId);
  await expect(modelSelect).toHaveValue('eleven_turbo_v2_5');

  // The cost: every sentence of the lesson is counted; those already cached (the first slides
  // are prepared as soon as the lesson loads) cost nothing.
  const sentenceLengths = lesson.slides.flatMap((slide) =>
    splitSentences(slide.narration).map((span) => span.text.length),
  );
  const totalCharacters = sentenceLengths.reduce((sum, length) => sum + length, 0);
  const cost = panel.getByTestId('voice-cost');
  const costPattern =
    /^This lesson: ([\d,]+) characters? to synthesise \((\d+) of (\d+) sentences cached\) · ([\d,]+) characters left on your plan \(free\)$/;
  await expect(cost).toHaveText(costPattern);
  const [, toSynthesize, cached, sentences] =
    costPattern.exec((await cost.textContent()) ?? '') ?? [];
  expect(Number(sentences)).toBe(sentenceLengths.length);
  expect(
    someSentencesAddUpTo(
      sentenceLengths,
      Number(cached),
      totalCharacters - parseCount(toSynthesize ?? ''),
    ),
    `${toSynthesize} characters to synthesise with ${cached} cached sentences, of ${totalCharacters}`,
  ).toBe(true);

  // One drag of a slider is one save, with the value it was let go at.
  const logFiles = async () =>
    (await readAllFiles(started.logDir)).map((file) => file.bytes.toString('utf8')).join('\n');
  const savesSoFar = async () => (await logFiles()).split('lesson saved').length - 1;
  const savesBefore = await savesSoFar();
  const stability = panel.getByRole('slider', { name: 'Stability' });
  // The inspector column scrolls: bring the slider on screen before dragging it with the mouse.
  await stability.scrollIntoViewIfNeeded();
  const box = await stability.boundingBox();
  if (!box) throw new Error('the Stability slider is not on screen');
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2, { steps: 12 });
  await page.mouse.up();
  const dragged = Number(await stability.inputValue());
  expect(dragged).toBeLessThan(0.5);
  await expect
    .poll(async () => (await lessonOnDisk(dir)).voice)
    .toMatchObject({
      settings: { stability: dragged },
    });
  await expect(panel.getByTestId('voice-saving')).toHaveCount(0);
  await expect.poll(savesSoFar).toBe(savesBefore + 1);

  // Preview: one request to ElevenLabs, for exactly this text, with the chosen voice and model.
  const previewText = 'This is how Adam sounds in this lesson.';
  const previewField = panel.getByLabel('Preview text');
  await expect(previewField).toHaveValue(splitSentences(lesson.slides[0]!.narration)[0]!.text);
  await previewField.fill(previewText);
  await panel.getByRole('button', { name: 'Preview', exact: true }).click();
  await expect(panel.getByRole('button', { name: 'Stop', exact: true })).toBeVisible();
  await expect(panel.getByTestId('preview-outcome')).toHaveText('Spoken by ElevenLabs.');
  const previewRequests = server.synthesisRequests().filter((r) => requestText(r) === previewText);
  expect(previewRequests).toHaveLength(1);
  expect(requestModel(previewRequests[0]!)).toBe('eleven_turbo_v2_5');
  expect(previewRequests[0]!.voiceId).toBe(adam.voiceId);
  await panel.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(panel.getByRole('button', { name: 'Preview', exact: true })).toBeEnabled();

  // Less left on the plan than the lesson needs: said before going live. First the look-ahead
  // (the first two slides are prepared as the lesson loads) must be done, so the lower limit
  // below cannot refuse one of its requests: then exactly their sentences are cached.
  const refreshCost = panel.getByRole('button', { name: 'Refresh the cost' });
  const lookAheadSentences = lesson.slides
    .slice(0, 2)
    .reduce((count, slide) => count + splitSentences(slide.narration).length, 0);
  const cachedNow = async (): Promise<number> => {
    await refreshCost.click();
    const match = costPattern.exec((await cost.textContent()) ?? '');
    return match ? Number(match[2]) : -1;
  };
  await expect.poll(cachedNow, { timeout: 30_000 }).toBe(lookAheadSentences);
  const stillToSynthesize = parseCount(
    costPattern.exec((await cost.textContent()) ?? '')?.[1] ?? '',
  );
  expect(stillToSynthesize).toBeGreaterThan(0);
  const warning = panel.getByTestId('voice-cost-warning');
  await expect(warning).toHaveCount(0);
  server.setCharacterLimit(server.characterCount() + stillToSynthesize - 1);
  await refreshCost.click();
  await expect(cost).toContainText(
    `· ${(stillToSynthesize - 1).toLocaleString('en-US')} characters left on your plan (free)`,
  );
  await expect(warning).toHaveText(
    'This lesson exceeds what is left on your plan: the offline voice will speak the rest.',
  );
  server.setCharacterLimit(10_000_000);

  // ElevenLabs down: the preview is spoken offline, and the panel says so and why.
  server.failAll({ status: 500 });
  const outageText = 'Whatever happens, the lesson goes on.';
  await previewField.fill(outageText);
  await panel.getByRole('button', { name: 'Preview', exact: true }).click();
  const outcome = panel.getByTestId('preview-outcome');
  await expect(outcome).toContainText(
    'The offline voice spoke 1 sentence of this preview: ElevenLabs failed (HTTP 500)',
    { timeout: 30_000 },
  );
  expect(
    server.synthesisRequests().filter((r) => requestText(r) === outageText).length,
  ).toBeGreaterThan(0);
  await expect(panel.getByTestId('elevenlabs-paused')).toContainText(
    'ElevenLabs failed (HTTP 500)',
  );
  server.failAll(null);

  // The key never shows: not on screen, not in a field, not in the markup.
  const shown = await visibleText(page);
  expect(shown).not.toContain(apiKey);
  expect(shown).not.toContain(wrongKey);

  await panel.getByRole('button', { name: 'Remove key' }).click();
  await expect(keyStatus).toHaveText('No key');

  // Nor in anything the host wrote: logs (which did record the key being set), caches.
  await host.close();
  host = null;
  const logs = await logFiles();
  expect(logs).toContain('elevenlabs_key_set');
  for (const file of await readAllFiles(started.dataDir)) {
    expect(file.bytes.includes(apiKey), file.path).toBe(false);
    expect(file.bytes.includes(wrongKey), file.path).toBe(false);
  }
});

test(
  'voice and captions wait while the lesson plays; captions are saved to lesson.json',
  { tag: '@busy' },
  async ({ page }) => {
    const { dir, lesson } = await sampleLessonAt(width, height);
    ({ host } = await startTestHost(dir, {}));
    const panel = await openApp(page, host.server.appUrl, lesson);
    const elevenLabs = panel.getByRole('radio', { name: 'ElevenLabs' });
    const captions = panel.getByRole('checkbox', { name: 'Burn captions into the program' });
    await expect(elevenLabs).toBeEnabled();

    await page.getByRole('button', { name: '▶ Play' }).click();
    await expect(page.getByTestId('play-state')).toHaveText('playing');
    await expect(elevenLabs).toBeDisabled();
    await expect(elevenLabs).toHaveAttribute('title', lockedTitle);
    await expect(captions).toBeDisabled();
    await page.getByRole('button', { name: '■ Stop' }).click();
    await expect(page.getByTestId('play-state')).toHaveText('idle');
    await expect(elevenLabs).toBeEnabled();

    await captions.check();
    await expect.poll(async () => (await lessonOnDisk(dir)).captions).toEqual({ burnIn: true });
    await expect(panel.getByTestId('voice-saving')).toHaveCount(0);
    await expect(captions).toBeChecked();
    await expect(
      panel.getByText('A .vtt captions file is always written beside recordings.'),
    ).toBeVisible();
    await captions.uncheck();
    await expect.poll(async () => (await lessonOnDisk(dir)).captions).toEqual({ burnIn: false });
    await expect(panel.getByTestId('voice-saving')).toHaveCount(0);
    await expect(captions).not.toBeChecked();
    // The voice is still the offline one: captions alone changed.
    expect((await lessonOnDisk(dir)).voice).toEqual(lesson.voice);
  },
);
