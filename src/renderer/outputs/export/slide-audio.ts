/**
 * A slide's speech at the program's sample rate, resampled by the browser's own audio engine:
 * the same resampling live playback gets from its AudioContext, so an export sounds like the
 * preview. One slide at a time (minutes at most), never the whole lesson.
 */
export async function slideSamplesAt(
  speech: AudioBuffer,
  sampleRateHz: number,
): Promise<Float32Array<ArrayBuffer>> {
  const length = Math.max(1, Math.round(speech.duration * sampleRateHz));
  const context = new OfflineAudioContext(1, length, sampleRateHz);
  const source = context.createBufferSource();
  source.buffer = speech;
  source.connect(context.destination);
  source.start(0);
  const rendered = await context.startRendering();
  return rendered.getChannelData(0).slice();
}

/**
 * Cuts the program's audio into encoder-sized blocks at exact sample positions: silence where
 * nothing speaks (holds, and the tail that rounds the file up to a whole frame), speech where a
 * slide's starts. Positions only move forward, so a slide that would start a sample early (float
 * rounding) loses that sample instead of overlapping the one before.
 */
export class ProgramAudioTrack {
  private cursor = 0;

  constructor(
    private readonly write: (
      samples: Float32Array<ArrayBuffer>,
      startSample: number,
    ) => Promise<void>,
    private readonly blockSamples = 9_600,
  ) {}

  get writtenSamples(): number {
    return this.cursor;
  }

  async silenceUntil(sample: number): Promise<void> {
    while (this.cursor < sample) {
      const length = Math.min(this.blockSamples, sample - this.cursor);
      await this.emit(new Float32Array(length));
    }
  }

  async speechAt(startSample: number, samples: Float32Array<ArrayBuffer>): Promise<void> {
    await this.silenceUntil(startSample);
    let offset = this.cursor - startSample;
    while (offset < samples.length) {
      const block = samples.slice(offset, offset + this.blockSamples);
      await this.emit(block);
      offset += block.length;
    }
  }

  private async emit(block: Float32Array<ArrayBuffer>): Promise<void> {
    const at = this.cursor;
    this.cursor += block.length;
    await this.write(block, at);
  }
}
