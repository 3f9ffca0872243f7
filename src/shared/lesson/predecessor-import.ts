import { z } from 'zod';
import { normalisedRectSchema, recordedWordSchema } from './lesson-schema.ts';

/**
 * What main reads from one of the predecessor's files (the Python Rapido's parsed slide data, or
 * a video-job document from its editor), before anything is written: the plan the importer (in
 * the renderer, or `rapido import`) follows to draw slides and save a lesson. Main produces it,
 * the page only reads it; the assets it names are fetched by main, by plan id and asset key
 * (never by a URL or path the page sends).
 *
 * Every length here is in the document's canvas pixels (`canvas`, about 1920x1080); the drawer
 * scales to the lesson's output size.
 */

const idSchema = z.string().min(1).max(200);
/** Any CSS colour the document held (`#rrggbb`, `rgb(…)`, a name); the drawer parses it. */
const cssColorSchema = z.string().min(1).max(100);
const opacitySchema = z.number().min(0).max(1);
const lengthPxSchema = z.number().min(-100_000).max(100_000);
const sizePxSchema = z.number().min(0).max(100_000);

/** A CSS `translate(x px, y px) rotate(a deg) scale(sx, sy)`, applied in that order. */
export const drawingTransformSchema = z
  .object({
    xPx: lengthPxSchema,
    yPx: lengthPxSchema,
    rotateDeg: z.number().min(-100_000).max(100_000),
    scaleX: z.number().min(-1000).max(1000),
    scaleY: z.number().min(-1000).max(1000),
  })
  .strict();
export type DrawingTransform = z.infer<typeof drawingTransformSchema>;

const placedObject = {
  id: idSchema,
  transform: drawingTransformSchema,
  widthPx: sizePxSchema,
  heightPx: sizePxSchema,
  opacity: opacitySchema,
};

export const drawingTextSchema = z
  .object({
    kind: z.literal('text'),
    ...placedObject,
    /** Plain text; one paragraph (or bullet) per line. */
    content: z.string().max(100_000),
    /** As the document named it (e.g. "Poppins"); the drawer maps it to an available font. */
    fontFamily: z.string().min(1).max(200),
    fontSizePx: z.number().gt(0).max(2000),
    color: cssColorSchema,
    textAlign: z.enum(['left', 'center', 'right', 'justify']),
    /** `bulletList`: each line is a bullet; `heading`: bold. */
    variant: z.enum(['heading', 'bulletList', 'paragraph']),
    bulletColor: cssColorSchema.nullable(),
    backgroundColor: cssColorSchema.nullable(),
  })
  .strict();

/**
 * A CSS `linear-gradient(<angle>deg, <colour> <stop>%, …)`, as shapes' fills in real documents
 * hold (added by H2 of issue 16; `fill` then holds the first stop's colour).
 */
export const fillGradientSchema = z
  .object({
    /** CSS angle: 0 points up, 90 right, 180 (the default) down. */
    angleDeg: z.number().min(-100_000).max(100_000),
    stops: z
      .array(z.object({ color: cssColorSchema, offset: z.number().min(0).max(1) }).strict())
      .min(2)
      .max(50),
  })
  .strict();
export type FillGradient = z.infer<typeof fillGradientSchema>;

export const drawingShapeSchema = z
  .object({
    kind: z.literal('shape'),
    ...placedObject,
    shape: z.enum(['rectangle', 'circle']),
    fill: cssColorSchema.nullable(),
    /** When the fill is a gradient (optional: absent for a plain colour). */
    fillGradient: fillGradientSchema.optional(),
    stroke: cssColorSchema.nullable(),
    strokeWidthPx: z.number().min(0).max(10_000),
    strokeStyle: z.enum(['solid', 'dashed', 'dotted']),
  })
  .strict();

export const drawingImageSchema = z
  .object({
    kind: z.literal('image'),
    ...placedObject,
    /** The plan's asset holding the picture. */
    asset: idSchema,
    naturalWidthPx: sizePxSchema.nullable(),
    naturalHeightPx: sizePxSchema.nullable(),
    /** How much of the natural picture is cut off at each side, as a fraction of its size. */
    crop: z
      .object({
        top: z.number().min(0).max(1),
        right: z.number().min(0).max(1),
        bottom: z.number().min(0).max(1),
        left: z.number().min(0).max(1),
      })
      .strict(),
  })
  .strict();

export const drawingObjectSchema = z.discriminatedUnion('kind', [
  drawingTextSchema,
  drawingShapeSchema,
  drawingImageSchema,
]);
export type DrawingObject = z.infer<typeof drawingObjectSchema>;
export type DrawingText = z.infer<typeof drawingTextSchema>;
export type DrawingShape = z.infer<typeof drawingShapeSchema>;
export type DrawingImage = z.infer<typeof drawingImageSchema>;

/** How a slide looks: drawn from objects, a card for an embed, or a title card. */
export const slideVisualSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('canvas'),
      backgroundColor: cssColorSchema.nullable(),
      /** Drawn to cover the canvas, under the objects. */
      backgroundAsset: idSchema.nullable(),
      /** In drawing order (the document's order: later ones on top). */
      objects: z.array(drawingObjectSchema).max(2000),
    })
    .strict(),
  z
    .object({ kind: z.literal('embed'), title: z.string().max(1000), url: z.string().max(4000) })
    .strict(),
  /** No picture in the source (parsed slide data without a supplied image). */
  z.object({ kind: z.literal('title-card') }).strict(),
  /** A picture supplied by position or id (SLIDE_FRAMES_PATH or a named folder). */
  z.object({ kind: z.literal('image'), asset: idSchema }).strict(),
]);
export type SlideVisual = z.infer<typeof slideVisualSchema>;

export const planSlideSchema = z
  .object({
    /** The predecessor's slideId (a uuid), else `slide-<position>`. */
    id: idSchema,
    position: z.number().int().min(1),
    title: z.string().max(1000).nullable(),
    narration: z.string().max(20_000),
    /** The predecessor's narration length (narrationDuration / totalDuration), ms. */
    narrationDurationMs: z.number().int().min(0).max(86_400_000).nullable(),
    /** Only where it differs from the plan's (lesson) placement. */
    placement: normalisedRectSchema.nullable(),
    presenterHidden: z.boolean(),
    visual: slideVisualSchema,
    /** The recorded narration (audioUrl) and its word timings (tokens), when the source had them. */
    recorded: z
      .object({ asset: idSchema, words: z.array(recordedWordSchema).max(20_000) })
      .strict()
      .nullable(),
  })
  .strict();
export type PlanSlide = z.infer<typeof planSlideSchema>;

export const planAssetSchema = z
  .object({
    key: idSchema,
    kind: z.enum(['image', 'audio']),
    /** What the source named (a URL or a path), for the list of what is missing. */
    source: z.string().max(4000),
  })
  .strict();
export type PlanAsset = z.infer<typeof planAssetSchema>;

export const predecessorPlanSchema = z
  .object({
    /** Main's handle for this reading; assets are fetched by it. */
    planId: idSchema,
    form: z.enum(['parsed-slide-data', 'video-job-document']),
    /** The file read (for messages). */
    sourceFile: z.string().max(4000),
    title: z.string().min(1).max(1000),
    canvas: z
      .object({
        widthPx: z.number().int().min(16).max(16_384),
        heightPx: z.number().int().min(16).max(16_384),
      })
      .strict(),
    /** The lesson's avatar placement: the first slide's. */
    placement: normalisedRectSchema,
    slides: z.array(planSlideSchema).min(1).max(5000),
    assets: z.array(planAssetSchema).max(20_000),
    /** Things the user should know (e.g. "parsed slide data has no images: title cards"). */
    notes: z.array(z.string().max(2000)).max(200),
  })
  .strict();
export type PredecessorPlan = z.infer<typeof predecessorPlanSchema>;

/** Where main put an asset in the lesson folder, or why it could not. */
export const fetchedAssetSchema = z.discriminatedUnion('state', [
  z.object({ key: idSchema, state: z.literal('ready'), path: z.string().min(1).max(500) }).strict(),
  z.object({ key: idSchema, state: z.literal('missing'), reason: z.string().max(2000) }).strict(),
]);
export type FetchedAsset = z.infer<typeof fetchedAssetSchema>;
