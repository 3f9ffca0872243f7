import { avatarPoseAt } from './avatar-motion.ts';
import type { AvatarPose } from './avatar-motion.ts';
import { LOCAL_AVATAR_MOUTH_RECT, countMouthInteriorPixels } from './avatar-layout.ts';
import { LocalAvatarRenderer, renderAvatarFrame } from './local-avatar-renderer.ts';

/**
 * A contact sheet of the local avatar's poses plus draw-time figures, for eyeballing the
 * drawing (scripts/preview-avatar.ts) and for settings screens that show the presenter.
 */

/** Per-frame times at one frame size. Medians resist other processes stealing the CPU. */
export interface AvatarDrawTiming {
  frameCount: number;
  /** Issuing the draw calls only (Chromium records 2D canvas calls and rasterises later). */
  drawCallsMedianMs: number;
  /** Draw plus forcing the canvas to rasterise: what a frame really costs. */
  drawAndRasteriseMedianMs: number;
  drawAndRasteriseMeanMs: number;
  drawAndRasteriseP95Ms: number;
  /** Draw, rasterise and upload as a WebGL2 texture, as the compositor does; null without WebGL2. */
  drawAndUploadMedianMs: number | null;
}

export interface MouthInteriorSample {
  mouthOpenness: number;
  /** Interior-coloured pixels inside the mouth rectangle, taken over idle poses. */
  minimumPixels: number;
  maximumPixels: number;
  /** Interior-coloured pixels anywhere else in the frame (should be 0). */
  pixelsOutsideRect: number;
}

export interface AvatarContactSheet {
  png: Blob;
  timing: AvatarDrawTiming;
  mouthInterior: MouthInteriorSample[];
}

interface Cell {
  label: string;
  width: number;
  height: number;
  keyColor: string;
  pose: AvatarPose;
  /** Draws the cell's frame enlarged around this design-space square, when set. */
  zoom?: { x: number; y: number; size: number };
  showMouthRect?: boolean;
}

const CELL_SIZE = 512;
const LABEL_HEIGHT = 28;
const COLUMNS = 3;

function neutralPose(overrides: Partial<AvatarPose> = {}): AvatarPose {
  return {
    eyeOpenness: 1,
    mouthOpenness: 0,
    headOffsetX: 0,
    headOffsetY: 0,
    headTiltRad: 0,
    breathLift: 0,
    gazeX: 0,
    gazeY: 0,
    browLift: 0,
    ...overrides,
  };
}

function sheetCells(): Cell[] {
  const keyColor = '#00b140';
  const square = { width: CELL_SIZE, height: CELL_SIZE, keyColor };
  return [
    { label: 'neutral', ...square, pose: neutralPose(), showMouthRect: true },
    { label: 'mouth half open', ...square, pose: avatarPoseAt(1000, 0.5) },
    {
      label: 'mouth fully open, brows up',
      ...square,
      pose: neutralPose({ mouthOpenness: 1, browLift: 0.55 }),
    },
    { label: 'blink (closed)', ...square, pose: neutralPose({ eyeOpenness: 0 }) },
    {
      label: 'idle extreme',
      ...square,
      pose: neutralPose({
        headOffsetX: 4 / 512,
        headOffsetY: -3 / 512,
        headTiltRad: (1.6 * Math.PI) / 180,
        breathLift: 2.2 / 512,
        gazeX: 0.35,
        gazeY: -0.2,
        mouthOpenness: 0.3,
      }),
    },
    {
      label: 'key #089831, mid blink',
      ...square,
      keyColor: '#089831',
      pose: neutralPose({ eyeOpenness: 0.45, mouthOpenness: 0.15 }),
    },
    {
      label: '16:9 frame 512x288',
      width: 512,
      height: 288,
      keyColor,
      pose: neutralPose({ mouthOpenness: 0.35 }),
    },
    {
      label: 'face detail (x2.5)',
      width: 1280,
      height: 1280,
      keyColor,
      pose: neutralPose({ mouthOpenness: 0.6 }),
      zoom: { x: 154, y: 100, size: 205 },
    },
    {
      label: 'portrait frame 288x512',
      width: 288,
      height: 512,
      keyColor,
      pose: neutralPose(),
    },
  ];
}

function percentileOf(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
}

/** Times `frameCount` frames of speech-like motion, each on its own, after a warm-up. */
function timeFrames(frameCount: number, frame: (index: number) => void): number[] {
  for (let index = 0; index < 20; index++) frame(index);
  const times: number[] = [];
  for (let index = 0; index < frameCount; index++) {
    const startMs = performance.now();
    frame(index);
    times.push(performance.now() - startMs);
  }
  return times;
}

/** Measures the cost of a width x height frame on a fresh renderer. */
export function measureAvatarDrawTime(
  width: number,
  height: number,
  frameCount = 300,
): AvatarDrawTiming {
  const renderer = new LocalAvatarRenderer({ width, height, keyColor: '#00b140' });
  const probe = new OffscreenCanvas(1, 1).getContext('2d', { willReadFrequently: true });
  if (probe === null) throw new Error('2D context unavailable');
  // Reading one pixel through a copy makes Chromium rasterise everything recorded so far.
  const rasterise = (): void => {
    probe.drawImage(renderer.canvas, 0, 0, 1, 1);
    probe.getImageData(0, 0, 1, 1);
  };
  const drawFrame = (index: number): void => {
    renderAvatarFrame(renderer, index * 40, 0.5 + 0.5 * Math.sin(index * 0.9));
  };

  const drawCalls = timeFrames(frameCount, drawFrame);
  rasterise();
  const rasterised = timeFrames(frameCount, (index) => {
    drawFrame(index);
    rasterise();
  });

  let drawAndUploadMedianMs: number | null = null;
  const gl = new OffscreenCanvas(width, height).getContext('webgl2');
  if (gl !== null) {
    const texture = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, width, height, 0, gl.RGBA, gl.UNSIGNED_BYTE, null);
    const framebuffer = gl.createFramebuffer();
    gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
    const pixel = new Uint8Array(4);
    const uploaded = timeFrames(frameCount, (index) => {
      drawFrame(index);
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, renderer.canvas);
      // A one-pixel read waits for the upload to finish.
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
    });
    gl.deleteFramebuffer(framebuffer);
    gl.deleteTexture(texture);
    drawAndUploadMedianMs = percentileOf(uploaded, 0.5);
  }
  renderer.dispose();

  return {
    frameCount,
    drawCallsMedianMs: percentileOf(drawCalls, 0.5),
    drawAndRasteriseMedianMs: percentileOf(rasterised, 0.5),
    drawAndRasteriseMeanMs: rasterised.reduce((sum, value) => sum + value, 0) / frameCount,
    drawAndRasteriseP95Ms: percentileOf(rasterised, 0.95),
    drawAndUploadMedianMs,
  };
}

/**
 * Renders each openness over a spread of idle poses and counts the mouth's interior pixels, the
 * way tests of recorded video will.
 */
export function measureMouthInterior(
  width: number,
  height: number,
  opennessLevels: readonly number[] = [0, 0.1, 0.25, 0.5, 0.75, 1],
): MouthInteriorSample[] {
  const renderer = new LocalAvatarRenderer({ width, height, keyColor: '#00b140' });
  const reader = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
  if (reader === null) throw new Error('2D context unavailable');
  const wholeFrame = { x: 0, y: 0, width: 1, height: 1 };
  const samples = opennessLevels.map((mouthOpenness) => {
    let minimumPixels = Infinity;
    let maximumPixels = 0;
    let pixelsOutsideRect = 0;
    for (let timeMs = 0; timeMs < 60_000; timeMs += 2_470) {
      renderAvatarFrame(renderer, timeMs, mouthOpenness);
      reader.clearRect(0, 0, width, height);
      reader.drawImage(renderer.canvas, 0, 0);
      const { data } = reader.getImageData(0, 0, width, height);
      const inRect = countMouthInteriorPixels(data, width, height);
      const everywhere = countMouthInteriorPixels(data, width, height, { rect: wholeFrame });
      minimumPixels = Math.min(minimumPixels, inRect);
      maximumPixels = Math.max(maximumPixels, inRect);
      pixelsOutsideRect = Math.max(pixelsOutsideRect, everywhere - inRect);
    }
    return { mouthOpenness, minimumPixels, maximumPixels, pixelsOutsideRect };
  });
  renderer.dispose();
  return samples;
}

function drawCell(sheet: OffscreenCanvasRenderingContext2D, cell: Cell, index: number): void {
  const left = (index % COLUMNS) * CELL_SIZE;
  const top = Math.floor(index / COLUMNS) * (CELL_SIZE + LABEL_HEIGHT);
  const renderer = new LocalAvatarRenderer({
    width: cell.width,
    height: cell.height,
    keyColor: cell.keyColor,
  });
  renderer.draw(cell.pose);

  sheet.fillStyle = '#202020';
  sheet.fillRect(left, top, CELL_SIZE, CELL_SIZE + LABEL_HEIGHT);
  if (cell.zoom !== undefined) {
    const pixelsPerUnit = cell.width / 512;
    sheet.drawImage(
      renderer.canvas,
      cell.zoom.x * pixelsPerUnit,
      cell.zoom.y * pixelsPerUnit,
      cell.zoom.size * pixelsPerUnit,
      cell.zoom.size * pixelsPerUnit,
      left,
      top,
      CELL_SIZE,
      CELL_SIZE,
    );
  } else {
    const fit = Math.min(CELL_SIZE / cell.width, CELL_SIZE / cell.height);
    const drawWidth = cell.width * fit;
    const drawHeight = cell.height * fit;
    sheet.drawImage(
      renderer.canvas,
      left + (CELL_SIZE - drawWidth) / 2,
      top + (CELL_SIZE - drawHeight) / 2,
      drawWidth,
      drawHeight,
    );
  }
  if (cell.showMouthRect === true) {
    sheet.strokeStyle = 'rgba(255, 255, 255, 0.8)';
    sheet.lineWidth = 1;
    sheet.setLineDash([4, 3]);
    sheet.strokeRect(
      left + LOCAL_AVATAR_MOUTH_RECT.x * CELL_SIZE,
      top + LOCAL_AVATAR_MOUTH_RECT.y * CELL_SIZE,
      LOCAL_AVATAR_MOUTH_RECT.width * CELL_SIZE,
      LOCAL_AVATAR_MOUTH_RECT.height * CELL_SIZE,
    );
    sheet.setLineDash([]);
  }
  sheet.fillStyle = '#f0f0f0';
  sheet.font = '16px sans-serif';
  sheet.fillText(cell.label, left + 10, top + CELL_SIZE + 19);
  renderer.dispose();
}

/** Renders the sheet (3 columns of labelled 512 px cells) and times a 512 x 512 frame. */
export async function renderAvatarContactSheet(): Promise<AvatarContactSheet> {
  const cells = sheetCells();
  const rows = Math.ceil(cells.length / COLUMNS);
  const sheetCanvas = new OffscreenCanvas(COLUMNS * CELL_SIZE, rows * (CELL_SIZE + LABEL_HEIGHT));
  const sheet = sheetCanvas.getContext('2d');
  if (sheet === null) throw new Error('2D context unavailable');
  cells.forEach((cell, index) => {
    drawCell(sheet, cell, index);
  });
  const timing = measureAvatarDrawTime(512, 512);
  const mouthInterior = measureMouthInterior(512, 512);
  const png = await sheetCanvas.convertToBlob({ type: 'image/png' });
  return { png, timing, mouthInterior };
}
