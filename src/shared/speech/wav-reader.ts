import { err, ok, type Result } from '../result.ts';

/**
 * A bounded reader of RIFF/WAVE files: the recorded narration of a slide. It accepts what
 * recorders and converters write for speech (PCM 16-bit or IEEE float 32-bit, mono or stereo,
 * any sample rate, the plain or the WAVE_FORMAT_EXTENSIBLE header) and refuses anything else with
 * a sentence naming the file and what to convert it to. It never reads past the bytes it is
 * given and walks at most `maxChunks` chunks, so a crafted file costs no more than its length.
 *
 * Chunk layout (little-endian): "RIFF" size "WAVE", then chunks of id(4) size(4) body, each body
 * padded to an even length. `fmt ` says how samples are stored, `data` holds them; anything else
 * (LIST, bext, cue, fact…) is skipped. A `data` chunk that claims more bytes than the file holds
 * (a recorder that was stopped before it could patch its header, or a streamed write with size
 * 0xFFFFFFFF) is read up to the last whole frame present.
 */

export type WavEncoding = 'pcm16' | 'float32';

export interface WavFormat {
  encoding: WavEncoding;
  channels: 1 | 2;
  sampleRateHz: number;
  /** Bytes per frame (all channels of one instant). */
  blockAlign: number;
}

export interface WavLayout {
  format: WavFormat;
  /** Where the samples start, in the file. */
  dataOffset: number;
  /** Whole frames' bytes present in the file (a truncated data chunk is cut to them). */
  dataBytes: number;
  frames: number;
  durationMs: number;
}

export interface WavAudio extends WavLayout {
  /**
   * The channels averaged into one, in 16-bit units (a float file's ±1.0 is ±32768), unclipped:
   * the resampler rounds and clips once, at the end.
   */
  mono: Float32Array<ArrayBuffer>;
}

/** The lowest and highest sample rates taken: beyond them lies a damaged header, not speech. */
export const minWavSampleRateHz = 1000;
export const maxWavSampleRateHz = 384_000;
/** Chunks walked before the reader gives up (real files have a handful). */
export const maxChunks = 256;

const wavFormatPcm = 1;
const wavFormatFloat = 3;
const wavFormatExtensible = 0xfffe;
/** KSDATAFORMAT_SUBTYPE_* GUIDs end in these 14 bytes; the first two are the format code. */
const subformatGuidTail = [
  0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];

const convertHint =
  'Convert it to 16-bit PCM WAV, e.g. `ffmpeg -i <file> -ac 1 -c:a pcm_s16le narration.wav`.';

function fourCc(view: DataView, offset: number): string {
  let text = '';
  for (let i = 0; i < 4; i += 1) text += String.fromCharCode(view.getUint8(offset + i));
  return text;
}

function refuse<T>(name: string, problem: string): Result<T> {
  return err('invalid-request', `${name}: ${problem}`, { hint: convertHint });
}

/** The format code, unwrapping WAVE_FORMAT_EXTENSIBLE to its subformat; null when unknown. */
function formatCode(view: DataView, body: number, size: number): number | null {
  const code = view.getUint16(body, true);
  if (code !== wavFormatExtensible) return code;
  // cbSize(2) validBits(2) channelMask(4) subformat GUID(16) follow the 16-byte base.
  if (size < 40) return null;
  const guid = body + 24;
  for (let i = 0; i < subformatGuidTail.length; i += 1) {
    if (view.getUint8(guid + 2 + i) !== subformatGuidTail[i]) return null;
  }
  return view.getUint16(guid, true);
}

function describeCode(code: number | null): string {
  if (code === null) return 'an unrecognised WAVE_FORMAT_EXTENSIBLE subformat';
  if (code === 2) return 'ADPCM audio';
  if (code === 6 || code === 7) return 'A-law/µ-law audio';
  if (code === 0x55) return 'MP3 audio inside a WAV file';
  return `audio format code ${code}`;
}

function readFormat(view: DataView, body: number, size: number, name: string): Result<WavFormat> {
  if (size < 16)
    return refuse(name, `its "fmt " chunk is ${size} bytes, too short to describe audio`);
  const code = formatCode(view, body, size);
  const channels = view.getUint16(body + 2, true);
  const sampleRateHz = view.getUint32(body + 4, true);
  const blockAlign = view.getUint16(body + 12, true);
  const bits = view.getUint16(body + 14, true);
  let encoding: WavEncoding;
  if (code === wavFormatPcm && bits === 16) encoding = 'pcm16';
  else if (code === wavFormatFloat && bits === 32) encoding = 'float32';
  else if (code === wavFormatPcm) {
    return refuse(name, `${bits}-bit PCM is not supported (16-bit PCM or 32-bit float only)`);
  } else if (code === wavFormatFloat) {
    return refuse(name, `${bits}-bit float is not supported (16-bit PCM or 32-bit float only)`);
  } else {
    return refuse(name, `${describeCode(code)} is not supported (16-bit PCM or 32-bit float only)`);
  }
  if (channels !== 1 && channels !== 2) {
    return refuse(name, `it has ${channels} channels (mono or stereo only)`);
  }
  if (sampleRateHz < minWavSampleRateHz || sampleRateHz > maxWavSampleRateHz) {
    return refuse(
      name,
      `its sample rate ${sampleRateHz} Hz is outside ${minWavSampleRateHz}–${maxWavSampleRateHz} Hz`,
    );
  }
  const frameBytes = channels * (bits / 8);
  if (blockAlign !== frameBytes) {
    return refuse(name, `its block size ${blockAlign} does not match ${channels} × ${bits} bits`);
  }
  return ok({ encoding, channels, sampleRateHz, blockAlign });
}

/**
 * Finds the format and the samples in a WAV file of `totalBytes`, of which `head` holds the first
 * bytes (the whole file, or enough to reach the start of its data chunk). Never throws.
 */
export function readWavLayout(
  head: Uint8Array,
  totalBytes: number,
  name: string,
): Result<WavLayout> {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const available = Math.min(head.byteLength, totalBytes);
  if (available < 12 || fourCc(view, 0) !== 'RIFF' || fourCc(view, 8) !== 'WAVE') {
    if (available >= 4 && fourCc(view, 0) === 'RF64') {
      return refuse(name, 'RF64 (64-bit WAV) is not supported');
    }
    if (available >= 4 && fourCc(view, 0) === 'RIFX') {
      return refuse(name, 'big-endian WAV (RIFX) is not supported');
    }
    return refuse(name, 'not a WAV file (no RIFF/WAVE header)');
  }
  let format: WavFormat | null = null;
  let offset = 12;
  for (let chunk = 0; chunk < maxChunks; chunk += 1) {
    if (offset + 8 > available) break;
    const id = fourCc(view, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (format) return refuse(name, 'it has two "fmt " chunks');
      if (body + size > available) return refuse(name, 'its "fmt " chunk is cut short');
      const read = readFormat(view, body, size, name);
      if (!read.ok) return read;
      format = read.value;
    } else if (id === 'data') {
      if (!format) return refuse(name, 'its "data" chunk comes before its "fmt " chunk');
      const present = Math.max(0, Math.min(size, totalBytes - body));
      const frames = Math.floor(present / format.blockAlign);
      return ok({
        format,
        dataOffset: body,
        dataBytes: frames * format.blockAlign,
        frames,
        durationMs: (frames / format.sampleRateHz) * 1000,
      });
    }
    // Bodies are padded to an even length.
    offset = body + size + (size % 2);
  }
  if (!format) return refuse(name, 'it has no "fmt " chunk');
  return refuse(name, 'it has no "data" chunk (no audio)');
}

/** The samples of a whole WAV file, mixed to mono. Never throws. */
export function readWav(bytes: Uint8Array, name: string): Result<WavAudio> {
  const layout = readWavLayout(bytes, bytes.byteLength, name);
  if (!layout.ok) return layout;
  const { format, dataOffset, frames } = layout.value;
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataOffset, layout.value.dataBytes);
  const mono = new Float32Array(frames);
  const stereo = format.channels === 2;
  if (format.encoding === 'pcm16') {
    for (let frame = 0; frame < frames; frame += 1) {
      const at = frame * format.blockAlign;
      mono[frame] = stereo
        ? (view.getInt16(at, true) + view.getInt16(at + 2, true)) / 2
        : view.getInt16(at, true);
    }
  } else {
    for (let frame = 0; frame < frames; frame += 1) {
      const at = frame * format.blockAlign;
      const left = finiteOrZero(view.getFloat32(at, true));
      const value = stereo ? (left + finiteOrZero(view.getFloat32(at + 4, true))) / 2 : left;
      mono[frame] = value * 32768;
    }
  }
  return ok({ ...layout.value, mono });
}

/** NaN and infinities in a float file are damage, heard as silence rather than a full-scale click. */
function finiteOrZero(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

/** A 16-bit PCM WAV file of mono samples (for tests and writers of recorded narration). */
export function encodeWavPcm16(
  samples: Int16Array,
  sampleRateHz: number,
  channels: 1 | 2 = 1,
): Uint8Array<ArrayBuffer> {
  const dataBytes = samples.length * 2;
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, text: string) => {
    for (let i = 0; i < text.length; i += 1) view.setUint8(at + i, text.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, wavFormatPcm, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRateHz, true);
  view.setUint32(28, sampleRateHz * channels * 2, true);
  view.setUint16(32, channels * 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i += 1) view.setInt16(44 + i * 2, samples[i] ?? 0, true);
  return bytes;
}
