import type { RapidoApi } from '../../../../shared/ipc/rapido-api.ts';
import type {
  Lesson,
  OutputSettings,
  RecordedNarration,
} from '../../../../shared/lesson/lesson-schema.ts';
import type {
  FetchedAsset,
  PlanSlide,
  PredecessorPlan,
} from '../../../../shared/lesson/predecessor-import.ts';
import { err, errorMessage, ok, type Result } from '../../../../shared/result.ts';
import { drawSlide, type DrawableImage } from './draw-slide.ts';
import { browserFontProbe, FontMapper } from './font-map.ts';
import { defaultPredecessorOutput, lessonFromPlan, slideAssetPath } from './lesson-from-plan.ts';
import { predecessorChannels, type PredecessorChannels } from './predecessor-channels.ts';
import { encodeWav16, narrationChannels } from './wav.ts';

export interface PredecessorImportProgress {
  phase: 'reading' | 'fetching' | 'drawing' | 'saving';
  done: number;
  total: number;
  message: string;
}

export interface PredecessorImportRequest {
  api: RapidoApi;
  /** The predecessor's JSON: parsed slide data or a video-job document. */
  file: string;
  /** The new lesson's folder (granted by the user); lesson.json is written last. */
  lessonDir: string;
  options: { keepRecordedNarration: boolean; imagesDir?: string; output?: OutputSettings };
  onProgress: (p: PredecessorImportProgress) => void;
  signal?: AbortSignal;
}

export interface PredecessorImportDone {
  dir: string;
  lesson: Lesson;
  /** What the user should know: the plan's notes, font substitutions, recordings not kept. */
  notes: string[];
  /** Each picture or recording that could not be had: what the document named, and why. */
  missing: string[];
}

/** Recordings are decoded at this rate (the predecessor's mp3s are 44.1 kHz). */
const decodeSampleRate = 44_100;

function cancelled<T>(): Result<T> {
  return err('cancelled', 'The import was cancelled: no lesson was created', {
    hint: 'Files already written to the lesson folder stay there: import into it again, or delete it.',
  });
}

async function readBytes(channels: PredecessorChannels, planId: string, key: string) {
  const read = await channels.readFetchedAsset(planId, key);
  if (!read.ok) throw new Error(read.error.message);
  return read.value;
}

/** Fetches the plan's assets in main, progress relayed; cancelling the signal cancels the run. */
async function fetchAssets(
  channels: PredecessorChannels,
  plan: PredecessorPlan,
  lessonDir: string,
  request: PredecessorImportRequest,
): Promise<Result<{ assets: FetchedAsset[] }>> {
  const total = plan.assets.filter(
    (asset) => asset.kind === 'image' || request.options.keepRecordedNarration,
  ).length;
  if (total === 0) return ok({ assets: [] });
  const runId = crypto.randomUUID();
  request.onProgress({ phase: 'fetching', done: 0, total, message: `Fetching ${total} files…` });
  const unsubscribe = channels.onFetchPlanProgress((progress) => {
    if (progress.runId !== runId) return;
    const megabytes = (progress.bytesDone / 1_000_000).toFixed(1);
    request.onProgress({
      phase: 'fetching',
      done: progress.done,
      total: progress.total,
      message:
        progress.current === null
          ? `Fetched ${progress.done} of ${progress.total} files (${megabytes} MB)`
          : `Fetching ${progress.current} (${progress.done} of ${progress.total} done, ${megabytes} MB)`,
    });
  });
  const onAbort = () => channels.cancelFetchPlan(runId);
  request.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // Recordings only when they will be kept: a lesson spoken by a voice does not need them.
    const kinds: ('image' | 'audio')[] = request.options.keepRecordedNarration
      ? ['image', 'audio']
      : ['image'];
    return await channels.fetchPlanAssets({ planId: plan.planId, lessonDir, runId, kinds });
  } finally {
    request.signal?.removeEventListener('abort', onAbort);
    unsubscribe();
  }
}

/** Decodes each fetched picture; one that cannot be read joins the missing list. */
async function decodeImages(
  channels: PredecessorChannels,
  lessonDir: string,
  plan: PredecessorPlan,
  fetched: ReadonlyMap<string, FetchedAsset>,
  missing: Map<string, string>,
): Promise<Map<string, DrawableImage>> {
  const images = new Map<string, DrawableImage>();
  for (const asset of plan.assets) {
    if (asset.kind !== 'image') continue;
    const got = fetched.get(asset.key);
    if (got?.state !== 'ready') {
      missing.set(asset.key, got?.state === 'missing' ? got.reason : 'not fetched');
      continue;
    }
    try {
      const read = await readBytes(channels, plan.planId, asset.key);
      const bitmap = await createImageBitmap(new Blob([read.bytes], { type: read.mimeType }));
      images.set(asset.key, { source: bitmap, width: bitmap.width, height: bitmap.height });
    } catch (error) {
      missing.set(asset.key, `not a picture this browser can read (${errorMessage(error)})`);
    }
  }
  return images;
}

/** A kept recording as a 16-bit WAV in the lesson (Web Audio decodes mp3, ogg, wav …). */
async function keepRecording(
  api: RapidoApi,
  channels: PredecessorChannels,
  lessonDir: string,
  asset: { planId: string; key: string },
  target: string,
): Promise<string> {
  const read = await readBytes(channels, asset.planId, asset.key);
  const context = new OfflineAudioContext({
    numberOfChannels: 1,
    length: 1,
    sampleRate: decodeSampleRate,
  });
  const buffer = await context.decodeAudioData(read.bytes.slice().buffer);
  const samples = Array.from({ length: buffer.numberOfChannels }, (_, c) =>
    buffer.getChannelData(c),
  );
  const wav = encodeWav16(narrationChannels(samples), buffer.sampleRate);
  const written = await api.lesson.writeAsset({ dir: lessonDir, path: target, bytes: wav });
  if (!written.ok) throw new Error(written.error.message);
  return written.value.path;
}

async function slidePng(canvas: OffscreenCanvas): Promise<Uint8Array<ArrayBuffer>> {
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  return new Uint8Array(await blob.arrayBuffer());
}

function slideName(slide: PlanSlide, index: number): string {
  return slide.title ? `slide ${index + 1} (“${slide.title}”)` : `slide ${index + 1}`;
}

/**
 * Imports one of the predecessor's files into a new lesson folder: main reads it into a plan
 * (nothing written when that fails), fetches its pictures and recordings into the folder, each
 * slide is drawn to `slides/slide-NN.png`, kept recordings become `narration/slide-NN.wav`, and
 * lesson.json is saved last (`create`). Cancelling stops between steps; what was written stays,
 * and no lesson is saved.
 */
export async function importPredecessorLesson(request: {
  api: RapidoApi;
  file: string;
  lessonDir: string;
  options: { keepRecordedNarration: boolean; imagesDir?: string; output?: OutputSettings };
  onProgress: (p: PredecessorImportProgress) => void;
  signal?: AbortSignal;
}): Promise<Result<PredecessorImportDone>> {
  const { api, lessonDir, options, onProgress, signal } = request;
  const channels = predecessorChannels(api);
  const startedMs = performance.now();
  onProgress({ phase: 'reading', done: 0, total: 1, message: 'Reading the file…' });
  const read = await channels.readPredecessor({
    file: request.file,
    ...(options.imagesDir === undefined ? {} : { imagesDir: options.imagesDir }),
  });
  if (!read.ok) return read;
  const plan = read.value;
  if (signal?.aborted) return cancelled();

  const fetchedResult = await fetchAssets(channels, plan, lessonDir, request);
  if (signal?.aborted) return cancelled();
  if (!fetchedResult.ok) return fetchedResult;
  const fetched = new Map(fetchedResult.value.assets.map((asset) => [asset.key, asset]));
  const missing = new Map<string, string>();
  const images = await decodeImages(channels, lessonDir, plan, fetched, missing);
  const notes = [...plan.notes];

  const output = options.output ?? defaultPredecessorOutput;
  const canvas = new OffscreenCanvas(output.width, output.height);
  const context = canvas.getContext('2d');
  if (!context) return err('internal', 'This browser gave no 2D canvas to draw the slides on');
  const fonts = new FontMapper(browserFontProbe());
  const assetNames = new Map(plan.assets.map((asset) => [asset.key, asset.source]));
  const slideImages: string[] = [];
  const recorded = new Map<number, RecordedNarration>();
  const count = plan.slides.length;
  let shrunkTexts = 0;
  try {
    for (const [index, slide] of plan.slides.entries()) {
      if (signal?.aborted) return cancelled();
      onProgress({
        phase: 'drawing',
        done: index,
        total: count,
        message: `Drawing slide ${index + 1} of ${count}`,
      });
      shrunkTexts += drawSlide(
        context,
        output,
        {
          visual: slide.visual,
          title: slide.title,
          narration: slide.narration,
          canvas: plan.canvas,
          images,
          assetNames,
          fonts,
        },
        `Slide ${index + 1}`,
      ).shrunkTexts;
      const written = await api.lesson.writeAsset({
        dir: lessonDir,
        path: slideAssetPath('image', index, count),
        bytes: await slidePng(canvas),
      });
      if (!written.ok) return written;
      slideImages.push(written.value.path);

      const recording = slide.recorded;
      if (!options.keepRecordedNarration || recording === null) continue;
      const got = fetched.get(recording.asset);
      if (got?.state !== 'ready') {
        missing.set(recording.asset, got?.state === 'missing' ? got.reason : 'not fetched');
        notes.push(
          `${slideName(slide, index)}: its recorded narration is missing, so it is synthesised from the text.`,
        );
        continue;
      }
      try {
        const audio = await keepRecording(
          api,
          channels,
          lessonDir,
          { planId: plan.planId, key: recording.asset },
          slideAssetPath('narration', index, count),
        );
        recorded.set(index, {
          audio,
          ...(recording.words.length > 0 ? { words: recording.words } : {}),
        });
      } catch (error) {
        notes.push(
          `${slideName(slide, index)}: its recorded narration could not be decoded (${errorMessage(error)}), so it is synthesised from the text.`,
        );
      }
    }
  } catch (error) {
    return err(
      'internal',
      `Slide ${slideImages.length + 1} could not be drawn: ${errorMessage(error)}`,
    );
  } finally {
    for (const image of images.values())
      if (image.source instanceof ImageBitmap) image.source.close();
  }
  if (signal?.aborted) return cancelled();

  onProgress({
    phase: 'saving',
    done: count,
    total: count,
    message: `Saving the lesson (${count} slides)…`,
  });
  let lesson: Lesson;
  try {
    lesson = lessonFromPlan({ plan, lessonDir, output, images: slideImages, recorded });
  } catch (error) {
    return err('lesson-invalid', `The imported lesson is not valid: ${errorMessage(error)}`);
  }
  const saved = await api.lesson.save({ dir: lessonDir, lesson, create: true });
  if (!saved.ok) return saved;

  notes.push(...fonts.substitutions().map((line) => `Font substituted: ${line}`));
  if (shrunkTexts > 0) {
    notes.push(
      `${shrunkTexts} ${shrunkTexts === 1 ? 'text was' : 'texts were'} made smaller to fit ${shrunkTexts === 1 ? 'its box' : 'their boxes'}: the substitute font is wider than the document's.`,
    );
  }
  api.log.write({
    level: 'info',
    logger: 'import',
    message: `imported ${count} slides of ${plan.form} ${plan.sourceFile} into ${saved.value.dir} (${missing.size} assets missing)`,
    lessonId: saved.value.lesson.id,
    eventType: 'import_predecessor',
    performance: {
      slides: count,
      width: output.width,
      height: output.height,
      totalMs: Math.round(performance.now() - startedMs),
    },
  });
  return ok({
    dir: saved.value.dir,
    lesson: saved.value.lesson,
    notes,
    missing: [...missing].map(([key, reason]) => `${assetNames.get(key) ?? key}: ${reason}`),
  });
}
