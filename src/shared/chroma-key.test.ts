import { describe, expect, it } from 'vitest';
import {
  boxFilteredChromaDistance,
  chromaDistance,
  chromaKeyPixel,
  keyChromaScale,
  keyUniformsFromSettings,
  parseHexColor,
  settingsForDistances,
  rgbToCbCr,
} from './chroma-key.ts';

/** OBS's defaults, which Rapido's lessons use too (scaled by the key's chroma). */
const defaults = { similarity: 0.4, smoothness: 0.08, spill: 0.1 };
const broadcastGreen = '#00b140';

function rgb255(r: number, g: number, b: number): [number, number, number] {
  return [r / 255, g / 255, b / 255];
}

describe('parseHexColor', () => {
  it('reads #rrggbb in either case', () => {
    const parsed = parseHexColor('#00B140');
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.value.r).toBe(0);
      expect(parsed.value.g).toBeCloseTo(177 / 255, 12);
      expect(parsed.value.b).toBeCloseTo(64 / 255, 12);
    }
  });

  it.each(['00b140', '#0b1', '#00b14g', '#00b1400', ''])('rejects %j as a value', (text) => {
    const parsed = parseHexColor(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.code).toBe('invalid-request');
  });
});

describe('rgbToCbCr (full-range BT.709)', () => {
  it('maps every grey to the neutral point', () => {
    for (const level of [0, 0.25, 0.5, 1]) {
      const [cb, cr] = rgbToCbCr(level, level, level);
      expect(cb).toBeCloseTo(0.5, 12);
      expect(cr).toBeCloseTo(0.5, 12);
    }
  });

  it('puts pure blue and pure red at the ends of their axes', () => {
    expect(rgbToCbCr(0, 0, 1)[0]).toBeCloseTo(1, 12);
    expect(rgbToCbCr(1, 0, 0)[1]).toBeCloseTo(1, 12);
    // Full-range BT.709 green: Cb = 0.5 - 0.3854, Cr = 0.5 - 0.4542.
    const [cb, cr] = rgbToCbCr(0, 1, 0);
    expect(cb).toBeCloseTo(0.5 - 0.7152 / 1.8556, 6);
    expect(cr).toBeCloseTo(0.5 - 0.7152 / 1.5748, 6);
  });
});

describe('keyUniformsFromSettings', () => {
  it('converts the key colour to CbCr once and scales the settings by its chroma', () => {
    const uniforms = keyUniformsFromSettings(broadcastGreen, defaults);
    const expected = rgbToCbCr(...rgb255(0, 177, 64));
    expect(uniforms.keyCbCr[0]).toBeCloseTo(expected[0], 12);
    expect(uniforms.keyCbCr[1]).toBeCloseTo(expected[1], 12);
    const scale = keyChromaScale(uniforms.keyCbCr);
    expect(uniforms.similarity).toBeCloseTo(defaults.similarity * scale, 12);
    expect(uniforms.smoothness).toBeCloseTo(defaults.smoothness * scale, 12);
    expect(uniforms.spill).toBeCloseTo(defaults.spill * scale, 12);
    expect(settingsForDistances(broadcastGreen, uniforms).similarity).toBeCloseTo(
      defaults.similarity,
      12,
    );
  });

  it('means for pure green exactly what OBS means (studio-range distances)', () => {
    const green = keyUniformsFromSettings('#00ff00', defaults);
    // OBS: distance in studio range = full range x 224/255; similarity 0.4 there.
    expect(green.similarity * (224 / 255)).toBeCloseTo(0.4, 12);
    // A darker key gets proportionally smaller distances.
    expect(keyUniformsFromSettings(broadcastGreen, defaults).similarity).toBeLessThan(
      green.similarity * 0.7,
    );
  });

  it('throws on a colour the schema would have rejected', () => {
    expect(() => keyUniformsFromSettings('green', defaults)).toThrow(RangeError);
  });
});

describe('chromaKeyPixel', () => {
  const uniforms = keyUniformsFromSettings(broadcastGreen, defaults);

  it('makes the key colour fully transparent (premultiplied: all channels 0)', () => {
    expect(chromaKeyPixel(...rgb255(0, 177, 64), uniforms)).toEqual({ r: 0, g: 0, b: 0, a: 0 });
  });

  it('keeps colours far from the key opaque and unchanged', () => {
    const far: [number, number, number][] = [
      rgb255(224, 172, 138), // skin
      rgb255(255, 255, 255), // white
      rgb255(200, 30, 40), // red
      rgb255(20, 20, 20), // near black
    ];
    for (const colour of far) {
      const keyed = chromaKeyPixel(...colour, uniforms);
      expect(keyed.a).toBe(1);
      expect(keyed.r).toBeCloseTo(colour[0], 12);
      expect(keyed.g).toBeCloseTo(colour[1], 12);
      expect(keyed.b).toBeCloseTo(colour[2], 12);
    }
  });

  it('keeps greys opaque with OBS’s defaults on a darker key, where absolute distances would not', () => {
    // With #00b140 every grey is only 0.356 from the key: OBS's absolute 0.4 would erase white.
    const white = rgb255(255, 255, 255);
    expect(chromaDistance(...white, uniforms.keyCbCr)).toBeCloseTo(0.356, 3);
    const absolute = { keyCbCr: uniforms.keyCbCr, similarity: 0.4, smoothness: 0.08, spill: 0.1 };
    expect(chromaKeyPixel(...white, absolute).a).toBe(0);
    expect(chromaKeyPixel(...white, uniforms).a).toBe(1);
    // SyncTalk's key colour #089831 is darker still; greys stay opaque there too.
    expect(chromaKeyPixel(...white, keyUniformsFromSettings('#089831', defaults)).a).toBe(1);
  });

  it('gives partial alpha inside the smoothness band, following pow(t, 1.5)', () => {
    // Walk from the key towards white until the distance sits in the middle of the band.
    const key = rgb255(0, 177, 64);
    const target = uniforms.similarity + uniforms.smoothness / 2;
    let low = 0;
    let high = 1;
    for (let step = 0; step < 60; step += 1) {
      const t = (low + high) / 2;
      const colour = key.map((c) => c + (1 - c) * t) as [number, number, number];
      if (chromaDistance(...colour, uniforms.keyCbCr) < target) low = t;
      else high = t;
    }
    const colour = key.map((c) => c + (1 - c) * low) as [number, number, number];
    const keyed = chromaKeyPixel(...colour, uniforms);
    expect(keyed.a).toBeGreaterThan(0.05);
    expect(keyed.a).toBeLessThan(0.95);
    expect(keyed.a).toBeCloseTo(Math.pow(0.5, 1.5), 6);
  });

  it('pulls the green tint of near-key pixels towards grey (spill)', () => {
    // A greenish foreground colour just outside the similarity radius: opaque-ish but tinted.
    const spillUniforms = keyUniformsFromSettings(broadcastGreen, {
      similarity: 0.2,
      smoothness: 0.05,
      spill: 0.3,
    });
    const tinted = rgb255(150, 190, 120);
    const distance = chromaDistance(...tinted, spillUniforms.keyCbCr);
    expect(distance).toBeGreaterThan(spillUniforms.similarity + spillUniforms.smoothness);
    expect(distance).toBeLessThan(spillUniforms.similarity + spillUniforms.spill);
    const keyed = chromaKeyPixel(...tinted, spillUniforms);
    expect(keyed.a).toBe(1);
    const greenExcessBefore = tinted[1] - (tinted[0] + tinted[2]) / 2;
    const greenExcessAfter = keyed.g - (keyed.r + keyed.b) / 2;
    expect(greenExcessAfter).toBeGreaterThan(0);
    expect(greenExcessAfter).toBeLessThan(greenExcessBefore * 0.8);
    // Luma is kept: despill desaturates, it does not darken.
    const luma = (c: { r: number; g: number; b: number }): number =>
      0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
    expect(luma(keyed)).toBeCloseTo(luma({ r: tinted[0], g: tinted[1], b: tinted[2] }), 12);
  });

  it('is monotonic in the distance to the key', () => {
    const key = rgb255(0, 177, 64);
    const towards = rgb255(230, 60, 200);
    let previousDistance = -1;
    let previousAlpha = -1;
    for (let step = 0; step <= 200; step += 1) {
      const t = step / 200;
      const colour = key.map((c, i) => c + ((towards[i] ?? 0) - c) * t) as [number, number, number];
      const distance = chromaDistance(...colour, uniforms.keyCbCr);
      const { a } = chromaKeyPixel(...colour, uniforms);
      expect(distance).toBeGreaterThan(previousDistance);
      expect(a).toBeGreaterThanOrEqual(previousAlpha);
      previousDistance = distance;
      previousAlpha = a;
    }
    expect(previousAlpha).toBe(1);
  });
});

describe('boxFilteredChromaDistance', () => {
  const keyCbCr = keyUniformsFromSettings(broadcastGreen, defaults).keyCbCr;

  function image(width: number, height: number, paint: (x: number, y: number) => number[]) {
    const rgba = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        rgba.set(paint(x, y), (y * width + x) * 4);
      }
    }
    return rgba;
  }

  it('equals the plain distance on a flat region, edges included', () => {
    const rgba = image(4, 3, () => [200, 40, 30, 255]);
    const plain = chromaDistance(200 / 255, 40 / 255, 30 / 255, keyCbCr);
    for (const [x, y] of [
      [0, 0],
      [1, 1],
      [3, 2],
    ] as const) {
      expect(boxFilteredChromaDistance(rgba, 4, 3, x, y, keyCbCr)).toBeCloseTo(plain, 12);
    }
  });

  it('weights each of the 3x3 neighbours once', () => {
    // One white texel among key texels: each neighbour of it sees it in one half of one tap.
    const rgba = image(5, 5, (x, y) =>
      x === 2 && y === 2 ? [255, 255, 255, 255] : [0, 177, 64, 255],
    );
    const centreDistance = boxFilteredChromaDistance(rgba, 5, 5, 2, 2, keyCbCr);
    expect(centreDistance).toBeCloseTo(chromaDistance(1, 1, 1, keyCbCr) / 9, 12);
    const halfWhite = chromaDistance(0.5, (1 + 177 / 255) / 2, (1 + 64 / 255) / 2, keyCbCr);
    for (const [x, y] of [
      [1, 1],
      [2, 1],
      [3, 1],
      [1, 2],
      [3, 2],
      [1, 3],
      [2, 3],
      [3, 3],
    ] as const) {
      expect(boxFilteredChromaDistance(rgba, 5, 5, x, y, keyCbCr)).toBeCloseTo(
        (2 * halfWhite) / 9,
        12,
      );
    }
    expect(boxFilteredChromaDistance(rgba, 5, 5, 0, 0, keyCbCr)).toBeCloseTo(0, 12);
  });
});
