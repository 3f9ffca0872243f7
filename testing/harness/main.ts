import { parseHexColor } from '../../src/shared/chroma-key.ts';
import {
  Compositor,
  compositorContextAttributes,
} from '../../src/renderer/engine/compositor/compositor.ts';
import { CpuThresholdKeyer } from './cpu-keyer.ts';
import { countGlObjects, type GlObjectCounter } from './gl-object-counter.ts';
import type {
  HarnessBenchOptions,
  HarnessBenchSamples,
  HarnessPixels,
  HarnessRendererInfo,
  HarnessScene,
  HarnessSize,
  RapidoHarness,
} from './harness-api.ts';
import { bytesToBase64, ImageRegistry } from './images.ts';

declare global {
  interface Window {
    rapidoHarness?: RapidoHarness;
  }
}

interface Session {
  readonly canvas: HTMLCanvasElement;
  readonly gl: WebGL2RenderingContext;
  readonly compositor: Compositor;
  readonly counter: GlObjectCounter;
  /** Fetched up front: getExtension answers null while the context is lost. */
  readonly loseContext: WEBGL_lose_context | null;
}

const images = new ImageRegistry();
let session: Session | null = null;

function current(): Session {
  if (!session) throw new Error('call createCompositor first');
  return session;
}

/** A compositor on a fresh canvas attached to the page (a detached canvas captures slowly). */
function openSession(output: HarnessSize): Session {
  const canvas = document.createElement('canvas');
  document.body.append(canvas);
  // Same attributes as the compositor's, so it gets this very context, counted.
  const gl = canvas.getContext('webgl2', compositorContextAttributes);
  if (!gl) throw new Error('WebGL2 is not available');
  const counter = countGlObjects(gl);
  canvas.addEventListener('webglcontextlost', () => {
    counter.forgetAll();
  });
  const loseContext = gl.getExtension('WEBGL_lose_context');
  return { canvas, gl, compositor: new Compositor(canvas, output), counter, loseContext };
}

function closeSession(closing: Session): void {
  closing.compositor.dispose();
  closing.canvas.remove();
  // Chromium keeps at most 16 WebGL contexts and then loses the oldest, which would be the
  // session under test after many renderFresh calls: give this one back now, not at GC.
  closing.loseContext?.loseContext();
}

function readCanvas(gl: WebGL2RenderingContext): HarnessPixels {
  const width = gl.drawingBufferWidth;
  const height = gl.drawingBufferHeight;
  const bottomUp = new Uint8Array(width * height * 4);
  gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, bottomUp);
  const topDown = new Uint8Array(bottomUp.length);
  const rowBytes = width * 4;
  for (let row = 0; row < height; row += 1) {
    const from = (height - 1 - row) * rowBytes;
    topDown.set(bottomUp.subarray(from, from + rowBytes), row * rowBytes);
  }
  return { width, height, rgbaBase64: bytesToBase64(topDown) };
}

function renderFresh(scene: HarnessScene): HarnessPixels {
  const fresh = openSession(scene.output);
  try {
    const slide = scene.slide === null ? null : images.get(scene.slide);
    fresh.compositor.setSlide(slide, slide ?? { width: 0, height: 0 });
    fresh.compositor.setKey(scene.keyColor, scene.chromaKey);
    fresh.compositor.setAvatarPlacement(scene.placement);
    fresh.compositor.setMatteView(scene.matteView);
    fresh.compositor.setCaption(scene.caption ?? null);
    const avatar = scene.avatar === null ? null : images.get(scene.avatar);
    fresh.compositor.render(
      avatar ? { source: avatar, width: avatar.width, height: avatar.height } : null,
    );
    return readCanvas(fresh.gl);
  } finally {
    closeSession(fresh);
  }
}

function waitForCanvasEvent(canvas: HTMLCanvasElement, type: string): Promise<void> {
  return new Promise((resolve) => {
    canvas.addEventListener(type, () => resolve(), { once: true });
  });
}

function loseContextExtension(open: Session): WEBGL_lose_context {
  if (!open.loseContext) throw new Error('WEBGL_lose_context is not available');
  return open.loseContext;
}

function benchCompositor(options: HarnessBenchOptions): HarnessBenchSamples {
  const bench = openSession(options.output);
  try {
    const slide = images.get(options.slide);
    const frames = options.avatarFrames.map((name) => images.get(name));
    bench.compositor.setSlide(slide, slide);
    bench.compositor.setKey(options.keyColor, options.chromaKey);
    bench.compositor.setAvatarPlacement(options.placement);
    const pixel = new Uint8Array(4);
    const frameMs: number[] = [];
    const captions = options.captions ?? [];
    const total = options.warmupFrames + options.measuredFrames;
    for (let index = 0; index < total; index += 1) {
      const frame = frames[index % frames.length];
      if (!frame) throw new Error('no avatar frames');
      const startMs = performance.now();
      // As a render loop would: the caption of the moment, every frame, changed or not.
      if (captions.length > 0)
        bench.compositor.setCaption(captions[index % captions.length] ?? null);
      bench.compositor.render({ source: frame, width: frame.width, height: frame.height });
      // A 1-pixel readback waits until the GPU (SwiftShader here) has finished the frame.
      bench.gl.readPixels(0, 0, 1, 1, bench.gl.RGBA, bench.gl.UNSIGNED_BYTE, pixel);
      if (index >= options.warmupFrames) frameMs.push(performance.now() - startMs);
    }
    return { frameMs, uploadMs: benchAvatarUpload(bench.gl, frames, options) };
  } finally {
    closeSession(bench);
  }
}

/** Times what the compositor's avatar upload costs, alone, into a scratch texture. */
function benchAvatarUpload(
  gl: WebGL2RenderingContext,
  frames: readonly ImageBitmap[],
  options: HarnessBenchOptions,
): number[] {
  const first = frames[0];
  if (!first) throw new Error('no avatar frames');
  const texture = gl.createTexture();
  try {
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, texture);
    // The compositor's settings for avatar frames: straight colour, exactly as decoded.
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_COLORSPACE_CONVERSION_WEBGL, gl.NONE);
    gl.texImage2D(
      gl.TEXTURE_2D,
      0,
      gl.RGBA8,
      first.width,
      first.height,
      0,
      gl.RGBA,
      gl.UNSIGNED_BYTE,
      null,
    );
    const pixel = new Uint8Array(4);
    const uploadMs: number[] = [];
    const total = options.warmupFrames + options.measuredFrames;
    for (let index = 0; index < total; index += 1) {
      const frame = frames[index % frames.length] ?? first;
      const startMs = performance.now();
      gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, gl.RGBA, gl.UNSIGNED_BYTE, frame);
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
      if (index >= options.warmupFrames) uploadMs.push(performance.now() - startMs);
    }
    return uploadMs;
  } finally {
    gl.deleteTexture(texture);
  }
}

function benchCpuKeyer(options: HarnessBenchOptions): HarnessBenchSamples {
  const key = parseHexColor(options.keyColor);
  if (!key.ok) throw new Error(key.error.message);
  const slide = images.get(options.slide);
  const frames = options.avatarFrames.map((name) => images.get(name));
  const first = frames[0];
  if (!first) throw new Error('no avatar frames');
  const canvas = document.createElement('canvas');
  document.body.append(canvas);
  try {
    const keyer = new CpuThresholdKeyer(canvas, options.output, {
      slideSize: slide,
      avatarSize: first,
      placement: options.placement,
      keyRgb: [key.value.r * 255, key.value.g * 255, key.value.b * 255],
      rgbThreshold: options.rgbThreshold,
    });
    const frameMs: number[] = [];
    const total = options.warmupFrames + options.measuredFrames;
    for (let index = 0; index < total; index += 1) {
      const frame = frames[index % frames.length] ?? first;
      const startMs = performance.now();
      keyer.render(slide, frame);
      keyer.finish();
      if (index >= options.warmupFrames) frameMs.push(performance.now() - startMs);
    }
    return { frameMs };
  } finally {
    canvas.remove();
  }
}

function rendererInfo(): HarnessRendererInfo {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl)
    return { vendor: 'none', renderer: 'WebGL2 unavailable', userAgent: navigator.userAgent };
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const info = {
    vendor: String(gl.getParameter(debug ? debug.UNMASKED_VENDOR_WEBGL : gl.VENDOR)),
    renderer: String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER)),
    userAgent: navigator.userAgent,
  };
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return info;
}

const harness: RapidoHarness = {
  ready: true,
  rendererInfo,
  loadImage: (name, url) => images.load(name, url),
  createImage: (name, pixels) => images.fromPixels(name, pixels),
  createSolidImage: (name, size, cssColor) => images.solid(name, size, cssColor),
  readImage: (name) => images.read(name),

  createCompositor(output) {
    if (session) closeSession(session);
    session = openSession(output);
  },
  resize(output) {
    current().compositor.resize(output);
  },
  setSlide(name) {
    const image = name === null ? null : images.get(name);
    current().compositor.setSlide(image, image ?? { width: 0, height: 0 });
  },
  setKey(keyColorHex, settings) {
    current().compositor.setKey(keyColorHex, settings);
  },
  setAvatarPlacement(rect) {
    current().compositor.setAvatarPlacement(rect);
  },
  setMatteView(enabled) {
    current().compositor.setMatteView(enabled);
  },
  setCaption(text) {
    current().compositor.setCaption(text);
  },
  captionRect: () => current().compositor.captionRect(),
  render(avatarName) {
    const { compositor } = current();
    const avatar = avatarName === null ? null : images.get(avatarName);
    compositor.render(
      avatar ? { source: avatar, width: avatar.width, height: avatar.height } : null,
    );
    return { ...compositor.stats };
  },
  readCanvas: () => readCanvas(current().gl),
  renderFresh,
  async canvasPngBase64() {
    const blob = await new Promise<Blob | null>((resolve) => {
      current().canvas.toBlob(resolve, 'image/png');
    });
    if (!blob) throw new Error('the canvas could not be encoded');
    return bytesToBase64(new Uint8Array(await blob.arrayBuffer()));
  },
  compositorState: () => current().compositor.state,
  async loseContext() {
    const open = current();
    const { canvas, compositor } = open;
    const lost = waitForCanvasEvent(canvas, 'webglcontextlost');
    loseContextExtension(open).loseContext();
    await lost;
    return compositor.state;
  },
  async restoreContext() {
    const open = current();
    const { canvas, compositor } = open;
    const restored = waitForCanvasEvent(canvas, 'webglcontextrestored');
    loseContextExtension(open).restoreContext();
    await restored;
    return compositor.state;
  },
  glObjectCounts() {
    const { counter } = current();
    return { created: counter.created, live: counter.live };
  },
  disposeCompositor() {
    const closing = current();
    closing.compositor.dispose();
    // Counted before the context is given back (a lost context takes its objects with it).
    const counts = { created: closing.counter.created, live: closing.counter.live };
    closeSession(closing);
    session = null;
    return counts;
  },

  benchCompositor,
  benchCpuKeyer,
};

window.rapidoHarness = harness;
