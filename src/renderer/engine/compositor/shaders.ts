import {
  cbCoefficients,
  chromaOffset,
  crCoefficients,
  lumaBlue,
  lumaGreen,
  lumaRed,
} from '../../../shared/chroma-key.ts';

/** The attribute slot of the unit quad's corner, bound explicitly so both programs share a VAO. */
export const cornerAttributeLocation = 0;

function glslVec3(values: readonly [number, number, number]): string {
  // Full double precision in the literal; the GPU rounds to float once, as it would any uniform.
  return `vec3(${values.map((value) => value.toPrecision(17)).join(', ')})`;
}

/**
 * One unit quad (corners 0..1, y down) placed by `u_rect` (x, y, width, height in
 * output-normalised coordinates, y down). Uploaded images have their top row at v = 0, so the
 * corner is the texture coordinate; `u_uvTransform` (offset xy, scale zw) flips it for textures
 * rendered by GL, whose row 0 is the bottom.
 */
export const quadVertexShader = `#version 300 es
layout(location = ${cornerAttributeLocation}) in vec2 a_corner;
uniform vec4 u_rect;
uniform vec4 u_uvTransform;
out vec2 v_uv;
void main() {
  vec2 position = u_rect.xy + a_corner * u_rect.zw;
  v_uv = u_uvTransform.xy + a_corner * u_uvTransform.zw;
  gl_Position = vec4(position.x * 2.0 - 1.0, 1.0 - position.y * 2.0, 0.0, 1.0);
}
`;

/**
 * GLSL that lays a premultiplied colour over the slide layer: `u_background` is output-sized in
 * GL row order, so the fragment's own pixel is the texel under it. Writing the composite (opaque)
 * instead of blending means the slide under the avatar need not be redrawn first each frame.
 */
const overBackgroundGlsl = `uniform sampler2D u_background;
uniform bool u_overBackground;

vec4 overBackground(vec4 premultiplied) {
  if (!u_overBackground) return premultiplied;
  vec4 background = texelFetch(u_background, ivec2(gl_FragCoord.xy), 0);
  return premultiplied + (1.0 - premultiplied.a) * background;
}`;

/** The slide: a premultiplied texture, drawn as is (also used to draw the cached slide layer). */
export const slideFragmentShader = `#version 300 es
precision highp float;
uniform sampler2D u_image;
in vec2 v_uv;
out vec4 outColor;
void main() {
  outColor = texture(u_image, v_uv);
}
`;

/** The avatar keyed at its source size (premultiplied), scaled onto the output over the slide. */
export const keyedAvatarFragmentShader = `#version 300 es
precision highp float;
uniform sampler2D u_image;
${overBackgroundGlsl}
in vec2 v_uv;
out vec4 outColor;
void main() {
  outColor = overBackground(texture(u_image, v_uv));
}
`;

/**
 * The chroma key: mirrors chromaKeyPixel / chromaKeyFromDistance in src/shared/chroma-key.ts,
 * with OBS's box filter of the distance (boxFilteredChromaDistance there). The constants are
 * generated from the same TypeScript values so the two cannot drift apart. pow(t, 1.5) is written
 * t * sqrt(t): same value, and defined at t = 0 on every GPU. With `u_overBackground` it also
 * lays the result over the slide layer.
 */
export const chromaKeyFragmentShader = `#version 300 es
precision highp float;
uniform sampler2D u_image;
uniform vec2 u_texelSize;
uniform vec2 u_keyCbCr;
uniform float u_similarity;
uniform float u_smoothness;
uniform float u_spill;
uniform bool u_matteView;
${overBackgroundGlsl}
in vec2 v_uv;
out vec4 outColor;

const vec3 cbRow = ${glslVec3(cbCoefficients)};
const vec3 crRow = ${glslVec3(crCoefficients)};
const vec3 lumaRow = ${glslVec3([lumaRed, lumaGreen, lumaBlue])};
const float chromaOffset = ${chromaOffset.toFixed(1)};

float chromaDistance(vec3 rgb) {
  vec2 cbCr = vec2(dot(rgb, cbRow), dot(rgb, crRow)) + chromaOffset;
  return distance(cbCr, u_keyCbCr);
}

// Four bilinear taps halfway between two texels, weight 2 each, plus the centre: every texel of
// the 3x3 neighbourhood counts once, in five fetches instead of nine.
float boxFilteredChromaDistance(vec3 centre) {
  vec2 halfTexel = u_texelSize * 0.5;
  vec2 offsetA = vec2(u_texelSize.x, halfTexel.y);
  vec2 offsetB = vec2(halfTexel.x, -u_texelSize.y);
  float sum = chromaDistance(texture(u_image, v_uv - offsetA).rgb);
  sum += chromaDistance(texture(u_image, v_uv + offsetA).rgb);
  sum += chromaDistance(texture(u_image, v_uv - offsetB).rgb);
  sum += chromaDistance(texture(u_image, v_uv + offsetB).rgb);
  return (sum * 2.0 + chromaDistance(centre)) / 9.0;
}

void main() {
  vec4 rgba = texture(u_image, v_uv);
  float baseMask = boxFilteredChromaDistance(rgba.rgb) - u_similarity;
  float fullMask = clamp(baseMask / u_smoothness, 0.0, 1.0);
  float spillMask = clamp(baseMask / u_spill, 0.0, 1.0);
  float alpha = fullMask * sqrt(fullMask) * rgba.a;
  float spillValue = spillMask * sqrt(spillMask);
  float grey = dot(rgba.rgb, lumaRow);
  vec3 colour = mix(vec3(grey), rgba.rgb, spillValue);
  outColor = overBackground(u_matteView ? vec4(vec3(alpha), 1.0) : vec4(colour * alpha, alpha));
}
`;
