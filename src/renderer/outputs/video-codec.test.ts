import { describe, expect, it } from 'vitest';
import { h264CodecFor, recordingMimeType } from './video-codec.ts';

describe('recording codec choice', () => {
  it('names the lowest H.264 level that fits the frame size and rate', () => {
    expect(h264CodecFor(640, 360, 25)).toBe('avc1.42E01E'); // level 3.0
    expect(h264CodecFor(1280, 720, 25)).toBe('avc1.42E01F'); // 3.1: 3600 macroblocks
    expect(h264CodecFor(1280, 720, 60)).toBe('avc1.42E020'); // 3.2: rate needs more
    expect(h264CodecFor(1920, 1080, 30)).toBe('avc1.42E028'); // 4.0
    expect(h264CodecFor(3840, 2160, 30)).toBe('avc1.42E033'); // 5.1
  });
  it('always names both codecs explicitly (plain video/mp4 records VP9 in Chromium)', () => {
    expect(recordingMimeType(1280, 720, 25)).toBe('video/mp4;codecs=avc1.42E01F,opus');
  });
});
