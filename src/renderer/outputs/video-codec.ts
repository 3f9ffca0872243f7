/** Video codec choices shared by the recording (MediaRecorder) and the export (WebCodecs). */

/**
 * H.264 level for a frame size and rate (MaxFS in macroblocks and MaxMBPS per H.264 Table A-1),
 * so the codec string we ask MediaRecorder for is one a player will accept.
 */
export function h264CodecFor(width: number, height: number, fps: number): string {
  return `avc1.42E0${h264LevelFor(width, height, fps).toString(16).toUpperCase().padStart(2, '0')}`;
}

/** The lowest H.264 level (level_idc, e.g. 0x1f for 3.1) that carries this size and rate. */
export function h264LevelFor(width: number, height: number, fps: number): number {
  const macroblocks = Math.ceil(width / 16) * Math.ceil(height / 16);
  const perSecond = macroblocks * fps;
  const levels: [number, number, number][] = [
    [0x1e, 1620, 40_500],
    [0x1f, 3600, 108_000],
    [0x20, 5120, 216_000],
    [0x28, 8192, 245_760],
    [0x2a, 8704, 522_240],
    [0x32, 22_080, 589_824],
    [0x33, 36_864, 983_040],
  ];
  return (
    levels.find(([, maxFrame, maxRate]) => macroblocks <= maxFrame && perSecond <= maxRate)?.[0] ??
    0x33
  );
}

export function recordingMimeType(width: number, height: number, fps: number): string {
  return `video/mp4;codecs=${h264CodecFor(width, height, fps)},opus`;
}

/** Bits per second for a clean 8-bit H.264 recording of slides and a presenter. */
export function videoBitrateFor(width: number, height: number, fps: number): number {
  return Math.round(width * height * fps * 0.1);
}
