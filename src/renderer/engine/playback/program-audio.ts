import { int16Samples } from '../../../shared/pcm-samples.ts';

/**
 * The program's audio: one AudioContext whose clock is the master clock of the whole show, and
 * one bus that feeds the speakers and every output (recording now, LiveKit later).
 */
export class ProgramAudio {
  readonly context: AudioContext;
  readonly bus: GainNode;
  /** The program mix as a MediaStream track source for recorders and publishers. */
  readonly streamDestination: MediaStreamAudioDestinationNode;
  private readonly monitor: GainNode;

  constructor() {
    this.context = new AudioContext({ latencyHint: 'interactive', sampleRate: 48_000 });
    this.bus = this.context.createGain();
    this.monitor = this.context.createGain();
    this.streamDestination = this.context.createMediaStreamDestination();
    this.bus.connect(this.monitor).connect(this.context.destination);
    this.bus.connect(this.streamDestination);
  }

  /** Seconds on the master clock. */
  now(): number {
    return this.context.currentTime;
  }

  /**
   * The master clock as pictures must follow it: ahead of currentTime by the audio path's
   * latency, because the recorder and the viewer get sound that long after the graph rendered it
   * while a picture drawn now is captured now.
   */
  videoNow(): number {
    return this.context.currentTime + this.videoLeadSec();
  }

  videoLeadSec(): number {
    const { context } = this;
    // How far rendering runs ahead of what is being played out, as Chromium reports it.
    const stamp = context.getOutputTimestamp();
    const renderAheadSec =
      stamp.contextTime === undefined ? 0 : Math.max(0, context.currentTime - stamp.contextTime);
    return renderAheadSec + context.baseLatency + (context.outputLatency || 0);
  }

  setMonitorMuted(muted: boolean): void {
    this.monitor.gain.value = muted ? 0 : 1;
  }

  /** PCM s16le mono at any rate → an AudioBuffer (the context resamples on playback). */
  bufferFromPcm(pcm: Uint8Array, sampleRateHz: number): AudioBuffer {
    const samples = int16Samples(pcm);
    const buffer = this.context.createBuffer(1, Math.max(1, samples.length), sampleRateHz);
    const channel = buffer.getChannelData(0);
    for (let i = 0; i < samples.length; i += 1) channel[i] = (samples[i] ?? 0) / 32768;
    return buffer;
  }

  async resume(): Promise<void> {
    if (this.context.state !== 'running') await this.context.resume();
  }

  async suspend(): Promise<void> {
    if (this.context.state === 'running') await this.context.suspend();
  }

  async dispose(): Promise<void> {
    this.bus.disconnect();
    this.monitor.disconnect();
    await this.context.close();
  }
}
