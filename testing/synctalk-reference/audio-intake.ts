import { concatInt16 } from '../../src/shared/pcm-samples.ts';
import { LinearResampler, PcmAssembler } from './pcm.ts';

/**
 * The input side of a stream: s16le bytes in, resampled to 16 kHz, batched, cut into 40 ms
 * frames. Batching copies streaming_audio_dataset.py `add_audio_chunk`: pending audio is
 * processed once there are >= 8000 samples in >= 4 chunks, or >= 32000 samples.
 */

export const outputSampleRateHz = 16_000;
export const samplesPerFrame = 640;
const batchMinSamples = 8000;
const batchMinChunks = 4;
const batchAlwaysSamples = 32_000;

export class AudioIntake {
  private readonly pcm = new PcmAssembler();
  private readonly resampler: LinearResampler | null;
  private pending: Int16Array[] = [];
  private pendingSampleCount = 0;
  private pendingChunkCount = 0;

  constructor(
    sampleRateHz: number,
    private readonly onFrame: (samples: Int16Array) => void,
  ) {
    this.resampler =
      sampleRateHz === outputSampleRateHz
        ? null
        : new LinearResampler(sampleRateHz, outputSampleRateHz);
  }

  /** Samples received but not yet cut into frames. */
  get pendingSamples(): number {
    return this.pendingSampleCount;
  }

  /** One audio message; frames the pending audio when the batching threshold is reached. */
  push(bytes: Uint8Array): void {
    let samples = this.pcm.push(bytes);
    if (this.resampler) samples = this.resampler.push(samples);
    this.appendPending(samples);
    this.pendingChunkCount++;
    if (
      (this.pendingSampleCount >= batchMinSamples && this.pendingChunkCount >= batchMinChunks) ||
      this.pendingSampleCount >= batchAlwaysSamples
    ) {
      this.frameWhole();
    }
  }

  /** A marker closes the audio before it: resampler tail out, last partial frame zero-padded. */
  flush(): void {
    if (this.resampler) this.appendPending(this.resampler.flush());
    this.framePending(true);
  }

  /** Turns the whole frames of the pending audio into frames; the remainder waits. */
  frameWhole(): void {
    this.framePending(false);
  }

  private appendPending(samples: Int16Array): void {
    if (samples.length === 0) return;
    this.pending.push(samples);
    this.pendingSampleCount += samples.length;
  }

  private framePending(padLast: boolean): void {
    if (this.pendingSampleCount === 0) return;
    const joined = concatInt16(this.pending);
    const wholeFrames = Math.floor(joined.length / samplesPerFrame);
    this.pending = [];
    this.pendingSampleCount = 0;
    this.pendingChunkCount = 0;
    for (let index = 0; index < wholeFrames; index++) {
      const start = index * samplesPerFrame;
      this.onFrame(joined.slice(start, start + samplesPerFrame));
    }
    const remainder = joined.subarray(wholeFrames * samplesPerFrame);
    if (remainder.length === 0) return;
    if (padLast) {
      const padded = new Int16Array(samplesPerFrame);
      padded.set(remainder);
      this.onFrame(padded);
    } else {
      this.appendPending(remainder.slice());
    }
  }
}
