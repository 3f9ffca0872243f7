import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DrawingObject, SlideVisual } from '../../src/shared/lesson/predecessor-import.ts';
import { encodePng } from '../synctalk-reference/test-support.ts';
import type { RawObject, RawSlide } from '../harness/predecessor-drawing-api.ts';

/**
 * A video-job document of the predecessor's editor, in the shape its real files have
 * (`{docId, stringifiedDocJson, videoUrl, …}`, the inner JSON holding `slides` and `presenter`;
 * see /work/notes ISSUE16.md and the real files under rapido_system/data/slideData): canvas
 * slides with text (Poppins, Cabin, Larken as in the real documents; headings, bullets), shapes
 * (a gradient bar, a stroked circle, a rotated and scaled rectangle), pictures (local, "remote",
 * unreachable) and an embed. The pictures are written by `writeTestPictures`.
 */

export const testCanvas = { widthPx: 1920, heightPx: 1080 } as const;

/** Where each picture the document names comes from; `src` is what the document holds. */
export interface PictureSources {
  photo: string;
  background: string;
  remote: string;
  unreachable: string;
  narration: string | null;
}

/** Test pictures: smooth gradients with a few hard edges, so misplacement and scaling show. */
export async function writeTestPictures(
  dir: string,
): Promise<Record<'photo' | 'background' | 'remote', string>> {
  const picture = (width: number, height: number, tint: [number, number, number]) => {
    const rgb = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        const i = (y * width + x) * 3;
        const band = Math.floor(x / (width / 4)) % 2 === 0 ? 1 : 0.75;
        rgb[i] = Math.round(((x / width) * 200 + 30) * band * (tint[0] / 255));
        rgb[i + 1] = Math.round(((y / height) * 200 + 30) * band * (tint[1] / 255));
        rgb[i + 2] = Math.round((((x + y) / (width + height)) * 160 + 60) * (tint[2] / 255));
      }
    }
    return encodePng(width, height, rgb);
  };
  const files = {
    photo: join(dir, 'photo.png'),
    background: join(dir, 'background.png'),
    remote: join(dir, 'remote.png'),
  };
  await writeFile(files.photo, picture(400, 300, [255, 230, 200]));
  await writeFile(files.background, picture(960, 540, [180, 200, 255]));
  await writeFile(files.remote, picture(320, 320, [255, 255, 255]));
  return files;
}

const presenterConfig = { scaleX: 0.2, scaleY: 0.2, top: 670.4, left: 755.2, isEditable: true };

function text(fields: Record<string, unknown>): RawObject {
  return {
    type: 'text',
    opacity: 100,
    backgroundColor: 'transparent',
    static: false,
    bulletStyleType: 14,
    needsAdjustment: false,
    adjustmentCompleted: false,
    requiresVerticalCentering: false,
    ...fields,
  };
}

function shape(fields: Record<string, unknown>): RawObject {
  const fill = fields.fill ?? '#ffffff';
  const stroke = fields.stroke ?? 'rgb(0,0,0)';
  return {
    type: 'shape',
    strokeWidth: 0,
    strokeStyle: 'solid',
    opacity: 100,
    visibility: true,
    isHtmlShape: true,
    static: true,
    ...fields,
    fill,
    fillColor: fill,
    stroke,
    strokeColor: stroke,
  };
}

function image(fields: Record<string, unknown>): RawObject {
  return {
    type: 'image',
    opacity: 100,
    croppedLeft: 0,
    croppedTop: 0,
    croppedRight: 0,
    croppedBottom: 0,
    static: false,
    ...fields,
  };
}

export interface TestSlide extends RawSlide {
  id: string;
  contentType: 'canvas' | 'embed';
  narration: string;
}

/** The document's slides (raw objects, as the predecessor's page took them). */
export function testSlides(src: PictureSources): TestSlide[] {
  return [
    {
      id: '5d2c8f3e-1b6a-4f0e-9c1d-000000000001',
      contentType: 'canvas',
      narration: 'Lucknow lies on the Gomti River in northern India.',
      backgroundColor: '#fdf8f0',
      backgroundImage: null,
      objects: [
        shape({
          id: 'bar',
          shape: 'rectangle',
          width: 1920,
          height: 60,
          transform: 'translate(0px, 0px) rotate(0deg) scale(1, 1)',
          fill: 'linear-gradient(90deg, #fc5a54 0%, #8b2d56 100%)',
        }),
        text({
          id: 'h',
          variant: 'heading',
          fontFamily: 'Poppins',
          fontSize: 56,
          color: '#1f2933',
          textAlign: 'left',
          bulletColor: '#d1be92',
          width: 1050,
          height: 168,
          transform: 'translate(120px, 110px) rotate(0deg) scale(1, 1)',
          content: 'Lucknow’s location, administration, and demographics\n',
        }),
        text({
          id: 'b',
          variant: 'bulletList',
          fontFamily: 'Cabin',
          fontSize: 30,
          color: '#42566a',
          textAlign: 'left',
          bulletColor: '#ff5c54',
          width: 900,
          height: 270,
          transform: 'translate(120px, 330px)',
          content:
            'Lucknow is situated in the northern Indian state of Uttar Pradesh, along the banks of the Gomti River.\nIt is divided into six zones and 110 wards.\n',
        }),
        shape({
          id: 'c',
          shape: 'circle',
          width: 240,
          height: 240,
          transform: 'translate(1560px, 760px) rotate(0deg) scale(1, 1)',
          fill: '#d1be92',
          stroke: '#8b2d56',
          strokeWidth: 8,
        }),
        shape({
          id: 'r',
          shape: 'rectangle',
          width: 400,
          height: 200,
          transform: 'translate(1300px, 160px) rotate(12deg) scale(1.2, 0.8)',
          fill: '#93bedf',
          stroke: '#1f2933',
          strokeWidth: 6,
        }),
        image({
          id: 'p',
          src: src.photo,
          width: 560,
          height: 420,
          naturalWidth: 400,
          naturalHeight: 300,
          transform: 'translate(1180px, 420px) rotate(-6deg) scale(1, 1)',
        }),
        text({
          id: 'q',
          variant: 'heading',
          fontFamily: 'Larken',
          fontSize: 36,
          color: '#8b2d56',
          textAlign: 'center',
          bulletColor: '#42566a',
          width: 800,
          height: 108,
          transform: 'translate(120px, 860px) rotate(0deg) scale(1, 1)',
          content: '“The city of Nawabs”, where the old and the new meet\n',
        }),
      ],
    },
    {
      id: '5d2c8f3e-1b6a-4f0e-9c1d-000000000002',
      contentType: 'canvas',
      narration: 'The old city and the new.',
      backgroundColor: '#ffffff',
      backgroundImage: src.background,
      objects: [
        shape({
          id: 'panel',
          shape: 'rectangle',
          width: 900,
          height: 700,
          transform: 'translate(90px, 190px)',
          fill: 'rgba(255, 255, 255, 0.85)',
        }),
        text({
          id: 'h2',
          variant: 'heading',
          fontFamily: 'Poppins',
          fontSize: 48,
          color: '#171717',
          textAlign: 'left',
          bulletColor: '#d1be92',
          width: 820,
          height: 144,
          transform: 'translate(130px, 230px) rotate(0deg) scale(1, 1)',
          content: 'Then and now\n',
        }),
        text({
          id: 'b2',
          variant: 'bulletList',
          fontFamily: 'Poppins',
          fontSize: 28,
          color: '#707070',
          textAlign: 'left',
          bulletColor: '#d1be92',
          width: 800,
          height: 378,
          transform: 'translate(130px, 400px)',
          content:
            'Bara Imambara, built in 1784.\nHazratganj, the shopping street of the new city, with its Victorian arcades.\n',
        }),
        image({
          id: 'remote',
          src: src.remote,
          width: 600,
          height: 600,
          naturalWidth: 320,
          naturalHeight: 320,
          transform: 'translate(1150px, 240px) rotate(4deg) scale(1, 1)',
        }),
      ],
    },
    {
      id: '5d2c8f3e-1b6a-4f0e-9c1d-000000000003',
      contentType: 'canvas',
      narration: 'A picture that could not be fetched.',
      backgroundColor: '#ebebeb',
      backgroundImage: null,
      objects: [
        text({
          id: 'h3',
          variant: 'heading',
          fontFamily: 'Cabin',
          fontSize: 64,
          color: '#42566a',
          textAlign: 'right',
          bulletColor: '#42566a',
          width: 1600,
          height: 96,
          transform: 'translate(160px, 80px)',
          content: 'Where the picture went\n',
        }),
        image({
          id: 'gone',
          src: src.unreachable,
          width: 800,
          height: 600,
          naturalWidth: 800,
          naturalHeight: 600,
          transform: 'translate(560px, 300px)',
        }),
      ],
    },
    {
      id: '5d2c8f3e-1b6a-4f0e-9c1d-000000000004',
      contentType: 'embed',
      narration: 'The city map.',
      objects: [],
    },
  ];
}

/** The whole video-job document, as the predecessor stored it. */
export function testDocument(src: PictureSources): Record<string, unknown> {
  const slides = testSlides(src).map((slide, index) => {
    const narrationData = {
      text: slide.narration,
      totalDuration: 3000 + index * 500,
      tokens: slide.narration
        .split(' ')
        .map((word, i) => ({ text: word, startTime: i * 300, endTime: i * 300 + 250 })),
      ...(index === 0 && src.narration !== null ? { audioUrl: src.narration } : {}),
    };
    const common = {
      id: slide.id,
      isGeneratingSlide: false,
      presenter: { id: '282', name: 'Barry', imageUrl: '' },
      hash: `hash-${index}`,
      narrationData,
      presenterConfig: index === 1 ? { ...presenterConfig, left: 100 } : presenterConfig,
      defaultPresenterConfig: { ...presenterConfig, type: 'rectangle', display: true },
    };
    if (slide.contentType === 'embed') {
      return {
        ...common,
        contentType: 'embed',
        backgroundColor: '#ffffff',
        backgroundImage: '',
        objects: [],
        embed: { type: 'iframe', url: 'https://example.org/lucknow/map', title: 'Map of Lucknow' },
      };
    }
    return {
      ...common,
      contentType: 'canvas',
      backgroundColor: slide.backgroundColor,
      backgroundImage: slide.backgroundImage ?? '',
      objects: slide.objects,
    };
  });
  return {
    docId: 'doc-lucknow',
    stringifiedDocJson: JSON.stringify({
      slides,
      presenter: { id: '282', name: 'Barry', imageUrl: '' },
    }),
    encodedUpdate: '',
    videoUrl: '',
    videoState: 'completed',
    id: 'job-lucknow',
  };
}

const translate = /translate\(\s*(-?[\d.]+)px,\s*(-?[\d.]+)px\s*\)/u;
const rotate = /rotate\(\s*(-?[\d.]+)deg\s*\)/u;
const scale = /scale\(\s*(-?[\d.]+),\s*(-?[\d.]+)\s*\)/u;

/**
 * The drawing objects main's reader makes of these raw objects (H2's parser does this for the
 * app; this small copy serves the drawing spec, which runs without main). Picture asset keys are
 * their `src`.
 */
export function visualOf(slide: TestSlide): SlideVisual {
  if (slide.contentType === 'embed') {
    return { kind: 'embed', title: 'Map of Lucknow', url: 'https://example.org/lucknow/map' };
  }
  const objects = slide.objects.map((raw): DrawingObject => {
    const t = String(raw.transform);
    const [, x = '0', y = '0'] = translate.exec(t) ?? [];
    const [, a = '0'] = rotate.exec(t) ?? [];
    const [, sx = '1', sy = '1'] = scale.exec(t) ?? [];
    const placed = {
      id: String(raw.id),
      transform: {
        xPx: Number(x),
        yPx: Number(y),
        rotateDeg: Number(a),
        scaleX: Number(sx),
        scaleY: Number(sy),
      },
      widthPx: Number(raw.width),
      heightPx: Number(raw.height),
      opacity: Number(raw.opacity) / 100,
    };
    if (raw.type === 'text') {
      return {
        kind: 'text',
        ...placed,
        content: String(raw.content),
        fontFamily: String(raw.fontFamily),
        fontSizePx: Number(raw.fontSize),
        color: String(raw.color),
        textAlign: raw.textAlign as 'left',
        variant: raw.variant as 'heading',
        bulletColor: String(raw.bulletColor),
        backgroundColor: String(raw.backgroundColor),
      };
    }
    if (raw.type === 'shape') {
      return {
        kind: 'shape',
        ...placed,
        shape: raw.shape as 'rectangle',
        fill: String(raw.fill),
        stroke: String(raw.stroke),
        strokeWidthPx: Number(raw.strokeWidth),
        strokeStyle: 'solid',
      };
    }
    return {
      kind: 'image',
      ...placed,
      asset: String(raw.src),
      naturalWidthPx: Number(raw.naturalWidth),
      naturalHeightPx: Number(raw.naturalHeight),
      crop: { top: 0, right: 0, bottom: 0, left: 0 },
    };
  });
  return {
    kind: 'canvas',
    backgroundColor: slide.backgroundColor ?? null,
    backgroundAsset: slide.backgroundImage ?? null,
    objects,
  };
}
