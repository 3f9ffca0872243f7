import { describe, expect, it } from 'vitest';
import type { AvatarSegmentFrameInfo } from '../../../shared/ipc/contract.ts';
import { err, type Result } from '../../../shared/result.ts';
import type { PreparedSlide } from '../playback/slide-preparer.ts';
import type { ProgramFrame } from '../playback/presentation-player.ts';
import { SteppedAvatarFrames, steppedSegmentRetries } from './stepped-avatar-frames.ts';
import {
  SyncTalkSegments,
  type SegmentAnswer,
  type SegmentApi,
  type SegmentSpeech,
} from './synctalk-segments.ts';

/** A segment API whose answers and frames the test gives by hand. */
function handApi() {
  const answers: ((result: Result<SegmentAnswer>) => void)[] = [];
  const requests: string[] = [];
  let onFrame: (frame: AvatarSegmentFrameInfo) => void = () => undefined;
  const api: SegmentApi = {
    segment: (request) => {
      requests.push(request.requestId);
      return new Promise((resolve) => answers.push(resolve));
    },
    onSegmentFrame: (listener) => {
      onFrame = listener;
      return () => undefined;
    },
    grantSegmentCredit: () => undefined,
    cancelSegment: () => undefined,
  };
  const send = (index: number) =>
    onFrame({
      requestId: requests.at(-1) ?? '',
      index,
      width: 1,
      height: 1,
      rgb: new Uint8Array(3),
      source: 'server',
    });
  return { api, answers, requests, send };
}

const speech: SegmentSpeech = {
  lessonId: 'l',
  slideId: 's',
  slideIndex: 0,
  avatar: {
    provider: 'synctalk',
    serverUrl: 'http://127.0.0.1:1',
    avatarName: 'a',
    frameSize: { width: 1, height: 1 },
    keyColor: '#00ff00',
    chromaKey: { similarity: 0.4, smoothness: 0.08, spill: 0.1 },
    placement: { x: 0, y: 0, width: 1, height: 1 },
  },
  request: {
    lessonId: 'l',
    slideId: 's',
    text: 'Ten frames.',
    voice: { provider: 'offline', voice: 'en-gb', rateWpm: 180, pitch: 40 },
  },
  pcm: new Uint8Array(640 * 2 * 10),
  sampleRateHz: 16_000,
};

function frameAt(speechMs: number): ProgramFrame {
  const slide = { index: 0 } as PreparedSlide;
  return { slide, speechMs, programMs: speechMs, speaking: true, mouthOpen: 0 };
}

async function flush(): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
}

describe('SteppedAvatarFrames (the export waits for each avatar image)', () => {
  it('asks again for a segment main gave up on, from the frame the run is at', async () => {
    const hand = handApi();
    const segments = new SyncTalkSegments(hand.api, { onFailed: () => undefined });
    const slides = { requestAvatar: () => segments.ensure(speech) };
    const logged: string[] = [];
    const frames = new SteppedAvatarFrames(segments, slides, (_level, _message, eventType) =>
      logged.push(eventType),
    );
    segments.ensure(speech);
    hand.send(0);
    hand.send(1);
    await frames.whenFrame(frameAt(40));
    // The stream fell silent on a busy machine and main gave up on it at frame 2.
    let done = false;
    void frames.whenFrame(frameAt(80)).then(() => (done = true));
    hand.answers[0]?.(err('not-available', 'stopped streaming'));
    await flush();
    expect(done).toBe(false);
    expect(hand.requests).toHaveLength(2);
    expect(logged).toEqual(['avatar_segment_retry']);
    hand.send(2);
    await flush();
    expect(done).toBe(true);
    expect(segments.get(0)?.hasFrame(80)).toBe(true);
  });

  it('lets the local avatar stand in only after the retries are used up', async () => {
    const hand = handApi();
    const segments = new SyncTalkSegments(hand.api, { onFailed: () => undefined });
    const slides = { requestAvatar: () => segments.ensure(speech) };
    const frames = new SteppedAvatarFrames(segments, slides, () => undefined);
    segments.ensure(speech);
    const waiting = frames.whenFrame(frameAt(0));
    for (let attempt = 0; attempt <= steppedSegmentRetries; attempt += 1) {
      await flush();
      hand.answers[attempt]?.(err('not-available', 'server gone'));
    }
    await waiting;
    expect(hand.requests).toHaveLength(steppedSegmentRetries + 1);
    expect(segments.get(0)?.state).toBe('failed');
  });
});
