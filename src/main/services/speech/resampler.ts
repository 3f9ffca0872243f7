/**
 * Band-limited sample-rate conversion by a rational ratio: a polyphase windowed-sinc (Kaiser)
 * filter, evaluated at the exact fractional input position of every output sample. The filter is
 * symmetric around that position, so the output has no delay: time t in the input is time t in
 * the output, which keeps word timings valid across the conversion.
 *
 * With `anyRatio`, rates whose reduced ratio needs more than `maxPhases` filter phases (44.1 kHz -> 16 kHz needs
 * 160, but a recording at 44 101 Hz would need 16 000) use a table of `interpolatedPhases` phases
 * and interpolate linearly between the two around each exact position: the coefficient error is
 * below 1e-5 of the peak tap, far under the 70 dB stopband, and unity gain at DC still holds.
 *
 * Defaults put the passband edge at 93.75 % of the lower Nyquist frequency and the stopband at
 * the Nyquist frequency itself, so nothing above it folds back (22.05 kHz -> 16 kHz: flat to
 * 7.5 kHz, at least 70 dB down from 8 kHz).
 */

export interface ResamplerOptions {
  inputRateHz: number;
  outputRateHz: number;
  /** Highest frequency passed unchanged. Default: 0.9375 x the lower Nyquist frequency. */
  passbandHz?: number;
  /** Lowest frequency fully rejected. Default: the lower Nyquist frequency. */
  stopbandHz?: number;
  /** Rejection in the stopband. Default 70 dB, well below the noise of 16-bit speech. */
  stopbandAttenuationDb?: number;
  /**
   * Interpolate between tabulated phases when the exact ratio needs too many (a recording at any
   * rate). Off by default: the engines' fixed rates must never take the approximate path.
   */
  anyRatio?: boolean;
}

export interface Resampler {
  readonly inputRateHz: number;
  readonly outputRateHz: number;
  /** Filter taps applied per output sample. */
  readonly tapsPerOutputSample: number;
  /** Output samples for an input length: one per output instant inside the input's span. */
  outputLength(inputLength: number): number;
  resampleFloat(input: Float32Array): Float32Array<ArrayBuffer>;
  /** Rounds and clips to the 16-bit range. */
  resampleInt16(input: Int16Array): Int16Array<ArrayBuffer>;
  /**
   * Output samples fromSample..toSample-1 of resampleInt16(input), written into `output` (which
   * holds outputLength(input.length) samples): long audio can be converted in slices.
   */
  resampleInt16Into(
    input: Int16Array,
    output: Int16Array,
    fromSample: number,
    toSample: number,
  ): void;
}

/** Phase tables grow with the reduced ratio's numerator; beyond this, phases are interpolated. */
const maxPhases = 4096;
/** Table rows between two input samples when phases are interpolated (plus one closing row). */
const interpolatedPhases = 1024;

function greatestCommonDivisor(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) {
    const rest = x % y;
    x = y;
    y = rest;
  }
  return x;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges quickly). */
function besselI0(x: number): number {
  const halfX = x / 2;
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 64; k++) {
    term *= (halfX / k) * (halfX / k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Kaiser's empirical beta for a stopband attenuation in dB. */
function kaiserBeta(attenuationDb: number): number {
  if (attenuationDb > 50) return 0.1102 * (attenuationDb - 8.7);
  if (attenuationDb >= 21) {
    return 0.5842 * (attenuationDb - 21) ** 0.4 + 0.07886 * (attenuationDb - 21);
  }
  return 0;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const angle = Math.PI * x;
  return Math.sin(angle) / angle;
}

export function createResampler(options: ResamplerOptions): Resampler {
  const { inputRateHz, outputRateHz } = options;
  if (!Number.isInteger(inputRateHz) || !Number.isInteger(outputRateHz)) {
    throw new RangeError('sample rates must be whole numbers of hertz');
  }
  if (inputRateHz <= 0 || outputRateHz <= 0) {
    throw new RangeError('sample rates must be positive');
  }
  const divisor = greatestCommonDivisor(inputRateHz, outputRateHz);
  // Output sample n sits at input position n * step / phases (a reduced fraction).
  const phases = outputRateHz / divisor;
  const step = inputRateHz / divisor;
  const exact = phases <= maxPhases;
  if (!exact && options.anyRatio !== true) {
    throw new RangeError(`the ratio ${outputRateHz}/${inputRateHz} needs too many filter phases`);
  }
  // Exact: one row per phase. Interpolated: rows at fractions 0, 1/T … 1 (T+1 rows).
  const tableRows = exact ? phases : interpolatedPhases + 1;
  const tableScale = exact ? 1 : interpolatedPhases / phases;

  const nyquistHz = Math.min(inputRateHz, outputRateHz) / 2;
  const stopbandHz = options.stopbandHz ?? nyquistHz;
  const passbandHz = options.passbandHz ?? nyquistHz * 0.9375;
  const attenuationDb = options.stopbandAttenuationDb ?? 70;
  if (!(passbandHz > 0 && passbandHz < stopbandHz && stopbandHz <= inputRateHz / 2)) {
    throw new RangeError('expected 0 < passbandHz < stopbandHz <= input Nyquist frequency');
  }

  // Filter design in units of input samples.
  const cutoff = (passbandHz + stopbandHz) / 2 / inputRateHz;
  const transitionRadians = (2 * Math.PI * (stopbandHz - passbandHz)) / inputRateHz;
  const length = Math.ceil((attenuationDb - 7.95) / (2.285 * transitionRadians));
  // Taps come in multiples of four for the unrolled inner loop.
  const halfWidth = Math.max(2, 2 * Math.ceil(length / 4));
  const taps = 2 * halfWidth;
  const beta = kaiserBeta(attenuationDb);
  const windowNorm = besselI0(beta);

  // coefficients[row * taps + k] weighs input sample (base - halfWidth + 1 + k).
  const coefficients = new Float64Array(tableRows * taps);
  for (let phase = 0; phase < tableRows; phase++) {
    const fraction = exact ? phase / phases : phase / interpolatedPhases;
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const distance = k - halfWidth + 1 - fraction;
      const ratio = distance / halfWidth;
      const window =
        Math.abs(ratio) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - ratio * ratio)) / windowNorm;
      const value = 2 * cutoff * sinc(2 * cutoff * distance) * window;
      coefficients[phase * taps + k] = value;
      sum += value;
    }
    // Unity gain at DC for every phase, so no phase-dependent ripple on slow signals.
    for (let k = 0; k < taps; k++)
      coefficients[phase * taps + k] = (coefficients[phase * taps + k] ?? 0) / sum;
  }

  function outputLength(inputLength: number): number {
    if (!Number.isInteger(inputLength) || inputLength < 0) {
      throw new RangeError('inputLength must be a non-negative integer');
    }
    return Math.floor((inputLength * phases + step - 1) / step);
  }

  /** Output sample n: the filter centred on input position n * step / phases. */
  function sampleAt(input: Int16Array | Float32Array, n: number): number {
    if (!exact) return interpolatedSampleAt(input, n);
    const position = n * step;
    const base = Math.floor(position / phases);
    const offset = (position - base * phases) * taps;
    const first = base - halfWidth + 1;
    if (first >= 0 && first + taps <= input.length) {
      // Four independent sums let the CPU overlap the multiply-adds (about 2x faster in V8).
      let sum0 = 0;
      let sum1 = 0;
      let sum2 = 0;
      let sum3 = 0;
      for (let k = 0; k < taps; k += 4) {
        sum0 += (coefficients[offset + k] ?? 0) * (input[first + k] ?? 0);
        sum1 += (coefficients[offset + k + 1] ?? 0) * (input[first + k + 1] ?? 0);
        sum2 += (coefficients[offset + k + 2] ?? 0) * (input[first + k + 2] ?? 0);
        sum3 += (coefficients[offset + k + 3] ?? 0) * (input[first + k + 3] ?? 0);
      }
      return sum0 + sum1 + sum2 + sum3;
    }
    // Near the ends the input continues as silence.
    let sum = 0;
    for (let k = Math.max(0, -first); k < taps && first + k < input.length; k++) {
      sum += (coefficients[offset + k] ?? 0) * (input[first + k] ?? 0);
    }
    return sum;
  }

  /** As sampleAt, with the taps interpolated between the two table rows around the position. */
  function interpolatedSampleAt(input: Int16Array | Float32Array, n: number): number {
    const position = n * step;
    const base = Math.floor(position / phases);
    const row = (position - base * phases) * tableScale;
    const lower = Math.min(Math.floor(row), interpolatedPhases - 1);
    const weight = row - lower;
    const offset0 = lower * taps;
    const offset1 = offset0 + taps;
    const first = base - halfWidth + 1;
    let sum = 0;
    for (let k = Math.max(0, -first); k < taps && first + k < input.length; k++) {
      const low = coefficients[offset0 + k] ?? 0;
      const coefficient = low + weight * ((coefficients[offset1 + k] ?? 0) - low);
      sum += coefficient * (input[first + k] ?? 0);
    }
    return sum;
  }

  function resampleFloat(input: Float32Array): Float32Array<ArrayBuffer> {
    const output = new Float32Array(outputLength(input.length));
    for (let n = 0; n < output.length; n++) output[n] = sampleAt(input, n);
    return output;
  }

  function resampleInt16Into(
    input: Int16Array,
    output: Int16Array,
    fromSample: number,
    toSample: number,
  ): void {
    if (output.length !== outputLength(input.length)) {
      throw new RangeError('output must hold outputLength(input.length) samples');
    }
    const end = Math.min(toSample, output.length);
    for (let n = Math.max(0, fromSample); n < end; n++) {
      const value = Math.round(sampleAt(input, n));
      output[n] = value > 32767 ? 32767 : value < -32768 ? -32768 : value;
    }
  }

  function resampleInt16(input: Int16Array): Int16Array<ArrayBuffer> {
    const output = new Int16Array(outputLength(input.length));
    resampleInt16Into(input, output, 0, output.length);
    return output;
  }

  return {
    inputRateHz,
    outputRateHz,
    tapsPerOutputSample: taps,
    outputLength,
    resampleFloat,
    resampleInt16,
    resampleInt16Into,
  };
}
