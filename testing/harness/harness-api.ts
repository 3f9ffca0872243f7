import type { ChromaKeySettings, NormalisedRect } from '../../src/shared/lesson/lesson-schema.ts';

/**
 * The test/bench page's contract (`window.rapidoHarness` on testing/harness/harness.html). Every
 * argument and result is plain data, because Playwright carries them across as JSON. This file
 * uses no DOM types so that the Node-side tests and bench can import it.
 */

export interface HarnessSize {
  readonly width: number;
  readonly height: number;
}

/** 8-bit RGBA, rows top-down, as base64 (JSON has no bytes). */
export interface HarnessPixels {
  readonly width: number;
  readonly height: number;
  readonly rgbaBase64: string;
}

export interface HarnessCompositorStats {
  readonly framesRendered: number;
  readonly lastRenderMs: number;
  readonly captionRasterisations: number;
  readonly lastCaptionRasteriseMs: number;
}

/** Whole output pixels, y down. */
export interface HarnessRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export type HarnessCompositorState = 'ready' | 'lost' | 'disposed';

/** GL objects created and deleted through the compositor's context (leak check). */
export interface HarnessGlObjectCounts {
  readonly created: number;
  readonly live: number;
}

export interface HarnessBenchOptions {
  readonly output: HarnessSize;
  /** Name of a loaded image drawn as the slide. */
  readonly slide: string;
  /** Names of loaded avatar frames, used in turn. */
  readonly avatarFrames: readonly string[];
  readonly placement: NormalisedRect;
  readonly keyColor: string;
  readonly chromaKey: ChromaKeySettings;
  /** The CPU keyer's RGB distance threshold (0..255 units); the GPU path ignores it. */
  readonly rgbThreshold: number;
  readonly warmupFrames: number;
  readonly measuredFrames: number;
  /** Captions set before each frame, in turn (one entry: a caption that never changes). */
  readonly captions?: readonly string[];
}

export interface HarnessBenchSamples {
  /** Wall time per frame, GPU/raster work included (each frame ends with a 1-pixel readback). */
  readonly frameMs: readonly number[];
  /**
   * The avatar upload alone, timed the same way in a second loop on the same context (same
   * frames, same pixel-store settings): the part of `frameMs` spent getting pixels to the GPU.
   * Absent for keyers that upload nothing.
   */
  readonly uploadMs?: readonly number[];
}

/** What WebGL runs on (SwiftShader on the build machines). */
export interface HarnessRendererInfo {
  readonly vendor: string;
  readonly renderer: string;
  readonly userAgent: string;
}

/** Everything a compositor draws from, by image name: for a fresh compositor's first frame. */
export interface HarnessScene {
  readonly output: HarnessSize;
  readonly slide: string | null;
  readonly keyColor: string;
  readonly chromaKey: ChromaKeySettings;
  readonly placement: NormalisedRect | null;
  readonly matteView: boolean;
  readonly avatar: string | null;
  readonly caption?: string | null;
}

export interface RapidoHarness {
  readonly ready: true;
  rendererInfo(): HarnessRendererInfo;
  /** Fetches and decodes an image (no colour conversion, no premultiplication) under a name. */
  loadImage(name: string, url: string): Promise<HarnessSize>;
  /** Makes an image from raw pixels under a name. */
  createImage(name: string, pixels: HarnessPixels): Promise<HarnessSize>;
  /** Makes a flat image of a CSS colour under a name. */
  createSolidImage(name: string, size: HarnessSize, cssColor: string): Promise<HarnessSize>;
  /** The decoded pixels of a named image. */
  readImage(name: string): HarnessPixels;

  /** Replaces the compositor (and its on-page canvas) with a new one of this output size. */
  createCompositor(output: HarnessSize): void;
  resize(output: HarnessSize): void;
  setSlide(name: string | null): void;
  setKey(keyColorHex: string, settings: ChromaKeySettings): void;
  setAvatarPlacement(rect: NormalisedRect | null): void;
  setMatteView(enabled: boolean): void;
  /** The burned-in caption from the next frame on ("\n" between lines); null removes it. */
  setCaption(text: string | null): void;
  /** Where the caption is drawn, in output pixels; null without one. */
  captionRect(): HarnessRect | null;
  /** Renders one frame with the named avatar image (or none). */
  render(avatarName: string | null): HarnessCompositorStats;
  /** The program canvas's pixels (readPixels, flipped to top-down). */
  readCanvas(): HarnessPixels;
  /**
   * A scene drawn from scratch (its own compositor and canvas, disposed after): the reference a
   * compositor that redraws only what changed must match after any sequence of frames.
   */
  renderFresh(scene: HarnessScene): HarnessPixels;
  /** The program canvas as a PNG, base64. */
  canvasPngBase64(): Promise<string>;
  compositorState(): HarnessCompositorState;
  /** Loses the context through WEBGL_lose_context and resolves once the compositor saw it. */
  loseContext(): Promise<HarnessCompositorState>;
  restoreContext(): Promise<HarnessCompositorState>;
  /** GL objects made and still alive through the current compositor's context so far. */
  glObjectCounts(): HarnessGlObjectCounts;
  disposeCompositor(): HarnessGlObjectCounts;

  /** Times the WebGL compositor; uses its own canvas and compositor, disposed at the end. */
  benchCompositor(options: HarnessBenchOptions): HarnessBenchSamples;
  /** Times a predecessor-style Canvas2D per-pixel RGB threshold keyer on the same inputs. */
  benchCpuKeyer(options: HarnessBenchOptions): HarnessBenchSamples;
}
