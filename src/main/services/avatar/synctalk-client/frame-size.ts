import { err, ok } from '../../../../shared/result.ts';
import type { Result } from '../../../../shared/result.ts';

/**
 * SyncTalk sends raw RGB24 frames with no size on the wire: the size is the avatar's setting.
 * Without one, only a square frame can be inferred from its byte length; anything else is
 * rejected with an error that names both sizes (the predecessor silently dropped such frames).
 */
export interface FrameSize {
  width: number;
  height: number;
}

export const rgbBytesPerPixel = 3;

export function frameByteLength(size: FrameSize): number {
  return size.width * size.height * rgbBytesPerPixel;
}

export function inferSquareFrameSize(byteLength: number): FrameSize | null {
  if (byteLength <= 0 || byteLength % rgbBytesPerPixel !== 0) return null;
  const side = Math.round(Math.sqrt(byteLength / rgbBytesPerPixel));
  return side * side * rgbBytesPerPixel === byteLength ? { width: side, height: side } : null;
}

/** "786432 bytes (512x512 RGB)" or "1000 bytes (not a square RGB frame)". */
export function describeFrameBytes(byteLength: number): string {
  const square = inferSquareFrameSize(byteLength);
  return square
    ? `${byteLength} bytes (${square.width}x${square.height} RGB)`
    : `${byteLength} bytes (not a square RGB frame)`;
}

const frameSizeHint =
  "Set the avatar's frame size (width and height) to the size the SyncTalk server renders for this avatar (its resize_dims, or its crop size).";

/**
 * The size of a received frame: the configured one when the length matches, an inferred square
 * when none is configured, otherwise an error naming both sizes.
 */
export function checkFrameSize(
  byteLength: number,
  configured: FrameSize | undefined,
  avatarName: string,
): Result<FrameSize> {
  if (configured) {
    const expected = frameByteLength(configured);
    if (byteLength === expected) return ok(configured);
    return err(
      'invalid-request',
      `SyncTalk sent a frame of ${describeFrameBytes(byteLength)} for avatar "${avatarName}", but the avatar settings say ${configured.width}x${configured.height} (${expected} bytes).`,
      { hint: frameSizeHint },
    );
  }
  const inferred = inferSquareFrameSize(byteLength);
  if (inferred) return ok(inferred);
  return err(
    'invalid-request',
    `SyncTalk sent a frame of ${describeFrameBytes(byteLength)} for avatar "${avatarName}" and no frame size is set, so its width and height are unknown.`,
    { hint: frameSizeHint },
  );
}
