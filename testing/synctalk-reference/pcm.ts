import { concatInt16 } from '../../src/shared/pcm-samples.ts';
/**
 * PCM helpers for the reference SyncTalk server: turning arbitrary binary messages into 16-bit
 * samples (an odd trailing byte is carried into the next message), streaming sample-rate
 * conversion to 16 kHz, and frame loudness.
 */

/** Splits s16le bytes into samples; an odd trailing byte waits for the next message. */
export class PcmAssembler {
  private carriedByte: number | null = null;

  push(bytes: Uint8Array): Int16Array {
    const totalBytes = bytes.length + (this.carriedByte === null ? 0 : 1);
    const samples = new Int16Array(totalBytes >> 1);
    let readIndex = 0;
    let writeIndex = 0;
    if (this.carriedByte !== null && samples.length > 0) {
      samples[writeIndex++] = toInt16(this.carriedByte | ((bytes[0] ?? 0) << 8));
      readIndex = 1;
      this.carriedByte = null;
    }
    for (; writeIndex < samples.length; writeIndex++, readIndex += 2) {
      samples[writeIndex] = toInt16((bytes[readIndex] ?? 0) | ((bytes[readIndex + 1] ?? 0) << 8));
    }
    if (readIndex < bytes.length) this.carriedByte = bytes[readIndex] ?? 0;
    return samples;
  }
}

function toInt16(unsigned: number): number {
  return unsigned >= 0x8000 ? unsigned - 0x10000 : unsigned;
}

/**
 * Streaming linear-interpolation resampler. Linear is enough for a reference server whose picture
 * only reacts to loudness; output instant j sits exactly at input position j * in / out (integer
 * arithmetic, so long sessions do not drift). The real server uses torchaudio's windowed sinc.
 */
export class LinearResampler {
  private history = new Int16Array(0);
  /** Absolute input index of history[0]. */
  private historyStart = 0;
  private nextOutputIndex = 0;

  constructor(
    readonly inputRateHz: number,
    readonly outputRateHz: number,
  ) {
    if (!Number.isInteger(inputRateHz) || inputRateHz <= 0) {
      throw new RangeError(`input rate must be a positive integer, got ${inputRateHz}`);
    }
  }

  push(input: Int16Array): Int16Array {
    if (this.inputRateHz === this.outputRateHz) return input;
    const samples = concatInt16([this.history, input]);
    const output = this.produce(samples, false);
    this.keepFrom(samples);
    return output;
  }

  /** Emits the outputs still waiting for a right-hand neighbour, holding the last input sample. */
  flush(): Int16Array {
    if (this.inputRateHz === this.outputRateHz) return new Int16Array(0);
    const output = this.produce(this.history, true);
    this.keepFrom(this.history);
    return output;
  }

  private produce(samples: Int16Array, holdLast: boolean): Int16Array {
    const endIndex = this.historyStart + samples.length;
    const values: number[] = [];
    for (;;) {
      const scaled = this.nextOutputIndex * this.inputRateHz;
      const leftIndex = Math.floor(scaled / this.outputRateHz);
      const fractionNumerator = scaled - leftIndex * this.outputRateHz;
      if (leftIndex >= endIndex) break;
      const left = samples[leftIndex - this.historyStart] ?? 0;
      let value = left;
      if (fractionNumerator > 0) {
        if (leftIndex + 1 >= endIndex) {
          if (!holdLast) break;
        } else {
          const right = samples[leftIndex + 1 - this.historyStart] ?? 0;
          value = left + ((right - left) * fractionNumerator) / this.outputRateHz;
        }
      }
      values.push(Math.max(-32768, Math.min(32767, Math.round(value))));
      this.nextOutputIndex++;
    }
    return Int16Array.from(values);
  }

  /** Drops input no future output needs. */
  private keepFrom(samples: Int16Array): void {
    const neededIndex = Math.floor((this.nextOutputIndex * this.inputRateHz) / this.outputRateHz);
    const dropCount = Math.max(0, Math.min(samples.length, neededIndex - this.historyStart));
    this.history = samples.slice(dropCount);
    this.historyStart += dropCount;
  }
}

/** RMS level relative to full scale (32768); silence is -Infinity. */
export function rmsDbfs(samples: Int16Array): number {
  if (samples.length === 0) return -Infinity;
  let sumOfSquares = 0;
  for (const sample of samples) sumOfSquares += sample * sample;
  const rms = Math.sqrt(sumOfSquares / samples.length);
  return rms === 0 ? -Infinity : 20 * Math.log10(rms / 32768);
}

export function int16ToBytes(samples: Int16Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < samples.length; index++) {
    view.setInt16(index * 2, samples[index] ?? 0, true);
  }
  return bytes;
}
