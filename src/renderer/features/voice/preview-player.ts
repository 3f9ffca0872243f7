/** s16le mono bytes to Web Audio samples in -1..1 (an odd trailing byte is ignored). */
export function pcmS16leToFloat32(bytes: Uint8Array): Float32Array<ArrayBuffer> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const samples = new Float32Array(Math.floor(bytes.byteLength / 2));
  for (let index = 0; index < samples.length; index += 1) {
    samples[index] = view.getInt16(index * 2, true) / 32768;
  }
  return samples;
}

/**
 * Plays a voice preview on an AudioContext of its own, not the program mix, so a preview is
 * never recorded or streamed. One preview at a time; the context is created on first use (a
 * user gesture) and closed by `dispose`.
 */
export class PreviewPlayer {
  private context: AudioContext | null = null;
  private source: AudioBufferSourceNode | null = null;

  get playing(): boolean {
    return this.source !== null;
  }

  /** Starts playing; `onEnded` runs once, when it ends or is stopped. */
  async play(pcm: Uint8Array, sampleRateHz: number, onEnded: () => void): Promise<void> {
    this.stop();
    const samples = pcmS16leToFloat32(pcm);
    if (samples.length === 0) {
      onEnded();
      return;
    }
    this.context ??= new AudioContext();
    const context = this.context;
    // Chromium starts a context suspended when it was not created inside a gesture.
    if (context.state === 'suspended') await context.resume();
    const buffer = context.createBuffer(1, samples.length, sampleRateHz);
    buffer.copyToChannel(samples, 0);
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(context.destination);
    source.onended = () => {
      if (this.source === source) this.source = null;
      source.disconnect();
      onEnded();
    };
    this.source = source;
    source.start();
  }

  stop(): void {
    const source = this.source;
    if (!source) return;
    // `onended` still fires after stop(), which reports the end to the caller.
    source.stop();
  }

  async dispose(): Promise<void> {
    const source = this.source;
    if (source) {
      source.onended = null;
      source.stop();
      source.disconnect();
      this.source = null;
    }
    const context = this.context;
    this.context = null;
    if (context) await context.close();
  }
}
