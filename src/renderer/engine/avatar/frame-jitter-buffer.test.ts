import { describe, expect, it } from 'vitest';
import { FrameJitterBuffer } from './frame-jitter-buffer.ts';

function frame(n: number) {
  return `frame-${n}`;
}

describe('frame jitter buffer', () => {
  it('places frames by count: frame n is shown for [n x 40 ms, (n + 1) x 40 ms)', () => {
    const buffer = new FrameJitterBuffer<string>();
    for (let n = 0; n < 5; n += 1) buffer.push(n, frame(n));
    expect(buffer.pick(0).image).toBe('frame-0');
    expect(buffer.pick(39.9).image).toBe('frame-0');
    expect(buffer.pick(40).image).toBe('frame-1');
    expect(buffer.pick(199).image).toBe('frame-4');
  });

  it('absorbs a burst after a stall: frames that arrive early wait for their time', () => {
    const buffer = new FrameJitterBuffer<string>();
    buffer.push(0, frame(0));
    buffer.push(1, frame(1));
    expect(buffer.pick(40).image).toBe('frame-1');
    // Stall: the clock reaches frame 3 before it exists; the last image is held.
    const stalled = buffer.pick(130);
    expect(stalled).toMatchObject({
      image: 'frame-1',
      wantedIndex: 3,
      shownIndex: 1,
      underrun: true,
    });
    // Burst: frames 2..12 arrive at once (50+ fps); each is shown at its own time, none skipped ahead.
    for (let n = 2; n <= 12; n += 1) buffer.push(n, frame(n));
    expect(buffer.pick(160).image).toBe('frame-4');
    expect(buffer.stats().depth).toBe(8);
    expect(buffer.pick(480).image).toBe('frame-12');
    expect(buffer.stats()).toMatchObject({ received: 13, underruns: 1 });
  });

  it('tolerates a long-run rate near 23 fps with a pre-roll, holding the image on the rare underrun', () => {
    const buffer = new FrameJitterBuffer<string>();
    const arrivalMs = (n: number) => n * (1000 / 23); // slower than the 25 fps it stands for
    const prerollMs = 400;
    let arrived = 0;
    let underruns = 0;
    // 4 s of speech, clock started after the pre-roll.
    for (let clockMs = 0; clockMs < 4000; clockMs += 10) {
      while (arrivalMs(arrived) <= clockMs + prerollMs && arrived < 100) {
        buffer.push(arrived, frame(arrived));
        arrived += 1;
      }
      if (buffer.pick(clockMs).underrun) underruns += 1;
    }
    expect(underruns).toBe(0);
    expect(buffer.pick(3999).image).toBe('frame-99');
  });

  it('running one frame behind shows the newest earlier frame instead of freezing', () => {
    const buffer = new FrameJitterBuffer<string>(40, 2);
    buffer.push(0, frame(0));
    expect(buffer.pick(0).image).toBe('frame-0');
    // Each frame arrives just after its time: the clock always wants the next one.
    for (let n = 1; n < 10; n += 1) {
      const pick = buffer.pick((n + 1) * 40);
      expect(pick).toMatchObject({ underrun: true, wantedIndex: n + 1 });
      expect(pick.shownIndex).toBe(n === 1 ? 0 : n - 1);
      buffer.push(n, frame(n));
    }
    // Frames catch up: exact again.
    buffer.push(10, frame(10));
    buffer.push(11, frame(11));
    expect(buffer.pick(11 * 40)).toMatchObject({ image: 'frame-11', underrun: false });
  });

  it('drops a frame that arrives after its time, and releases what is behind the playhead', () => {
    const released: string[] = [];
    const buffer = new FrameJitterBuffer<string>(40, 1, (image) => released.push(image));
    for (let n = 0; n < 4; n += 1) buffer.push(n, frame(n));
    buffer.pick(120); // frame 3
    expect(released).toEqual(['frame-0', 'frame-1']);
    buffer.push(0, 'late-0');
    expect(released).toContain('late-0');
    expect(buffer.pick(120).image).toBe('frame-3');
  });

  it('knows when it is primed, and that the end of a complete utterance is not an underrun', () => {
    const buffer = new FrameJitterBuffer<string>();
    buffer.push(0, frame(0));
    buffer.push(1, frame(1));
    expect(buffer.isPrimed(3)).toBe(false);
    buffer.markComplete();
    expect(buffer.isPrimed(3)).toBe(true);
    const after = buffer.pick(200);
    expect(after).toMatchObject({ image: 'frame-1', underrun: false });
    expect(buffer.stats().underruns).toBe(0);
  });
});
