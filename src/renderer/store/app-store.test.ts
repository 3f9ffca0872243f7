import { beforeEach, describe, expect, it } from 'vitest';
import { createAppStore, initialPlayback } from './app-store.ts';

let store = createAppStore();
beforeEach(() => {
  store = createAppStore();
});

describe('app store', () => {
  it('keeps at most four notices, newest last', () => {
    for (let i = 0; i < 6; i += 1) store.getState().pushInfo(`n${i}`);
    expect(store.getState().notices.map((n) => n.error.message)).toEqual(['n2', 'n3', 'n4', 'n5']);
    const first = store.getState().notices[0]!;
    store.getState().dismiss(first.id);
    expect(store.getState().notices).toHaveLength(3);
  });

  it('resets playback when a lesson opens and takes the recording folder from launch', () => {
    store.getState().setPlayback({ ...initialPlayback, slideIndex: 3, playState: 'playing' });
    store.getState().setLaunch({
      host: 'headless',
      version: '0',
      mode: 'interactive',
      lessonDir: null,
      render: null,
      defaultRecordingDir: '/videos',
      canPickFolders: false,
      slideFramesPath: null,
    });
    expect(store.getState().recordingDir).toBe('/videos');
    store.getState().setLesson('/l', {
      schemaVersion: 1,
      id: 'l',
      title: 'L',
      output: { width: 640, height: 360, fps: 25 },
      voice: { provider: 'offline', voice: 'en-us', rateWpm: 165, pitch: 50 },
      avatar: {
        provider: 'local',
        keyColor: '#00b140',
        chromaKey: { similarity: 0.4, smoothness: 0.08, spill: 0.1 },
        placement: { x: 0.6, y: 0.4, width: 0.3, height: 0.5 },
      },
      captions: { burnIn: false },
      slides: [{ id: 's', image: 'a.png', narration: 'x', holdMs: 0, notes: '' }],
    });
    expect(store.getState().playback).toEqual(initialPlayback);
  });
});
