import { imageSniffLength, sniffImageType } from '../../../../shared/lesson/lesson-paths.ts';

/**
 * What a fetched or copied file is, from its first bytes (a server's content type can be wrong or
 * generic: Azure blob storage answers `application/octet-stream` for some uploads). Images are
 * the lesson's image types; recordings are the formats the predecessor's narrator wrote (mp3) and
 * the ones a browser decodes.
 */

export type AssetKind = 'image' | 'audio';

const audioExtensionByMime: Readonly<Record<string, string>> = {
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/ogg': 'ogg',
  'audio/webm': 'webm',
  'audio/mp4': 'm4a',
  'audio/x-m4a': 'm4a',
  'audio/aac': 'aac',
  'audio/flac': 'flac',
};

function startsWith(bytes: Uint8Array, text: string, at = 0): boolean {
  if (bytes.length < at + text.length) return false;
  for (let index = 0; index < text.length; index += 1) {
    if (bytes[at + index] !== text.charCodeAt(index)) return false;
  }
  return true;
}

/** The recording's file extension from its first bytes, or null when it is no audio we know. */
export function sniffAudioExtension(bytes: Uint8Array): string | null {
  if (startsWith(bytes, 'ID3')) return 'mp3';
  const [first = 0, second = 0] = bytes;
  // A frame sync (11 set bits): MPEG audio names its layer (bits 1-2); ADTS AAC has layer 00.
  if (first === 0xff && (second & 0xe0) === 0xe0) {
    if ((second & 0x06) !== 0) return 'mp3';
    if ((second & 0xf0) === 0xf0) return 'aac';
  }
  if (startsWith(bytes, 'RIFF') && startsWith(bytes, 'WAVE', 8)) return 'wav';
  if (startsWith(bytes, 'OggS')) return 'ogg';
  if (startsWith(bytes, 'fLaC')) return 'flac';
  if (startsWith(bytes, 'ftyp', 4)) return 'm4a';
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) {
    return 'webm';
  }
  return null;
}

const imageExtension: Readonly<Record<string, string>> = {
  png: 'png',
  jpeg: 'jpg',
  webp: 'webp',
  gif: 'gif',
  svg: 'svg',
  bmp: 'bmp',
  avif: 'avif',
};

/** The file extension for `bytes` as a `kind`, or null when they are not that. */
export function extensionFor(kind: AssetKind, bytes: Uint8Array): string | null {
  if (kind === 'audio') return sniffAudioExtension(bytes);
  const type = sniffImageType(bytes.subarray(0, imageSniffLength));
  return type === null ? null : (imageExtension[type.kind] ?? null);
}

/** Whether a server's content type may hold a `kind` (the bytes decide in the end). */
export function contentTypeAllows(kind: AssetKind, contentType: string | null): boolean {
  const mime = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (mime === '' || mime === 'application/octet-stream' || mime === 'binary/octet-stream') {
    return true;
  }
  if (kind === 'image') return mime.startsWith('image/');
  return (
    mime.startsWith('audio/') ||
    mime === 'video/mp4' ||
    mime === 'video/webm' ||
    mime in audioExtensionByMime
  );
}
