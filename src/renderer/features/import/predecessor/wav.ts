/**
 * A 16-bit PCM WAV file (RIFF, `fmt ` + `data`), the format a lesson's recorded narration is kept
 * in: what the importer writes after Web Audio decoded the predecessor's mp3. Samples are clamped
 * to -1..1 and rounded; channels are interleaved.
 */
export function encodeWav16(
  channels: readonly Float32Array[],
  sampleRate: number,
): Uint8Array<ArrayBuffer> {
  const channelCount = channels.length;
  if (channelCount < 1 || channelCount > 8)
    throw new Error(`cannot write ${channelCount} channels`);
  if (!Number.isInteger(sampleRate) || sampleRate < 1)
    throw new Error(`bad sample rate ${sampleRate}`);
  const frames = channels[0]?.length ?? 0;
  if (channels.some((c) => c.length !== frames)) throw new Error('channels differ in length');
  const dataBytes = frames * channelCount * 2;
  if (dataBytes > 0xffff_ffff - 36) throw new Error('the recording is too long for a WAV file');
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i += 1) view.setUint8(offset + i, text.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, channelCount, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channelCount * 2, true);
  view.setUint16(32, channelCount * 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  let offset = 44;
  for (let frame = 0; frame < frames; frame += 1) {
    for (const channel of channels) {
      const sample = Math.max(-1, Math.min(1, channel[frame] ?? 0));
      view.setInt16(offset, Math.round(sample < 0 ? sample * 0x8000 : sample * 0x7fff), true);
      offset += 2;
    }
  }
  return bytes;
}

/** More than two channels are mixed down to stereo's two (a narration needs no more). */
export function narrationChannels(channels: readonly Float32Array[]): Float32Array[] {
  if (channels.length <= 2) return [...channels];
  const frames = channels[0]?.length ?? 0;
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  channels.forEach((channel, index) => {
    const target = index % 2 === 0 ? left : right;
    for (let i = 0; i < frames; i += 1) target[i] = (target[i] ?? 0) + (channel[i] ?? 0);
  });
  const share = 1 / Math.ceil(channels.length / 2);
  for (let i = 0; i < frames; i += 1) {
    left[i] = (left[i] ?? 0) * share;
    right[i] = (right[i] ?? 0) * share;
  }
  return [left, right];
}
