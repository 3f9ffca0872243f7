import { compositorContextAttributes } from './compositor-types.ts';
import {
  chromaKeyFragmentShader,
  cornerAttributeLocation,
  keyedAvatarFragmentShader,
  quadVertexShader,
  slideFragmentShader,
} from './shaders.ts';

/**
 * The compositor's GL objects: its three programs, the quad, and the textures and framebuffers
 * of the slide layer, the avatar, the keyed intermediate and the caption. Built together and
 * rebuilt together after a context restore.
 */

/** Texture units: the image a program draws, and the slide layer that avatars composite over. */
const imageUnit = 0;
const backgroundUnit = 1;

export interface ImageProgram {
  readonly program: WebGLProgram;
  readonly rect: WebGLUniformLocation;
  readonly uvTransform: WebGLUniformLocation;
}

/** A program that can write its premultiplied result over the slide layer (opaque). */
export interface CompositingProgram extends ImageProgram {
  readonly overBackground: WebGLUniformLocation;
}

export interface KeyProgram extends CompositingProgram {
  readonly texelSize: WebGLUniformLocation;
  readonly keyCbCr: WebGLUniformLocation;
  readonly similarity: WebGLUniformLocation;
  readonly smoothness: WebGLUniformLocation;
  readonly spill: WebGLUniformLocation;
  readonly matteView: WebGLUniformLocation;
}

/** Every GL object the compositor owns; all of it is rebuilt after a context restore. */
export interface GlResources {
  readonly slideProgram: ImageProgram;
  readonly keyProgram: KeyProgram;
  readonly keyedAvatarProgram: CompositingProgram;
  readonly quadBuffer: WebGLBuffer;
  readonly quadArray: WebGLVertexArrayObject;
  /** The slide as uploaded, mipmapped: sampled only when the slide layer is rebuilt. */
  readonly slideTexture: WebGLTexture;
  /**
   * The background at output size: the letterboxed slide, or black without one. Rebuilt when the
   * slide or output changes; per frame it is only read 1:1, which costs a fraction of resampling
   * the slide, and that matters in software WebGL. Always bound to the background unit.
   */
  readonly slideLayerTexture: WebGLTexture;
  readonly slideLayerFramebuffer: WebGLFramebuffer;
  readonly avatarTexture: WebGLTexture;
  /** The avatar keyed at its source size, for avatars drawn much larger than that. */
  readonly keyedTexture: WebGLTexture;
  readonly keyedFramebuffer: WebGLFramebuffer;
  /** The caption box, premultiplied, drawn 1:1 at whole pixels (hence nearest sampling). */
  readonly captionTexture: WebGLTexture;
}

export function getWebGl2(
  canvas: HTMLCanvasElement | OffscreenCanvas,
): WebGL2RenderingContext | null {
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

/** Links a program and fixes its sampler units, which never change. */
function createImageProgram(gl: WebGL2RenderingContext, fragmentSource: string): ImageProgram {
  const program = linkProgram(gl, fragmentSource);
  gl.useProgram(program);
  gl.uniform1i(uniformLocation(gl, program, 'u_image'), imageUnit);
  return {
    program,
    rect: uniformLocation(gl, program, 'u_rect'),
    uvTransform: uniformLocation(gl, program, 'u_uvTransform'),
  };
}

function createCompositingProgram(
  gl: WebGL2RenderingContext,
  fragmentSource: string,
): CompositingProgram {
  const image = createImageProgram(gl, fragmentSource);
  gl.uniform1i(uniformLocation(gl, image.program, 'u_background'), backgroundUnit);
  return { ...image, overBackground: uniformLocation(gl, image.program, 'u_overBackground') };
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

export function createGlResources(gl: WebGL2RenderingContext): GlResources {
  const slideProgram = createImageProgram(gl, slideFragmentShader);
  const keyedAvatarProgram = createCompositingProgram(gl, keyedAvatarFragmentShader);
  // The key's intermediate was drawn by GL, row 0 at the bottom: flipped, as the slide layer.
  gl.uniform4f(keyedAvatarProgram.uvTransform, 0, 1, 1, -1);
  const key = createCompositingProgram(gl, chromaKeyFragmentShader);
  const keyProgram: KeyProgram = {
    ...key,
    texelSize: uniformLocation(gl, key.program, 'u_texelSize'),
    keyCbCr: uniformLocation(gl, key.program, 'u_keyCbCr'),
    similarity: uniformLocation(gl, key.program, 'u_similarity'),
    smoothness: uniformLocation(gl, key.program, 'u_smoothness'),
    spill: uniformLocation(gl, key.program, 'u_spill'),
    matteView: uniformLocation(gl, key.program, 'u_matteView'),
  };
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
  // Bound once, for good: only programs that read the background sample this unit, and none of
  // them ever draws into the layer, so no feedback loop can form.
  gl.activeTexture(gl.TEXTURE0 + backgroundUnit);
  gl.bindTexture(gl.TEXTURE_2D, slideLayerTexture);
  gl.activeTexture(gl.TEXTURE0 + imageUnit);
  return {
    slideProgram,
    keyProgram,
    keyedAvatarProgram,
    quadBuffer,
    quadArray,
    slideTexture: createTexture(gl, gl.LINEAR),
    slideLayerTexture,
    slideLayerFramebuffer: gl.createFramebuffer(),
    avatarTexture: createTexture(gl, gl.LINEAR),
    keyedTexture: createTexture(gl, gl.LINEAR),
    keyedFramebuffer: gl.createFramebuffer(),
    captionTexture: createTexture(gl, gl.NEAREST),
  };
}

export function deleteGlResources(gl: WebGL2RenderingContext, resources: GlResources): void {
  gl.deleteProgram(resources.slideProgram.program);
  gl.deleteProgram(resources.keyProgram.program);
  gl.deleteProgram(resources.keyedAvatarProgram.program);
  gl.deleteBuffer(resources.quadBuffer);
  gl.deleteVertexArray(resources.quadArray);
  gl.deleteTexture(resources.slideTexture);
  gl.deleteTexture(resources.slideLayerTexture);
  gl.deleteFramebuffer(resources.slideLayerFramebuffer);
  gl.deleteTexture(resources.avatarTexture);
  gl.deleteTexture(resources.keyedTexture);
  gl.deleteFramebuffer(resources.keyedFramebuffer);
  gl.deleteTexture(resources.captionTexture);
}
