import type { ChromaKeySettings, NormalisedRect } from '../../../shared/lesson/lesson-schema.ts';
import { keyUniformsFromSettings, type ChromaKeyUniforms } from '../../../shared/chroma-key.ts';
import { fitRect, type Rect, type Size } from './fit-rect.ts';
import {
  chromaKeyFragmentShader,
  cornerAttributeLocation,
  quadVertexShader,
  slideFragmentShader,
} from './shaders.ts';

export interface CompositorStats {
  readonly framesRendered: number;
  /** CPU time of the last `render` call (submission; the GPU may still be working). */
  readonly lastRenderMs: number;
}

/** The compositor's GL context: usable, lost (waiting for a restore), or given up for good. */
export type CompositorState = 'ready' | 'lost' | 'disposed';

export interface CompositorLogger {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
}

export interface CompositorOptions {
  /** Where lifecycle events go; defaults to the console. */
  readonly logger?: CompositorLogger;
}

export interface AvatarFrame {
  readonly source: TexImageSource;
  readonly width: number;
  readonly height: number;
}

/** The program canvas's context: opaque output, premultiplied blending, readable after present. */
export const compositorContextAttributes: WebGLContextAttributes = {
  alpha: false,
  premultipliedAlpha: true,
  preserveDrawingBuffer: true,
  antialias: false,
  depth: false,
  stencil: false,
};

interface SlideProgram {
  readonly program: WebGLProgram;
  readonly rect: WebGLUniformLocation;
  readonly uvTransform: WebGLUniformLocation;
  readonly image: WebGLUniformLocation;
}

interface KeyProgram {
  readonly program: WebGLProgram;
  readonly rect: WebGLUniformLocation;
  readonly uvTransform: WebGLUniformLocation;
  readonly image: WebGLUniformLocation;
  readonly texelSize: WebGLUniformLocation;
  readonly keyCbCr: WebGLUniformLocation;
  readonly similarity: WebGLUniformLocation;
  readonly smoothness: WebGLUniformLocation;
  readonly spill: WebGLUniformLocation;
  readonly matteView: WebGLUniformLocation;
}

/** Every GL object the compositor owns; all of it is rebuilt after a context restore. */
interface GlResources {
  readonly slideProgram: SlideProgram;
  readonly keyProgram: KeyProgram;
  readonly quadBuffer: WebGLBuffer;
  readonly quadArray: WebGLVertexArrayObject;
  /** The slide as uploaded, mipmapped: sampled only when the slide layer is rebuilt. */
  readonly slideTexture: WebGLTexture;
  /**
   * The letterboxed slide at output size, rebuilt when the slide or output changes. Drawing it
   * 1:1 (nearest) each frame costs a fraction of resampling the slide every frame, which
   * matters in software WebGL.
   */
  readonly slideLayerTexture: WebGLTexture;
  readonly slideLayerFramebuffer: WebGLFramebuffer;
  readonly avatarTexture: WebGLTexture;
}

const consoleLogger: CompositorLogger = {
  info(message, details) {
    console.info(`[compositor] ${message}`, details ?? {});
  },
  warn(message, details) {
    console.warn(`[compositor] ${message}`, details ?? {});
  },
};

function getWebGl2(canvas: HTMLCanvasElement | OffscreenCanvas): WebGL2RenderingContext | null {
  if (canvas instanceof OffscreenCanvas)
    return canvas.getContext('webgl2', compositorContextAttributes);
  return canvas.getContext('webgl2', compositorContextAttributes);
}

function compileShader(gl: WebGL2RenderingContext, type: GLenum, source: string): WebGLShader {
  const shader = gl.createShader(type);
  if (!shader) throw new Error('could not create a shader (is the context lost?)');
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS) && !gl.isContextLost()) {
    const log = gl.getShaderInfoLog(shader) ?? '';
    gl.deleteShader(shader);
    throw new Error(`shader compilation failed: ${log}`);
  }
  return shader;
}

function linkProgram(gl: WebGL2RenderingContext, fragmentSource: string): WebGLProgram {
  const vertex = compileShader(gl, gl.VERTEX_SHADER, quadVertexShader);
  const fragment = compileShader(gl, gl.FRAGMENT_SHADER, fragmentSource);
  const program = gl.createProgram();
  gl.attachShader(program, vertex);
  gl.attachShader(program, fragment);
  gl.linkProgram(program);
  // The program keeps what it needs; the shader objects would only leak.
  gl.detachShader(program, vertex);
  gl.detachShader(program, fragment);
  gl.deleteShader(vertex);
  gl.deleteShader(fragment);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS) && !gl.isContextLost()) {
    const log = gl.getProgramInfoLog(program) ?? '';
    gl.deleteProgram(program);
    throw new Error(`shader program link failed: ${log}`);
  }
  return program;
}

function uniformLocation(
  gl: WebGL2RenderingContext,
  program: WebGLProgram,
  name: string,
): WebGLUniformLocation {
  const location = gl.getUniformLocation(program, name);
  if (!location) throw new Error(`uniform ${name} is missing from the shader`);
  return location;
}

function createTexture(gl: WebGL2RenderingContext, filter: GLenum): WebGLTexture {
  const texture = gl.createTexture();
  gl.bindTexture(gl.TEXTURE_2D, texture);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, filter);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, filter);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
  return texture;
}

function createGlResources(gl: WebGL2RenderingContext): GlResources {
  const slide = linkProgram(gl, slideFragmentShader);
  const key = linkProgram(gl, chromaKeyFragmentShader);
  const slideProgram: SlideProgram = {
    program: slide,
    rect: uniformLocation(gl, slide, 'u_rect'),
    uvTransform: uniformLocation(gl, slide, 'u_uvTransform'),
    image: uniformLocation(gl, slide, 'u_image'),
  };
  const keyProgram: KeyProgram = {
    program: key,
    rect: uniformLocation(gl, key, 'u_rect'),
    uvTransform: uniformLocation(gl, key, 'u_uvTransform'),
    image: uniformLocation(gl, key, 'u_image'),
    texelSize: uniformLocation(gl, key, 'u_texelSize'),
    keyCbCr: uniformLocation(gl, key, 'u_keyCbCr'),
    similarity: uniformLocation(gl, key, 'u_similarity'),
    smoothness: uniformLocation(gl, key, 'u_smoothness'),
    spill: uniformLocation(gl, key, 'u_spill'),
    matteView: uniformLocation(gl, key, 'u_matteView'),
  };
  gl.useProgram(slide);
  gl.uniform1i(slideProgram.image, 0);
  gl.useProgram(key);
  gl.uniform1i(keyProgram.image, 0);
  // Avatar frames are uploaded top row first: texture coordinates as they come.
  gl.uniform4f(keyProgram.uvTransform, 0, 0, 1, 1);

  const quadBuffer = gl.createBuffer();
  const quadArray = gl.createVertexArray();
  gl.bindVertexArray(quadArray);
  gl.bindBuffer(gl.ARRAY_BUFFER, quadBuffer);
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([0, 0, 1, 0, 0, 1, 1, 1]), gl.STATIC_DRAW);
  gl.enableVertexAttribArray(cornerAttributeLocation);
  gl.vertexAttribPointer(cornerAttributeLocation, 2, gl.FLOAT, false, 0, 0);
  gl.bindVertexArray(null);

  const slideLayerTexture = createTexture(gl, gl.NEAREST);
  const slideLayerFramebuffer = gl.createFramebuffer();
  return {
    slideProgram,
    keyProgram,
    quadBuffer,
    quadArray,
    slideTexture: createTexture(gl, gl.LINEAR),
    slideLayerTexture,
    slideLayerFramebuffer,
    avatarTexture: createTexture(gl, gl.LINEAR),
  };
}

function deleteGlResources(gl: WebGL2RenderingContext, resources: GlResources): void {
  gl.deleteProgram(resources.slideProgram.program);
  gl.deleteProgram(resources.keyProgram.program);
  gl.deleteBuffer(resources.quadBuffer);
  gl.deleteVertexArray(resources.quadArray);
  gl.deleteTexture(resources.slideTexture);
  gl.deleteTexture(resources.slideLayerTexture);
  gl.deleteFramebuffer(resources.slideLayerFramebuffer);
  gl.deleteTexture(resources.avatarTexture);
}

function toNormalised(rect: Rect, output: Size): Rect {
  return {
    x: rect.x / output.width,
    y: rect.y / output.height,
    width: rect.width / output.width,
    height: rect.height / output.height,
  };
}

/**
 * The program canvas: a letterboxed slide layer and a chroma-keyed avatar layer, drawn with
 * WebGL2 once per frame. Settings are converted when they change; `render` only uploads the
 * avatar frame, binds and draws. Owns its GL objects; `dispose` releases all of them.
 */
export class Compositor {
  private readonly canvas: HTMLCanvasElement | OffscreenCanvas;
  private output: Size;
  private readonly logger: CompositorLogger;
  private readonly gl: WebGL2RenderingContext;
  private resources: GlResources | null;
  private currentState: CompositorState = 'ready';
  private readonly mutableStats = { framesRendered: 0, lastRenderMs: 0 };

  private slideSource: TexImageSource | null = null;
  private slideSize: Size | null = null;
  /** Whether the slide layer texture holds the current slide at the current output size. */
  private slideLayerReady = false;
  private keyUniforms: ChromaKeyUniforms | null = null;
  private matteView = false;
  private placement: NormalisedRect | null = null;
  /** The fitted avatar rectangle (normalised), recomputed only when its inputs change. */
  private avatarRect: Rect | null = null;
  private fittedAvatarWidth = 0;
  private fittedAvatarHeight = 0;
  private avatarTextureWidth = 0;
  private avatarTextureHeight = 0;

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
    this.slideLayerReady = false;
    if (this.resources && this.slideSize) this.buildSlideLayer(this.resources, this.slideSize);
  }

  /** Uploads the slide once; it is fitted inside the output (contain, centred, black bars). */
  setSlide(image: TexImageSource | null, sourceSize: { width: number; height: number }): void {
    this.slideSource = image;
    this.slideSize = image ? { width: sourceSize.width, height: sourceSize.height } : null;
    this.slideLayerReady = false;
    if (this.resources && image && this.slideSize) {
      this.uploadSlide(this.resources, image);
      this.buildSlideLayer(this.resources, this.slideSize);
    }
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
  }

  /** Draws the avatar's alpha as opaque greyscale on black instead of the composite. */
  setMatteView(enabled: boolean): void {
    this.matteView = enabled;
    if (this.resources) this.applyKeyUniforms(this.resources);
  }

  /**
   * Draws one frame: the slide layer (or black), then the keyed avatar when there is a frame, a
   * placement and a key. Skipped while the context is lost.
   */
  render(avatar: AvatarFrame | null): void {
    const resources = this.resources;
    if (this.currentState !== 'ready' || !resources) return;
    const startMs = performance.now();
    const gl = this.gl;
    gl.viewport(0, 0, this.output.width, this.output.height);
    gl.bindVertexArray(resources.quadArray);
    gl.activeTexture(gl.TEXTURE0);

    if (!this.matteView && this.slideLayerReady) {
      // The layer covers the whole output, bars included: it replaces the clear.
      const slide = resources.slideProgram;
      gl.disable(gl.BLEND);
      gl.useProgram(slide.program);
      gl.bindTexture(gl.TEXTURE_2D, resources.slideLayerTexture);
      gl.uniform4f(slide.rect, 0, 0, 1, 1);
      gl.uniform4f(slide.uvTransform, 0, 1, 1, -1);
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    } else {
      gl.clearColor(0, 0, 0, 1);
      gl.clear(gl.COLOR_BUFFER_BIT);
    }
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);

    const avatarRect = avatar ? this.fittedAvatarRect(avatar) : null;
    if (avatar && avatarRect && this.keyUniforms && avatarRect.width > 0) {
      const key = resources.keyProgram;
      gl.useProgram(key.program);
      gl.bindTexture(gl.TEXTURE_2D, resources.avatarTexture);
      this.uploadAvatar(avatar);
      gl.uniform2f(key.texelSize, 1 / avatar.width, 1 / avatar.height);
      gl.uniform4f(key.rect, avatarRect.x, avatarRect.y, avatarRect.width, avatarRect.height);
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    }

    gl.bindVertexArray(null);
    this.mutableStats.framesRendered += 1;
    this.mutableStats.lastRenderMs = performance.now() - startMs;
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
    this.currentState = 'disposed';
  }

  private initialiseGl(): void {
    const resources = createGlResources(this.gl);
    this.resources = resources;
    this.avatarTextureWidth = 0;
    this.avatarTextureHeight = 0;
    this.slideLayerReady = false;
    this.applyKeyUniforms(resources);
    if (this.slideSource && this.slideSize) {
      try {
        this.uploadSlide(resources, this.slideSource);
        this.buildSlideLayer(resources, this.slideSize);
      } catch (error) {
        // A closed ImageBitmap cannot be uploaded again; the owner will set the slide anew.
        this.logger.warn('could not re-upload the slide after a context restore', {
          error: String(error),
        });
      }
    }
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

  private uploadSlide(resources: GlResources, image: TexImageSource): void {
    const gl = this.gl;
    gl.activeTexture(gl.TEXTURE0);
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

  /** Uploads into the bound avatar texture; reallocates only when the frame size changes. */
  private uploadAvatar(avatar: AvatarFrame): void {
    const gl = this.gl;
    // The key needs straight (not premultiplied) colour, exactly as decoded.
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_COLORSPACE_CONVERSION_WEBGL, gl.NONE);
    if (avatar.width !== this.avatarTextureWidth || avatar.height !== this.avatarTextureHeight) {
      gl.texImage2D(
        gl.TEXTURE_2D,
        0,
        gl.RGBA8,
        avatar.width,
        avatar.height,
        0,
        gl.RGBA,
        gl.UNSIGNED_BYTE,
        avatar.source,
      );
      this.avatarTextureWidth = avatar.width;
      this.avatarTextureHeight = avatar.height;
    } else {
      gl.texSubImage2D(
        gl.TEXTURE_2D,
        0,
        0,
        0,
        avatar.width,
        avatar.height,
        gl.RGBA,
        gl.UNSIGNED_BYTE,
        avatar.source,
      );
    }
  }

  /**
   * Resamples the uploaded slide once into the output-sized layer: letterboxed, black bars,
   * trilinear from the mipmaps. Runs on slide change, resize and context restore, never per frame.
   */
  private buildSlideLayer(resources: GlResources, size: Size): void {
    const gl = this.gl;
    const { width, height } = this.output;
    const rect = toNormalised(
      fitRect(size, { x: 0, y: 0, width, height }, 'contain', 'center'),
      this.output,
    );
    gl.activeTexture(gl.TEXTURE0);
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
    if (status !== gl.FRAMEBUFFER_COMPLETE && !gl.isContextLost()) {
      gl.bindFramebuffer(gl.FRAMEBUFFER, null);
      this.logger.warn('the slide layer framebuffer is incomplete; the slide is not shown', {
        status,
      });
      return;
    }
    gl.viewport(0, 0, width, height);
    gl.clearColor(0, 0, 0, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    const slide = resources.slideProgram;
    gl.useProgram(slide.program);
    gl.bindTexture(gl.TEXTURE_2D, resources.slideTexture);
    gl.uniform4f(slide.rect, rect.x, rect.y, rect.width, rect.height);
    gl.uniform4f(slide.uvTransform, 0, 0, 1, 1);
    gl.bindVertexArray(resources.quadArray);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    gl.bindVertexArray(null);
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
    const { width, height } = this.output;
    const target: Rect = {
      x: placement.x * width,
      y: placement.y * height,
      width: placement.width * width,
      height: placement.height * height,
    };
    this.avatarRect = toNormalised(fitRect(avatar, target, 'contain', 'bottom'), this.output);
    this.fittedAvatarWidth = avatar.width;
    this.fittedAvatarHeight = avatar.height;
    return this.avatarRect;
  }
}
