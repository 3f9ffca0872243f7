import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RapidoApi } from '../../../shared/ipc/rapido-api.ts';
import { ok } from '../../../shared/result.ts';
import { LiveRecorder } from './live-recorder.ts';

/** What the recorder did, in order: MediaRecorder's own calls as the page would see them. */
let calls: string[] = [];

class RecordingMediaRecorder extends EventTarget {
  static isTypeSupported(): boolean {
    return true;
  }
  state: 'inactive' | 'recording' | 'paused' = 'inactive';
  start(timesliceMs: number): void {
    calls.push(`start(${timesliceMs})`);
    this.state = 'recording';
  }
  pause(): void {
    calls.push('pause');
    this.state = 'paused';
  }
  resume(): void {
    calls.push('resume');
    this.state = 'recording';
  }
  stop(): void {
    calls.push('stop');
    this.state = 'inactive';
    this.dispatchEvent(new Event('stop'));
  }
}

function api(): RapidoApi {
  const recording = {
    start: vi.fn(() => {
      calls.push('main:start');
      return Promise.resolve(ok({ recordingId: 'r1', path: '/tmp/r1.mp4', bytesWritten: 0 }));
    }),
    append: vi.fn(),
    finish: vi.fn(() =>
      Promise.resolve(ok({ recordingId: 'r1', path: '/tmp/r1.mp4', bytesWritten: 0 })),
    ),
  };
  return { recording } as unknown as RapidoApi;
}

const options = {
  stream: {} as MediaStream,
  lessonId: 'lesson',
  lessonTitle: 'Lesson',
  destinationId: 'dst_test',
  width: 640,
  height: 360,
  fps: 25,
};

describe('LiveRecorder arm and go', () => {
  beforeEach(() => {
    calls = [];
    vi.stubGlobal('MediaRecorder', RecordingMediaRecorder);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('arms with the file open and the encoder paused; go begins the file', async () => {
    const recorder = new LiveRecorder(api(), () => undefined);
    const armed = await recorder.arm(options);
    expect(armed.ok).toBe(true);
    expect(calls).toEqual(['main:start', 'start(250)', 'pause']);
    expect(recorder.state).toBe('starting');
    expect(recorder.isArmed).toBe(true);
    expect(recorder.go()).toBe(true);
    expect(calls.at(-1)).toBe('resume');
    expect(recorder.state).toBe('recording');
    expect(recorder.go()).toBe(false);
  });

  it('does not let the program resuming (Play) begin an armed file: only go does', async () => {
    const recorder = new LiveRecorder(api(), () => undefined);
    await recorder.arm(options);
    recorder.resume();
    expect(calls).not.toContain('resume');
    expect(recorder.state).toBe('starting');
  });

  it('start is arm then go, as Record does', async () => {
    const recorder = new LiveRecorder(api(), () => undefined);
    const started = await recorder.start(options);
    expect(started.ok).toBe(true);
    expect(calls).toEqual(['main:start', 'start(250)', 'pause', 'resume']);
    expect(recorder.state).toBe('recording');
  });

  it('an armed recording can be stopped without ever going', async () => {
    const recorder = new LiveRecorder(api(), () => undefined);
    await recorder.arm(options);
    const stopped = await recorder.stop();
    expect(stopped.ok).toBe(true);
    expect(recorder.state).toBe('idle');
    expect(recorder.isArmed).toBe(false);
  });
});
