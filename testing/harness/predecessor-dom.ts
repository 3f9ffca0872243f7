import {
  bulletDiameterEm,
  bulletIndentEm,
  bulletLeftEm,
  headingWeight,
  bodyWeight,
  lineHeightEm,
  paragraphsOf,
} from '../../src/renderer/features/import/predecessor/text-layout.ts';
import type { RawObject, RawSlide } from './predecessor-drawing-api.ts';

/**
 * The predecessor's web page, as far as its documents say how it looked: each object an
 * absolutely positioned element at the canvas's top-left, placed by its own CSS `transform`
 * string (transform-origin: the element's centre, CSS's default), the canvas scaled to the output
 * size. Built from the document's raw objects (not from the importer's plan), so what the browser
 * makes of them is the reference the importer's drawing is judged against. Text follows the rules
 * in text-layout.ts (line height 1.5, a disc per bullet), the one place both sides take them from.
 */

export interface DomSlideInput {
  slide: RawSlide;
  canvas: { widthPx: number; heightPx: number };
  output: { width: number; height: number };
  /** The CSS font-family list the page uses for a document family (the mapped font). */
  fontFamily: (requested: string) => string;
  /**
   * The font size the importer draws a text at (its own, or smaller where a substitute font no
   * longer fits the box): the page had the document's font, this machine has the substitute.
   */
  fontSize: (object: RawObject) => number;
  /** Draws the importer's placeholder for a picture that is not there (it is not the page's). */
  drawMissing: (canvas: HTMLCanvasElement, width: number, height: number, src: string) => void;
  /** Pictures that could not be had (by src). */
  missing: ReadonlySet<string>;
  /** Where the page loads each picture (by src). */
  urls: Readonly<Record<string, string>>;
}

const text = (value: unknown, fallback = ''): string =>
  typeof value === 'string' ? value : fallback;
const number = (value: unknown, fallback = 0): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : fallback;

function placed(object: RawObject): HTMLDivElement {
  const element = document.createElement('div');
  const width = number(object.width);
  const height = number(object.height);
  Object.assign(element.style, {
    position: 'absolute',
    left: '0px',
    top: '0px',
    width: `${width}px`,
    height: `${height}px`,
    boxSizing: 'border-box',
    transform: text(object.transform),
    // The documents hold opacity in percent.
    opacity: String(number(object.opacity, 100) / 100),
  });
  return element;
}

function shapeElement(object: RawObject): HTMLElement {
  const element = placed(object);
  element.style.background = text(object.fill ?? object.fillColor, 'transparent');
  const strokeWidth = number(object.strokeWidth);
  if (strokeWidth > 0) {
    element.style.border = `${strokeWidth}px ${text(object.strokeStyle, 'solid')} ${text(object.stroke ?? object.strokeColor, 'transparent')}`;
  }
  if (object.shape === 'circle') element.style.borderRadius = '50%';
  return element;
}

function textElement(object: RawObject, input: DomSlideInput): HTMLElement {
  const element = placed(object);
  const size = input.fontSize(object);
  const variant = text(object.variant, 'paragraph');
  Object.assign(element.style, {
    fontFamily: input.fontFamily(text(object.fontFamily, 'sans-serif')),
    fontSize: `${size}px`,
    fontWeight: String(variant === 'heading' ? headingWeight : bodyWeight),
    color: text(object.color, '#000000'),
    textAlign: text(object.textAlign, 'left'),
    lineHeight: String(lineHeightEm),
    background: text(object.backgroundColor, 'transparent'),
    whiteSpace: 'pre-wrap',
    overflowWrap: 'break-word',
  });
  for (const paragraph of paragraphsOf(text(object.content))) {
    const block = document.createElement('div');
    block.style.position = 'relative';
    block.style.minHeight = `${lineHeightEm}em`;
    block.textContent = paragraph;
    if (variant === 'bulletList') {
      block.style.paddingLeft = `${bulletIndentEm}em`;
      if (paragraph.trim() !== '') {
        const bullet = document.createElement('span');
        Object.assign(bullet.style, {
          position: 'absolute',
          left: `${bulletLeftEm}em`,
          top: `${(lineHeightEm - bulletDiameterEm) / 2}em`,
          width: `${bulletDiameterEm}em`,
          height: `${bulletDiameterEm}em`,
          borderRadius: '50%',
          background: text(object.bulletColor ?? object.color, '#000000'),
        });
        block.prepend(bullet);
      }
    }
    element.append(block);
  }
  return element;
}

async function imageElement(object: RawObject, input: DomSlideInput): Promise<HTMLElement> {
  const element = placed(object);
  const src = text(object.src);
  const width = number(object.width);
  const height = number(object.height);
  if (input.missing.has(src)) {
    const canvas = document.createElement('canvas');
    input.drawMissing(canvas, width, height, src);
    canvas.style.width = '100%';
    canvas.style.height = '100%';
    canvas.style.display = 'block';
    element.append(canvas);
    return element;
  }
  element.style.overflow = 'hidden';
  const image = document.createElement('img');
  image.src = input.urls[src] ?? src;
  // The whole picture stretched to the box (the test documents are not cropped).
  Object.assign(image.style, { display: 'block', width: '100%', height: '100%' });
  element.append(image);
  await image.decode();
  return element;
}

/** Builds the slide as the page drew it into `root` (sized to the output), pictures decoded. */
export async function buildDomSlide(root: HTMLElement, input: DomSlideInput): Promise<void> {
  const { canvas, output, slide } = input;
  root.replaceChildren();
  Object.assign(root.style, {
    position: 'absolute',
    left: '0px',
    top: '0px',
    width: `${output.width}px`,
    height: `${output.height}px`,
    overflow: 'hidden',
    background: '#000000',
  });
  const scale = Math.min(output.width / canvas.widthPx, output.height / canvas.heightPx);
  const stage = document.createElement('div');
  Object.assign(stage.style, {
    position: 'absolute',
    left: `${Math.floor((output.width - canvas.widthPx * scale) / 2)}px`,
    top: `${Math.floor((output.height - canvas.heightPx * scale) / 2)}px`,
    width: `${canvas.widthPx}px`,
    height: `${canvas.heightPx}px`,
    overflow: 'hidden',
    transform: `scale(${scale})`,
    transformOrigin: '0 0',
    backgroundColor: '#ffffff',
  });
  const backgroundColor = slide.backgroundColor ?? null;
  if (backgroundColor) stage.style.background = backgroundColor;
  const backgroundImage = slide.backgroundImage ?? null;
  if (backgroundImage && !input.missing.has(backgroundImage)) {
    const url = input.urls[backgroundImage] ?? backgroundImage;
    const cover = document.createElement('div');
    Object.assign(cover.style, {
      position: 'absolute',
      inset: '0',
      backgroundImage: `url("${url}")`,
      backgroundSize: 'cover',
      backgroundPosition: 'center',
    });
    const probe = new Image();
    probe.src = url;
    await probe.decode();
    stage.append(cover);
  }
  for (const object of slide.objects) {
    if (object.type === 'shape') stage.append(shapeElement(object));
    else if (object.type === 'text') stage.append(textElement(object, input));
    else if (object.type === 'image') stage.append(await imageElement(object, input));
  }
  root.append(stage);
  await document.fonts.ready;
}
