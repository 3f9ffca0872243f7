import { counterCells, defaultCellPx } from '../../../shared/live/frame-counter-pattern.ts';
import type { ChromaKeySettings, NormalisedRect } from '../../../shared/lesson/lesson-schema.ts';
import { keyUniformsFromSettings, type ChromaKeyUniforms } from '../../../shared/chroma-key.ts';
import { captionLines } from './caption-layout.ts';
import { CaptionRasteriser, type CaptionRaster } from './caption-raster.ts';
import { fitRect, placeAvatar, toNormalised, type Rect, type Size } from './fit-rect.ts';
import {
  captionRegionToRestore,
  coveredPixels,
  regionsToRestore,
  type PixelRect,
} from './pixel-rect.ts';
import { AvatarTextureStorage } from './avatar-texture.ts';
import {
  consoleLogger,
  type AvatarFrame,
  type CompositorLogger,
  type CompositorOptions,
  type CompositorState,
  type CompositorStats,
} from './compositor-types.ts';
import {
  createGlResources,
  deleteGlResources,
  getWebGl2,
  type GlResources,
} from './gl-resources.ts';

export * from './compositor-types.ts';

/**
 * Above this ratio of drawn to source pixels the avatar is keyed at its source size and then
 * scaled (as OBS does); below it the extra pass costs more than the key work it saves.
 */
const keyAtSourceSizeAreaRatio = 1.25;

/**
 * The program canvas: a letterboxed slide layer, a chroma-keyed avatar layer and a burned-in
 * caption on top, drawn with WebGL2 once per frame. Settings are converted when they change;
 * `render` only uploads the avatar frame, binds and draws. Owns its GL objects; `dispose`
 * releases all of them.
 *
 * The canvas keeps its pixels between frames, so a frame redraws only the avatar: keyed and laid
 * over the slide layer in one pass, plus the slide where the last frame's avatar was and this one
 * is not. The caption is rasterised only when its text changes and stays on the canvas between
 * frames; it is drawn again (over a restored background) when it changes or when the avatar's
 * drawing reaches into it. The whole canvas is redrawn after anything else changes (slide, size,
 * matte view, placement, a restored context). Every frame still leaves a complete picture in the
 * canvas, for captureStream and readPixels alike.
 */
export class Compositor {
  private readonly canvas: HTMLCanvasElement | OffscreenCanvas;
  private output: Size;
  private readonly logger: CompositorLogger;
  private readonly gl: WebGL2RenderingContext;
  private resources: GlResources | null;
  private currentState: CompositorState = 'ready';
  private readonly mutableStats = {
    framesRendered: 0,
    lastRenderMs: 0,
    captionRasterisations: 0,
    lastCaptionRasteriseMs: 0,
  };

  private slideSource: TexImageSource | null = null;
  private slideSize: Size | null = null;
  /** Whether the slide layer holds the current background at the current output size. */
  private slideLayerReady = false;
  private keyUniforms: ChromaKeyUniforms | null = null;
  private matteView = false;
  private placement: NormalisedRect | null = null;
  /** The fitted avatar rectangle (normalised), recomputed only when its inputs change. */
  private avatarRect: Rect | null = null;
  private fittedAvatarWidth = 0;
  private fittedAvatarHeight = 0;
  private readonly avatarStorage = new AvatarTextureStorage();
  /** Storage size of the keyed intermediate; 0 until an upscaled avatar first needs it. */
  private keyedTextureWidth = 0;
  private keyedTextureHeight = 0;
  private keyedFramebufferComplete = false;
  /** The next frame redraws the whole canvas, not just around the avatar. */
  private fullRedrawNeeded = true;
  /** Output pixels the last frame's avatar could have touched; null when it drew none. */
  private previousAvatarPixels: PixelRect | null = null;

  /** The caption's lines joined by "\n", or null for none. */
  private captionText: string | null = null;
  private readonly captionRasteriser = new CaptionRasteriser();
  /** The current caption laid out for the current output; its pixels are in the texture. */
  private captionRaster: CaptionRaster | null = null;
  /** Where the caption on the canvas is (null when none is drawn there). */
  private drawnCaptionPixels: PixelRect | null = null;
  /** The caption on the canvas is not the current one (text or size changed since). */
  private captionChanged = false;

  private readonly onContextLost = (event: Event): void => {
    // Without preventDefault the browser never offers a restore.
    event.preventDefault();
    this.currentState = 'lost';
    this.resources = null;
    this.logger.warn('WebGL context lost; frames are skipped until it is restored');
  };

  private readonly onContextRestored = (): void => {
    if (this.currentState === 'disposed') return;
    try {
      this.initialiseGl();
      this.currentState = 'ready';
      this.logger.info('WebGL context restored');
    } catch (error) {
      this.logger.warn('WebGL context restore failed', { error: String(error) });
    }
  };

  constructor(
    canvas: HTMLCanvasElement | OffscreenCanvas,
    output: { width: number; height: number },
    options: CompositorOptions = {},
  ) {
    if (!(output.width > 0 && output.height > 0)) {
      throw new RangeError(`output size must be positive, got ${output.width}x${output.height}`);
    }
    this.canvas = canvas;
    this.output = { width: output.width, height: output.height };
    this.logger = options.logger ?? consoleLogger;
    canvas.width = output.width;
    canvas.height = output.height;
    const gl = getWebGl2(canvas);
    if (!gl) throw new Error('WebGL2 is not available in this browser');
    this.gl = gl;
    this.resources = null;
    this.initialiseGl();
    canvas.addEventListener('webglcontextlost', this.onContextLost);
    canvas.addEventListener('webglcontextrestored', this.onContextRestored);
  }

  get stats(): CompositorStats {
    return this.mutableStats;
  }

  get state(): CompositorState {
    return this.currentState;
  }

  /** Changes the output size: the canvas is resized and both layers are fitted again. */
  resize(output: { width: number; height: number }): void {
    if (!(output.width > 0 && output.height > 0)) {
      throw new RangeError(`output size must be positive, got ${output.width}x${output.height}`);
    }
    if (output.width === this.output.width && output.height === this.output.height) return;
    this.output = { width: output.width, height: output.height };
    this.canvas.width = output.width;
    this.canvas.height = output.height;
    this.avatarRect = null;
    // Resizing the canvas cleared it.
    this.fullRedrawNeeded = true;
    if (this.resources) this.buildSlideLayer(this.resources);
    // The caption is sized from the output.
    if (this.captionText !== null) this.rasteriseCaption();
  }

  /** Uploads the slide once; it is fitted inside the output (contain, centred, black bars). */
  setSlide(image: TexImageSource | null, sourceSize: { width: number; height: number }): void {
    this.slideSource = image;
    this.slideSize = image ? { width: sourceSize.width, height: sourceSize.height } : null;
    if (!this.resources) return;
    if (image) this.uploadSlide(this.resources, image);
    this.buildSlideLayer(this.resources);
  }

  /** Converts the key colour and settings to uniforms once. */
  setKey(keyColorHex: string, settings: ChromaKeySettings): void {
    this.keyUniforms = keyUniformsFromSettings(keyColorHex, settings);
    if (this.resources) this.applyKeyUniforms(this.resources);
  }

  /** Where the avatar stands, in output-normalised coordinates (y down); null hides it. */
  setAvatarPlacement(rect: NormalisedRect | null): void {
    this.placement = rect ? { ...rect } : null;
    this.avatarRect = null;
    this.fullRedrawNeeded = true;
  }

  /**
   * The caption burned into the program from the next frame on: lines split on "\n", white on a
   * translucent box near the bottom, over slide and avatar; null (or blank) removes it. Cheap to
   * call every frame: only a change of text lays out, draws and uploads anything.
   */
  setCaption(text: string | null): void {
    const lines = captionLines(text);
    const normalised = lines.length > 0 ? lines.join('\n') : null;
    if (normalised === this.captionText) return;
    this.captionText = normalised;
    this.rasteriseCaption();
  }

  /** Where the caption is drawn, in output pixels (y down); null without one. */
  captionRect(): PixelRect | null {
    const rect = this.captionRaster?.rect;
    return rect ? { ...rect } : null;
  }

  /** Draws the avatar's alpha as opaque greyscale on black instead of the composite. */
  setMatteView(enabled: boolean): void {
    // The background changes between the slide and black.
    if (enabled !== this.matteView) this.fullRedrawNeeded = true;
    this.matteView = enabled;
    if (this.resources) this.applyKeyUniforms(this.resources);
  }

  /**
   * Draws one frame: the slide layer (or black), then the keyed avatar when there is a frame, a
   * placement and a key, then the caption (not in matte view). Skipped while the context is lost.
   */
  /**
   * Draws a frame counter into the top-left corner of the program (latency measurement only):
   * scissored clears, so it costs no draw call and leaves the rest of the frame alone.
   */
  drawFrameCounter(counter: number, cellPx: number = defaultCellPx): void {
    if (this.currentState !== 'ready') return;
    const gl = this.gl;
    gl.enable(gl.SCISSOR_TEST);
    counterCells(counter).forEach((white, cell) => {
      gl.scissor(cell * cellPx, this.output.height - cellPx, cellPx, cellPx);
      const value = white ? 1 : 0;
      gl.clearColor(value, value, value, 1);
      gl.clear(gl.COLOR_BUFFER_BIT);
    });
    gl.disable(gl.SCISSOR_TEST);
  }

  render(avatar: AvatarFrame | null): void {
    const resources = this.resources;
    if (this.currentState !== 'ready' || !resources) return;
    const startMs = performance.now();
    const gl = this.gl;
    gl.bindVertexArray(resources.quadArray);

    const avatarRect = avatar && this.keyUniforms ? this.fittedAvatarRect(avatar) : null;
    const avatarPixels =
      avatarRect && avatarRect.width > 0 && avatarRect.height > 0
        ? coveredPixels(avatarRect, this.output)
        : null;
    let keyedAtSourceSize = false;
    if (avatar && avatarPixels) {
      gl.bindTexture(gl.TEXTURE_2D, resources.avatarTexture);
      this.avatarStorage.upload(this.gl, avatar);
      keyedAtSourceSize = this.keyAtSourceSize(resources, avatar, avatarPixels);
    }

    // Laid over the slide layer in its own pass (or drawn as the matte), the avatar writes
    // opaque pixels: what was under it need not be redrawn first.
    const opaqueAvatar = avatarPixels !== null && (this.matteView || this.slideLayerReady);
    // The matte view shows the key's alpha alone.
    const captionPixels = this.matteView ? null : (this.captionRaster?.rect ?? null);
    let captionNeedsDrawing = captionPixels !== null;
    gl.viewport(0, 0, this.output.width, this.output.height);
    gl.disable(gl.BLEND);
    if (this.fullRedrawNeeded) {
      this.drawBackground(resources);
    } else {
      const regions = regionsToRestore(this.previousAvatarPixels, avatarPixels, opaqueAvatar);
      // The caption is blended last, so it must land on a clean background wherever it is
      // drawn again: restored here, with the avatar drawn over that before the caption.
      const captionRegion = captionRegionToRestore(
        this.drawnCaptionPixels,
        captionPixels,
        this.captionChanged,
        avatarPixels ? [...regions, avatarPixels] : regions,
      );
      captionNeedsDrawing = captionPixels !== null && captionRegion !== null;
      if (captionRegion) regions.push(captionRegion);
      if (regions.length > 0) {
        gl.enable(gl.SCISSOR_TEST);
        for (const region of regions) {
          // Scissor rectangles count rows from the bottom.
          const bottom = this.output.height - region.y - region.height;
          gl.scissor(region.x, bottom, region.width, region.height);
          this.drawBackground(resources);
        }
        gl.disable(gl.SCISSOR_TEST);
      }
    }

    if (avatar && avatarRect && avatarPixels) {
      const program = keyedAtSourceSize ? resources.keyedAvatarProgram : resources.keyProgram;
      gl.useProgram(program.program);
      // The background pass may have bound the slide layer in between.
      if (keyedAtSourceSize) {
        gl.bindTexture(gl.TEXTURE_2D, resources.keyedTexture);
      } else {
        gl.bindTexture(gl.TEXTURE_2D, resources.avatarTexture);
        gl.uniform2f(resources.keyProgram.texelSize, 1 / avatar.width, 1 / avatar.height);
      }
      gl.uniform4f(program.rect, avatarRect.x, avatarRect.y, avatarRect.width, avatarRect.height);
      // The matte is opaque by itself, over black.
      gl.uniform1i(program.overBackground, opaqueAvatar && !this.matteView ? 1 : 0);
      if (!opaqueAvatar) gl.enable(gl.BLEND);
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
      gl.disable(gl.BLEND);
    }

    if (captionPixels && captionNeedsDrawing) this.drawCaption(resources, captionPixels);

    gl.bindVertexArray(null);
    this.drawnCaptionPixels = captionPixels;
    this.captionChanged = false;
    this.previousAvatarPixels = avatarPixels;
    this.fullRedrawNeeded = false;
    this.mutableStats.framesRendered += 1;
    this.mutableStats.lastRenderMs = performance.now() - startMs;
  }

  /**
   * Draws black over the whole program (the presenter's "blank"): one clear, and the next real
   * frame redraws everything, since what was under the avatar is gone.
   */
  renderBlack(): void {
    if (this.currentState !== 'ready') return;
    const gl = this.gl;
    gl.viewport(0, 0, this.output.width, this.output.height);
    gl.clearColor(0, 0, 0, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    this.fullRedrawNeeded = true;
    this.previousAvatarPixels = null;
    this.drawnCaptionPixels = null;
  }

  /** Deletes every GL object and stops listening to the canvas. Safe to call twice. */
  dispose(): void {
    if (this.currentState === 'disposed') return;
    this.canvas.removeEventListener('webglcontextlost', this.onContextLost);
    this.canvas.removeEventListener('webglcontextrestored', this.onContextRestored);
    if (this.resources) deleteGlResources(this.gl, this.resources);
    this.resources = null;
    this.slideSource = null;
    this.slideSize = null;
    this.slideLayerReady = false;
    this.previousAvatarPixels = null;
    this.captionRasteriser.dispose();
    this.captionRaster = null;
    this.drawnCaptionPixels = null;
    this.currentState = 'disposed';
  }

  private initialiseGl(): void {
    const gl = this.gl;
    const resources = createGlResources(gl);
    this.resources = resources;
    this.avatarStorage.reset();
    this.keyedTextureWidth = 0;
    this.keyedTextureHeight = 0;
    this.keyedFramebufferComplete = false;
    // A new context starts with a cleared canvas and default state.
    this.fullRedrawNeeded = true;
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    this.applyKeyUniforms(resources);
    if (this.slideSource) {
      try {
        this.uploadSlide(resources, this.slideSource);
      } catch (error) {
        // A closed ImageBitmap cannot be uploaded again; the owner will set the slide anew.
        this.logger.warn('could not re-upload the slide after a context restore', {
          error: String(error),
        });
        this.slideSource = null;
        this.slideSize = null;
      }
    }
    this.buildSlideLayer(resources);
    if (this.captionRaster) this.uploadCaption(resources, this.captionRaster);
  }

  private applyKeyUniforms(resources: GlResources): void {
    const gl = this.gl;
    const key = resources.keyProgram;
    gl.useProgram(key.program);
    gl.uniform1i(key.matteView, this.matteView ? 1 : 0);
    const uniforms = this.keyUniforms;
    if (!uniforms) return;
    gl.uniform2f(key.keyCbCr, uniforms.keyCbCr[0], uniforms.keyCbCr[1]);
    gl.uniform1f(key.similarity, uniforms.similarity);
    gl.uniform1f(key.smoothness, uniforms.smoothness);
    gl.uniform1f(key.spill, uniforms.spill);
  }

  /** The slide layer 1:1 (black in matte view), within whatever scissor is set. */
  private drawBackground(resources: GlResources): void {
    const gl = this.gl;
    if (this.matteView || !this.slideLayerReady) {
      gl.clearColor(0, 0, 0, 1);
      gl.clear(gl.COLOR_BUFFER_BIT);
      return;
    }
    const slide = resources.slideProgram;
    gl.useProgram(slide.program);
    gl.bindTexture(gl.TEXTURE_2D, resources.slideLayerTexture);
    gl.uniform4f(slide.rect, 0, 0, 1, 1);
    gl.uniform4f(slide.uvTransform, 0, 1, 1, -1);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
  }

  /** The caption texture 1:1 at its pixel rectangle, blended over what is there. */
  private drawCaption(resources: GlResources, rect: PixelRect): void {
    const gl = this.gl;
    const { width, height } = this.output;
    const program = resources.slideProgram;
    gl.useProgram(program.program);
    gl.bindTexture(gl.TEXTURE_2D, resources.captionTexture);
    gl.uniform4f(
      program.rect,
      rect.x / width,
      rect.y / height,
      rect.width / width,
      rect.height / height,
    );
    // Uploaded from a canvas, top row first.
    gl.uniform4f(program.uvTransform, 0, 0, 1, 1);
    gl.enable(gl.BLEND);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    gl.disable(gl.BLEND);
  }

  /**
   * Lays out and draws the current caption text for the current output, uploads it, and marks
   * the canvas's caption as stale. Runs on a change of text or size only.
   */
  private rasteriseCaption(): void {
    if (this.currentState === 'disposed') return;
    const startMs = performance.now();
    this.captionRaster = this.captionRasteriser.rasterise(this.captionText, this.output);
    if (this.captionRaster && this.resources) {
      this.uploadCaption(this.resources, this.captionRaster);
    }
    this.captionChanged = true;
    this.mutableStats.captionRasterisations += 1;
    this.mutableStats.lastCaptionRasteriseMs = performance.now() - startMs;
  }

  private uploadCaption(resources: GlResources, raster: CaptionRaster): void {
    const gl = this.gl;
    gl.bindTexture(gl.TEXTURE_2D, resources.captionTexture);
    // A 2D canvas is premultiplied already: uploaded as premultiplied, its pixels pass unchanged.
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, true);
    gl.pixelStorei(gl.UNPACK_COLORSPACE_CONVERSION_WEBGL, gl.NONE);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, gl.RGBA, gl.UNSIGNED_BYTE, raster.source);
  }

  /**
   * For an avatar drawn well above its source size, keys the uploaded frame 1:1 into the keyed
   * intermediate and answers true: the frame then only scales that. False: key while drawing.
   */
  private keyAtSourceSize(resources: GlResources, avatar: AvatarFrame, drawn: PixelRect): boolean {
    if (drawn.width * drawn.height <= avatar.width * avatar.height * keyAtSourceSizeAreaRatio) {
      return false;
    }
    const gl = this.gl;
    gl.bindFramebuffer(gl.FRAMEBUFFER, resources.keyedFramebuffer);
    if (avatar.width !== this.keyedTextureWidth || avatar.height !== this.keyedTextureHeight) {
      gl.bindTexture(gl.TEXTURE_2D, resources.keyedTexture);
      gl.texImage2D(
        gl.TEXTURE_2D,
        0,
        gl.RGBA8,
        avatar.width,
        avatar.height,
        0,
        gl.RGBA,
        gl.UNSIGNED_BYTE,
        null,
      );
      gl.framebufferTexture2D(
        gl.FRAMEBUFFER,
        gl.COLOR_ATTACHMENT0,
        gl.TEXTURE_2D,
        resources.keyedTexture,
        0,
      );
      this.keyedTextureWidth = avatar.width;
      this.keyedTextureHeight = avatar.height;
      this.keyedFramebufferComplete =
        gl.checkFramebufferStatus(gl.FRAMEBUFFER) === gl.FRAMEBUFFER_COMPLETE;
      if (!this.keyedFramebufferComplete && !gl.isContextLost()) {
        this.logger.warn('the keyed avatar framebuffer is incomplete; keying at drawn size', {
          width: avatar.width,
          height: avatar.height,
        });
      }
    }
    if (!this.keyedFramebufferComplete) {
      gl.bindFramebuffer(gl.FRAMEBUFFER, null);
      return false;
    }
    // The key's own output (premultiplied, or the matte), no blending, nothing under it.
    gl.viewport(0, 0, avatar.width, avatar.height);
    gl.disable(gl.BLEND);
    const key = resources.keyProgram;
    gl.useProgram(key.program);
    gl.bindTexture(gl.TEXTURE_2D, resources.avatarTexture);
    gl.uniform2f(key.texelSize, 1 / avatar.width, 1 / avatar.height);
    gl.uniform4f(key.rect, 0, 0, 1, 1);
    gl.uniform1i(key.overBackground, 0);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    return true;
  }

  private uploadSlide(resources: GlResources, image: TexImageSource): void {
    const gl = this.gl;
    gl.bindTexture(gl.TEXTURE_2D, resources.slideTexture);
    // Premultiplied, to blend with ONE, ONE_MINUS_SRC_ALPHA; values exactly as decoded.
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, true);
    gl.pixelStorei(gl.UNPACK_COLORSPACE_CONVERSION_WEBGL, gl.NONE);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, gl.RGBA, gl.UNSIGNED_BYTE, image);
    // Slides are usually larger than the output: mipmaps keep downscaled text from aliasing.
    gl.generateMipmap(gl.TEXTURE_2D);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR_MIPMAP_LINEAR);
  }

  /**
   * Renders the background once into the output-sized layer: the uploaded slide letterboxed
   * (trilinear from the mipmaps) on black, or black alone. Runs on slide change, resize and
   * context restore, never per frame.
   */
  private buildSlideLayer(resources: GlResources): void {
    const gl = this.gl;
    const { width, height } = this.output;
    this.slideLayerReady = false;
    this.fullRedrawNeeded = true;
    // The layer is also bound to the background unit; replacing its storage keeps that binding.
    gl.bindTexture(gl.TEXTURE_2D, resources.slideLayerTexture);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, width, height, 0, gl.RGBA, gl.UNSIGNED_BYTE, null);
    gl.bindFramebuffer(gl.FRAMEBUFFER, resources.slideLayerFramebuffer);
    gl.framebufferTexture2D(
      gl.FRAMEBUFFER,
      gl.COLOR_ATTACHMENT0,
      gl.TEXTURE_2D,
      resources.slideLayerTexture,
      0,
    );
    const status = gl.checkFramebufferStatus(gl.FRAMEBUFFER);
    if (status !== gl.FRAMEBUFFER_COMPLETE) {
      gl.bindFramebuffer(gl.FRAMEBUFFER, null);
      if (!gl.isContextLost()) {
        this.logger.warn('the slide layer framebuffer is incomplete; the slide is not shown', {
          status,
        });
      }
      return;
    }
    gl.viewport(0, 0, width, height);
    gl.disable(gl.SCISSOR_TEST);
    gl.clearColor(0, 0, 0, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    if (this.slideSize) {
      const rect = toNormalised(
        fitRect(this.slideSize, { x: 0, y: 0, width, height }, 'contain', 'center'),
        this.output,
      );
      gl.enable(gl.BLEND);
      const slide = resources.slideProgram;
      gl.useProgram(slide.program);
      gl.bindTexture(gl.TEXTURE_2D, resources.slideTexture);
      gl.uniform4f(slide.rect, rect.x, rect.y, rect.width, rect.height);
      gl.uniform4f(slide.uvTransform, 0, 0, 1, 1);
      gl.bindVertexArray(resources.quadArray);
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
      gl.bindVertexArray(null);
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    this.slideLayerReady = true;
  }

  /** Contain-fit in output pixels (a normalised fit would distort), bottom-aligned. */
  private fittedAvatarRect(avatar: AvatarFrame): Rect | null {
    const placement = this.placement;
    if (!placement) return null;
    if (
      this.avatarRect &&
      avatar.width === this.fittedAvatarWidth &&
      avatar.height === this.fittedAvatarHeight
    ) {
      return this.avatarRect;
    }
    this.avatarRect = toNormalised(placeAvatar(avatar, placement, this.output), this.output);
    this.fittedAvatarWidth = avatar.width;
    this.fittedAvatarHeight = avatar.height;
    return this.avatarRect;
  }
}
