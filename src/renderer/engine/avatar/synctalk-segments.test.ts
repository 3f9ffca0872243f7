import { describe, expect, it, vi } from 'vitest';
import type { AvatarSegmentFrameInfo } from '../../../shared/ipc/contract.ts';
import { ok } from '../../../shared/result.ts';
import {
  cachedPrimedFrames,
  isPrimed,
  minCushionFrames,
  primedFrames,
  primeWaitMs,
  SyncTalkSegment,
  SyncTalkSegments,
  type PrimingState,
  type SegmentSpeech,
  type SegmentApi,
} from './synctalk-segments.ts';

const api: SegmentApi = {
  segment: () =>
    Promise.resolve(ok({ frameCount: 0, source: 'server' as const, audioMismatches: 0 })),
  onSegmentFrame: () => () => undefined,
  grantSegmentCredit: () => undefined,
  cancelSegment: () => undefined,
};

function speech(slideIndex = 0): SegmentSpeech {
  return {
    lessonId: 'l',
    slideId: 's',
    slideIndex,
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
  };
}

function segment(): SyncTalkSegment {
  return new SyncTalkSegment(speech(), api);
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

  it('stops waiting when the segment fails, and never because time passed', async () => {
    const s = segment();
    const waiting = s.whenFrame(0);
    s.finish({ ok: false, error: { code: 'not-available', message: 'server gone' } });
    expect(await settled(waiting)).toBe(true);

    // A busy machine or a slow server: however long the frame takes, the export waits for it
    // (it used to stand in after 20 s without frames, so the picture depended on the load).
    vi.useFakeTimers();
    try {
      const quiet = segment();
      const waitingLong = quiet.whenFrame(0);
      let done = false;
      void waitingLong.then(() => (done = true));
      await vi.advanceTimersByTimeAsync(10 * 60_000);
      expect(done).toBe(false);
      quiet.receive(frame(quiet.requestId, 0));
      await vi.advanceTimersByTimeAsync(0);
      expect(done).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives credit up to the frame it waits for and lets earlier frames go as they come', async () => {
    const granted: number[] = [];
    const s = new SyncTalkSegment(speech(), {
      ...api,
      grantSegmentCredit: (_id, shownIndex) => granted.push(shownIndex),
    });
    // A segment asked for again mid-slide: the exporter needs frame 3 first.
    const third = s.whenFrame(3 * 40);
    expect(granted).toEqual([]); // within the credit the request carried
    const far = new SyncTalkSegment(speech(), {
      ...api,
      grantSegmentCredit: (_id, shownIndex) => granted.push(shownIndex),
    });
    void far.whenFrame(200 * 40);
    expect(granted).toEqual([200]);
    s.receive(frame(s.requestId, 0));
    expect(s.buffer.contiguousAheadOf(0)).toBe(0); // behind the reader: let go
    s.receive(frame(s.requestId, 3));
    expect(await settled(third)).toBe(true);
    expect(s.hasFrame(3 * 40)).toBe(true);
  });

  it('asks for the credit again while earlier frames come (main may have missed the first ask)', () => {
    const granted: number[] = [];
    const s = new SyncTalkSegment(speech(), {
      ...api,
      grantSegmentCredit: (_id, shownIndex) => granted.push(shownIndex),
    });
    // Asked again mid-slide at frame 200; main took the request after the first credit went,
    // so it sends frames 0..49 and waits: each of them asks for the credit once more.
    void s.whenFrame(200 * 40);
    expect(granted).toEqual([200]);
    s.receive(frame(s.requestId, 0));
    s.receive(frame(s.requestId, 1));
    expect(granted).toEqual([200, 200, 200]);
  });
});

describe('isPrimed (when Play may start on a streaming segment)', () => {
  const tenSeconds = 250;
  /** The state `sinceMs` after the first frame of a server sending `fps` frames a second. */
  function streaming(fps: number, sinceMs: number, speechFrames = tenSeconds): PrimingState {
    return {
      contiguousFrames: 1 + Math.floor((fps * sinceMs) / 1000),
      speechFrames,
      sinceFirstFrameMs: sinceMs,
      fromCache: false,
    };
  }

  it('waits for a first frame', () => {
    expect(
      isPrimed({
        contiguousFrames: 0,
        speechFrames: 250,
        sinceFirstFrameMs: null,
        fromCache: false,
      }),
    ).toBe(false);
  });

  it('starts within a quarter second of the first frame when the server keeps real time', () => {
    const startMs = [...Array(50).keys()]
      .map((i) => i * 10)
      .find((ms) => isPrimed(streaming(25, ms)));
    expect(startMs).toBeDefined();
    expect(startMs).toBeLessThanOrEqual(250);
    // ...and never on less than the cushion.
    expect(streaming(25, startMs ?? 0).contiguousFrames).toBeGreaterThanOrEqual(minCushionFrames);
  });

  it('waits longer for a server below real time, so the buffer does not run dry', () => {
    // 23 fps over 10 s of speech: 250 frames need 10.87 s, so about 0.9 s of cushion.
    const startMs = [...Array(120).keys()]
      .map((i) => i * 10)
      .find((ms) => isPrimed(streaming(23, ms)));
    expect(startMs).toBeGreaterThanOrEqual(800);
    // Whatever the pace, a second after the first frame is the longest wait (as before).
    expect(startMs).toBeLessThanOrEqual(primeWaitMs);
    expect(isPrimed(streaming(10, primeWaitMs - 10))).toBe(false);
    expect(isPrimed(streaming(10, primeWaitMs))).toBe(true);
  });

  it('with the pace it measured, no frame is due before it arrives (plus the safety)', () => {
    for (const fps of [23, 24, 25, 30, 60]) {
      const sinceMs = [...Array(101).keys()]
        .map((i) => i * 10)
        .find((ms) => isPrimed(streaming(fps, ms)));
      if (sinceMs === undefined || sinceMs >= primeWaitMs) continue;
      const start = streaming(fps, sinceMs);
      for (let n = start.contiguousFrames; n < tenSeconds; n += 1) {
        const arrivesMs = ((n - start.contiguousFrames) * 1000) / fps;
        expect(arrivesMs).toBeLessThanOrEqual(n * 40);
      }
    }
  });

  it('starts a short segment once all its frames are here, and a cached one on a few', () => {
    expect(isPrimed(streaming(25, 0, 1))).toBe(true);
    expect(
      isPrimed({ contiguousFrames: 12, speechFrames: 12, sinceFirstFrameMs: 5, fromCache: false }),
    ).toBe(true);
    expect(
      isPrimed({
        contiguousFrames: cachedPrimedFrames,
        speechFrames: 250,
        sinceFirstFrameMs: 1,
        fromCache: true,
      }),
    ).toBe(true);
    expect(
      isPrimed({
        contiguousFrames: primedFrames,
        speechFrames: 250,
        sinceFirstFrameMs: 1,
        fromCache: false,
      }),
    ).toBe(true);
  });

  it('does not trust a burst: the pace is watched for a while first', () => {
    // Eight frames at once right after the first: no pace can be told from that.
    expect(
      isPrimed({ contiguousFrames: 8, speechFrames: 250, sinceFirstFrameMs: 20, fromCache: false }),
    ).toBe(false);
  });
});

describe('SyncTalkSegments pre-roll (the selected slide asked for while nothing plays)', () => {
  function failingSegments() {
    const told: string[] = [];
    const quiet: string[] = [];
    const cancelled: string[] = [];
    const segments = new SyncTalkSegments(
      {
        ...api,
        segment: () =>
          Promise.resolve({
            ok: false as const,
            error: { code: 'not-available' as const, message: 'avatar not loaded' },
          }),
        cancelSegment: (requestId) => cancelled.push(requestId),
      },
      {
        onFailed: (s) => told.push(s.requestId),
        onPreRollFailed: (s) => quiet.push(s.requestId),
      },
    );
    return { segments, told, quiet, cancelled };
  }

  it('logs a failed pre-roll quietly, and a run asks again and tells its failure', async () => {
    const { segments, told, quiet } = failingSegments();
    const preRolled = segments.ensure(speech(0), { preRoll: true });
    await settled(preRolled.whenReady());
    expect(preRolled.state).toBe('failed');
    expect(quiet).toEqual([preRolled.requestId]);
    expect(told).toEqual([]);
    const played = segments.ensure(speech(0));
    expect(played).not.toBe(preRolled);
    await settled(played.whenReady());
    expect(told).toEqual([played.requestId]);
  });

  it('tells the failure once a run has taken the pre-rolled segment over', async () => {
    const { segments, told, quiet } = failingSegments();
    const preRolled = segments.ensure(speech(0), { preRoll: true });
    // Play asks for the slide before the server has answered: the same segment, now the run's.
    expect(segments.ensure(speech(0))).toBe(preRolled);
    await settled(preRolled.whenReady());
    expect(told).toEqual([preRolled.requestId]);
    expect(quiet).toEqual([]);
  });

  it('lets go of other slides’ unplayed segments when the selection moves', () => {
    const { segments, cancelled } = failingSegments();
    const first = segments.ensure(speech(0), { preRoll: true });
    const second = segments.ensure(speech(1), { preRoll: true });
    segments.releaseUnplayedExcept(1);
    expect(cancelled).toEqual([first.requestId]);
    expect(segments.get(0)).toBeUndefined();
    expect(segments.get(1)).toBe(second);
  });
});

describe('SyncTalkSegments played frames (the key check reads frames that never go on air)', () => {
  it('hands on the frames of a played segment, late or not, and none of an unplayed one', () => {
    let deliver: (frame: AvatarSegmentFrameInfo) => void = () => undefined;
    const handed: { index: number; image: unknown }[] = [];
    const segments = new SyncTalkSegments(
      {
        ...api,
        segment: () => new Promise(() => undefined),
        onSegmentFrame: (listener) => {
          deliver = listener;
          return () => undefined;
        },
      },
      {
        onFailed: () => undefined,
        onPlayedFrame: (s, image) => handed.push({ index: s.speech.slideIndex, image }),
      },
    );
    // Four seconds of speech.
    const played = segments.ensure({ ...speech(0), pcm: new Uint8Array(640 * 2 * 100) });
    const preRolled = segments.ensure(speech(1), { preRoll: true });
    deliver(frame(played.requestId, 0));
    deliver(frame(preRolled.requestId, 0));
    expect(handed).toEqual([]);
    // Play reads slide 1 three seconds in: frame 0 is more than maxHoldMs behind, so the local
    // avatar stands in.
    expect(played.pick(3_000).useFallback).toBe(true);
    deliver(frame(played.requestId, 1));
    deliver(frame(preRolled.requestId, 1));
    expect(handed.map((entry) => entry.index)).toEqual([0]);
    // A frame that goes on air is handed on as the very image the buffer holds: the avatar
    // source counts each frame once, whether it sees it on arrival or on air.
    deliver(frame(played.requestId, 75));
    expect(handed).toHaveLength(2);
    expect(played.pick(3_000).image).toBe(handed[1]?.image);
  });
});
