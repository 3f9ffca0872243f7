import { describe, expect, test } from 'vitest';
import { createResampler } from './resampler.ts';

const inputRateHz = 22_050;
const outputRateHz = 16_000;

function sineInt16(frequencyHz: number, rateHz: number, length: number, amplitude: number) {
  const samples = new Int16Array(length);
  for (let n = 0; n < length; n++) {
    samples[n] = Math.round(amplitude * Math.sin((2 * Math.PI * frequencyHz * n) / rateHz));
  }
  return samples;
}

/** Amplitude of one frequency over a window (single-bin DFT, Goertzel-style). */
function toneAmplitude(samples: ArrayLike<number>, from: number, to: number, frequencyHz: number) {
  let real = 0;
  let imaginary = 0;
  for (let n = from; n < to; n++) {
    const angle = (2 * Math.PI * frequencyHz * n) / outputRateHz;
    real += samples[n]! * Math.cos(angle);
    imaginary -= samples[n]! * Math.sin(angle);
  }
  return (2 * Math.hypot(real, imaginary)) / (to - from);
}

function rms(samples: ArrayLike<number>, from: number, to: number) {
  let sum = 0;
  for (let n = from; n < to; n++) sum += samples[n]! ** 2;
  return Math.sqrt(sum / (to - from));
}

/** Largest difference from the ideal sine sampled at the output rate, away from the edges. */
function maxErrorFromIdeal(output: Int16Array, frequencyHz: number, amplitude: number) {
  const margin = 200;
  let worst = 0;
  for (let n = margin; n < output.length - margin; n++) {
    const ideal = amplitude * Math.sin((2 * Math.PI * frequencyHz * n) / outputRateHz);
    worst = Math.max(worst, Math.abs(output[n]! - ideal));
  }
  return worst;
}

describe('createResampler (22.05 kHz -> 16 kHz)', () => {
  const resampler = createResampler({ inputRateHz, outputRateHz });

  test('output length is exact: one sample per output instant inside the input', () => {
    expect(resampler.outputLength(0)).toBe(0);
    expect(resampler.outputLength(1)).toBe(1);
    expect(resampler.outputLength(441)).toBe(320);
    expect(resampler.outputLength(442)).toBe(321);
    expect(resampler.outputLength(22_050)).toBe(16_000);
    expect(resampler.outputLength(1000)).toBe(Math.ceil((1000 * 320) / 441));
    expect(resampler.resampleInt16(new Int16Array(22_050 * 3)).length).toBe(48_000);
    expect(resampler.resampleInt16(new Int16Array(12_345)).length).toBe(8958);
    expect(resampler.resampleInt16(new Int16Array(0)).length).toBe(0);
  });

  test('a 1 kHz sine keeps its frequency, amplitude and phase', () => {
    const amplitude = 12_000;
    const output = resampler.resampleInt16(sineInt16(1000, inputRateHz, inputRateHz, amplitude));
    // Matching the ideal 16 kHz sine sample for sample proves frequency, amplitude and zero delay.
    expect(maxErrorFromIdeal(output, 1000, amplitude)).toBeLessThan(amplitude * 0.002);
    expect(toneAmplitude(output, 800, 15_200, 1000)).toBeCloseTo(amplitude, -1);
  });

  test('a 7.5 kHz tone stays at 7.5 kHz (passband edge, no folding)', () => {
    const amplitude = 12_000;
    const output = resampler.resampleInt16(sineInt16(7500, inputRateHz, inputRateHz, amplitude));
    expect(maxErrorFromIdeal(output, 7500, amplitude)).toBeLessThan(amplitude * 0.01);
    expect(toneAmplitude(output, 800, 15_200, 7500)).toBeGreaterThan(amplitude * 0.99);
    // No energy may leak to other frequencies (a folded or smeared copy would show here).
    for (const otherHz of [500, 3000, 6500, 7000]) {
      expect(toneAmplitude(output, 800, 15_200, otherHz)).toBeLessThan(amplitude * 0.001);
    }
  });

  test('tones above the output Nyquist frequency are rejected instead of aliased', () => {
    const amplitude = 12_000;
    for (const frequencyHz of [8_200, 9_000, 10_500]) {
      const output = resampler.resampleInt16(
        sineInt16(frequencyHz, inputRateHz, inputRateHz, amplitude),
      );
      // Linear interpolation would leave a strong alias at 16 kHz - f; we demand 60 dB down.
      expect(rms(output, 800, 15_200)).toBeLessThan(amplitude * 0.001);
    }
  });

  test('silence stays silent and full scale does not wrap around', () => {
    const silent = resampler.resampleInt16(new Int16Array(5000));
    expect(silent.every((value) => value === 0)).toBe(true);
    const square = new Int16Array(4410);
    for (let n = 0; n < square.length; n++)
      square[n] = Math.floor(n / 50) % 2 === 0 ? 32767 : -32768;
    const output = resampler.resampleInt16(square);
    // Gibbs overshoot must clip, not wrap to the opposite sign.
    const firstHalfPeriod = output.slice(5, 30);
    expect(firstHalfPeriod.every((value) => value > 0)).toBe(true);
    expect(Math.max(...output)).toBe(32767);
    expect(Math.min(...output)).toBe(-32768);
  });

  test('float and int16 paths agree; upsampling works with the same design', () => {
    const input = sineInt16(440, inputRateHz, 4410, 8000);
    const asFloat = resampler.resampleFloat(Float32Array.from(input));
    const asInt = resampler.resampleInt16(input);
    for (let n = 0; n < asInt.length; n++)
      expect(Math.abs(asFloat[n]! - asInt[n]!)).toBeLessThan(1);

    const up = createResampler({ inputRateHz: 16_000, outputRateHz: 22_050 });
    const back = up.resampleInt16(resampler.resampleInt16(input));
    expect(back.length).toBe(up.outputLength(resampler.outputLength(4410)));
    let worst = 0;
    for (let n = 300; n < 4100; n++) worst = Math.max(worst, Math.abs(back[n]! - input[n]!));
    expect(worst).toBeLessThan(8000 * 0.005);
  });

  test('converting in slices gives the same samples as converting at once', () => {
    const input = sineInt16(3000, inputRateHz, 30_000, 9000);
    const whole = resampler.resampleInt16(input);
    const sliced = new Int16Array(whole.length);
    for (let from = 0; from < sliced.length; from += 777) {
      resampler.resampleInt16Into(input, sliced, from, from + 777);
    }
    expect(sliced).toEqual(whole);
    expect(() => resampler.resampleInt16Into(input, new Int16Array(10), 0, 10)).toThrow(RangeError);
  });

  test('rejects rates it cannot handle', () => {
    expect(() => createResampler({ inputRateHz: 0, outputRateHz: 16_000 })).toThrow(RangeError);
    expect(() => createResampler({ inputRateHz: 22_050.5, outputRateHz: 16_000 })).toThrow(
      RangeError,
    );
    expect(() => createResampler({ inputRateHz: 22_050, outputRateHz: 16_001 })).toThrow(
      RangeError,
    );
  });
});

describe('createResampler at any rate (recorded narration)', () => {
  /** Worst error against the ideal sine at 16 kHz, away from the edges. */
  function worstError(input: Int16Array, inputHz: number, frequencyHz: number, amplitude: number) {
    const output = createResampler({
      inputRateHz: inputHz,
      outputRateHz,
      anyRatio: true,
    }).resampleInt16(input);
    expect(output.length).toBe(Math.ceil((input.length * outputRateHz) / inputHz));
    return maxErrorFromIdeal(output, frequencyHz, amplitude);
  }

  test.each([48_000, 44_100, 44_101, 11_025, 8000, 96_000])(
    'a 1 kHz sine recorded at %i Hz arrives at 16 kHz with its amplitude and phase',
    (inputHz) => {
      const amplitude = 12_000;
      const input = sineInt16(1000, inputHz, Math.round(inputHz * 0.25), amplitude);
      // Within 0.1 % of full amplitude: no delay (a shifted sine would miss by thousands).
      expect(worstError(input, inputHz, 1000, amplitude)).toBeLessThan(12);
    },
  );

  test('a rate whose ratio needs interpolated phases rejects what lies above 8 kHz', () => {
    // 44 101 Hz reduces to 16 000 / 44 101: no exact phase table, so phases are interpolated.
    const input = sineInt16(12_000, 44_101, 44_101 / 4, 20_000);
    const output = createResampler({
      inputRateHz: 44_101,
      outputRateHz,
      anyRatio: true,
    }).resampleInt16(input);
    // A 12 kHz tone would fold to 4 kHz; 70 dB down from 20 000 is 6.3.
    expect(rms(output, 200, output.length - 200)).toBeLessThan(6.3);
  });
});
