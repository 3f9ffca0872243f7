import { describe, expect, it } from 'vitest';
import type { AvatarSegmentFrameInfo } from '../../../shared/ipc/contract.ts';
import { ok } from '../../../shared/result.ts';
import { SyncTalkSegment, type SegmentApi } from './synctalk-segments.ts';

const api: SegmentApi = {
  segment: () =>
    Promise.resolve(ok({ frameCount: 0, source: 'server' as const, audioMismatches: 0 })),
  onSegmentFrame: () => () => undefined,
  grantSegmentCredit: () => undefined,
  cancelSegment: () => undefined,
};

function segment(): SyncTalkSegment {
  return new SyncTalkSegment(
    {
      lessonId: 'l',
      slideId: 's',
      slideIndex: 0,
      avatar: {
        provider: 'synctalk',
        serverUrl: 'http://127.0.0.1:1',
        avatarName: 'a',
        frameSize: { width: 2, height: 2 },
        keyColor: '#00ff00',
        chromaKey: { similarity: 0.4, smoothness: 0.08, spill: 0.1 },
        placement: { x: 0, y: 0, width: 1, height: 1 },
      },
      request: {
        lessonId: 'l',
        slideId: 's',
        text: 'Four frames.',
        voice: { provider: 'offline', voice: 'en-gb', rateWpm: 180, pitch: 40 },
      },
      pcm: new Uint8Array(640 * 2 * 4),
      sampleRateHz: 22_050,
    },
    api,
  );
}

function frame(requestId: string, index: number): AvatarSegmentFrameInfo {
  return {
    requestId,
    index,
    width: 2,
    height: 2,
    rgb: new Uint8Array(12),
    source: 'server',
  };
}

/** Whether the promise has settled after everything already queued has run. */
async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  return done;
}

describe('SyncTalkSegment.whenFrame (the exporter waits for each image)', () => {
  it('waits for a frame that is still coming, even after the server has answered', async () => {
    const s = segment();
    s.receive(frame(s.requestId, 0));
    expect(await settled(s.whenFrame(0))).toBe(true);
    // Answered with 4 frames while main still holds frames 1-3 back for want of credit.
    s.finish(ok({ frameCount: 4, source: 'server', audioMismatches: 0 }));
    const third = s.whenFrame(2 * 40 + 10);
    expect(await settled(third)).toBe(false);
    s.receive(frame(s.requestId, 1));
    expect(await settled(third)).toBe(false);
    s.receive(frame(s.requestId, 2));
    expect(await settled(third)).toBe(true);
    // Past the last frame (the slide's hold) there is nothing to wait for.
    expect(await settled(s.whenFrame(10 * 40))).toBe(true);
  });

  it('stops waiting when the segment fails, or when nothing comes for the stall limit', async () => {
    const s = segment();
    const waiting = s.whenFrame(0);
    s.finish({ ok: false, error: { code: 'not-available', message: 'server gone' } });
    expect(await settled(waiting)).toBe(true);

    const quiet = segment();
    const stalled = quiet.whenFrame(0, 20);
    expect(await settled(stalled)).toBe(false);
    await stalled; // resolves by itself after 20 ms without frames
  });
});
