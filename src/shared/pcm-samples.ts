/** 16-bit PCM helpers shared by main (speech, SyncTalk) and the renderer (playback, avatar). */

/** The samples of s16le bytes: a view when the bytes are 2-byte aligned, else an aligned copy. */
export function int16Samples(bytes: Uint8Array): Int16Array {
  const length = Math.floor(bytes.byteLength / 2);
  if (bytes.byteOffset % 2 === 0) return new Int16Array(bytes.buffer, bytes.byteOffset, length);
  return new Int16Array(bytes.slice(0, length * 2).buffer);
}

export function concatInt16(parts: readonly Int16Array[]): Int16Array<ArrayBuffer> {
  let length = 0;
  for (const part of parts) length += part.length;
  const joined = new Int16Array(length);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}
