import { ConnectionState, Room, Track, VideoPresets } from 'livekit-client';
import {
  counterCells,
  counterModulo,
  defaultCellPx,
} from '../../../src/shared/live/frame-counter-pattern.ts';
import { wallClockMs } from '../../../src/shared/time/wall-clock.ts';
import type {
  PatternPublishOptions,
  PublishedFrame,
  TestPublisher,
  TestPublisherStats,
} from './subscriber-api.ts';

const toneFrequencyHz = 440;
/** Amplitude 0.5: RMS about -9 dBFS, far from both the loud and the quiet thresholds. */
const toneGain = 0.5;
const toneToggleMs = 1000;
/** Tone switches are scheduled on the audio clock this far ahead, topped up every second. */
const toneScheduleAheadS = 5;

interface Publishing {
  readonly room: Room;
  readonly canvas: HTMLCanvasElement;
  readonly audioContext: AudioContext;
  readonly mediaTracks: readonly MediaStreamTrack[];
  drawTimer: ReturnType<typeof setTimeout> | undefined;
  toneTimer: ReturnType<typeof setInterval> | undefined;
  stopped: boolean;
}

function drawFrame(
  context: CanvasRenderingContext2D,
  options: PatternPublishOptions,
  cellPx: number,
  counter: number,
): void {
  const { width, height } = options;
  context.fillStyle = '#3a4a5a';
  context.fillRect(0, 0, width, height);
  // Something moving, so the encoder sees motion as it would with a real picture.
  context.fillStyle = '#d0a040';
  const barWidth = Math.max(8, Math.round(width / 16));
  context.fillRect(((counter * 4) % (width + barWidth)) - barWidth, cellPx * 2, barWidth, height);
  // The number itself, for a person looking at a screenshot.
  context.fillStyle = '#ffffff';
  context.font = `${Math.round(height / 5)}px sans-serif`;
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  context.fillText(String(counter), width / 2, height / 2);
  counterCells(counter).forEach((isWhite, cell) => {
    context.fillStyle = isWhite ? '#ffffff' : '#000000';
    context.fillRect(cell * cellPx, 0, cellPx, cellPx);
  });
}

function isCanvasCaptureTrack(
  track: MediaStreamTrack | undefined,
): track is CanvasCaptureMediaStreamTrack {
  return track !== undefined && 'requestFrame' in track;
}

export function createTestPublisher(): TestPublisher {
  let publishing: Publishing | null = null;
  let frames: PublishedFrame[] = [];
  let toneStartedAtMs: number | null = null;

  /** One counter value per frame, paced on the wall clock; late frames are skipped, not bunched. */
  function startDrawing(
    open: Publishing,
    context: CanvasRenderingContext2D,
    track: CanvasCaptureMediaStreamTrack,
    options: PatternPublishOptions,
    cellPx: number,
  ): void {
    const intervalMs = 1000 / options.fps;
    const startMs = performance.now();
    let frameIndex = 0;
    let counter = 0;
    const tick = (): void => {
      if (open.stopped) return;
      drawFrame(context, options, cellPx, counter);
      track.requestFrame();
      frames.push({ counter, publishedAtMs: wallClockMs() });
      counter = (counter + 1) % counterModulo;
      frameIndex = Math.max(frameIndex + 1, Math.floor((performance.now() - startMs) / intervalMs));
      open.drawTimer = setTimeout(
        tick,
        Math.max(0, startMs + frameIndex * intervalMs - performance.now()),
      );
    };
    tick();
  }

  /** On for one second, off for the next, switched sample-accurately on the audio clock. */
  function startTone(open: Publishing, gain: GainNode): void {
    const { audioContext } = open;
    const toggleS = toneToggleMs / 1000;
    const firstS = audioContext.currentTime + 0.1;
    toneStartedAtMs = wallClockMs() + (firstS - audioContext.currentTime) * 1000;
    gain.gain.setValueAtTime(0, audioContext.currentTime);
    let nextToggle = 0;
    const scheduleAhead = (): void => {
      while (firstS + nextToggle * toggleS < audioContext.currentTime + toneScheduleAheadS) {
        gain.gain.setValueAtTime(
          nextToggle % 2 === 0 ? toneGain : 0,
          firstS + nextToggle * toggleS,
        );
        nextToggle += 1;
      }
    };
    scheduleAhead();
    open.toneTimer = setInterval(scheduleAhead, toneToggleMs);
  }

  async function stopPublishing(closing: Publishing): Promise<void> {
    closing.stopped = true;
    clearTimeout(closing.drawTimer);
    clearInterval(closing.toneTimer);
    await closing.room.disconnect();
    for (const track of closing.mediaTracks) track.stop();
    closing.canvas.remove();
    await closing.audioContext.close();
  }

  return {
    async publishPattern(
      url: string,
      token: string,
      options: PatternPublishOptions,
    ): Promise<void> {
      if (publishing) throw new Error('already publishing: call stop() first');
      const cellPx = options.cellPx ?? defaultCellPx;
      const canvas = document.createElement('canvas');
      canvas.width = options.width;
      canvas.height = options.height;
      // Attached: a detached canvas captures only a few frames a second.
      document.body.append(canvas);
      const context = canvas.getContext('2d');
      if (!context) throw new Error('2D canvas is not available');
      // captureStream(0): a frame exactly when requestFrame() is called, one per counter value.
      const videoTrack = canvas.captureStream(0).getVideoTracks()[0];
      if (!isCanvasCaptureTrack(videoTrack)) throw new Error('canvas capture is not available');
      const audioContext = new AudioContext();
      const oscillator = new OscillatorNode(audioContext, { frequency: toneFrequencyHz });
      const gain = new GainNode(audioContext, { gain: 0 });
      const destination = audioContext.createMediaStreamDestination();
      oscillator.connect(gain).connect(destination);
      const audioTrack = destination.stream.getAudioTracks()[0];
      if (!audioTrack) throw new Error('no audio track from MediaStreamDestination');
      const room = new Room({ dynacast: false });
      const open: Publishing = {
        room,
        canvas,
        audioContext,
        mediaTracks: [videoTrack, audioTrack],
        drawTimer: undefined,
        toneTimer: undefined,
        stopped: false,
      };
      publishing = open;
      frames = [];
      toneStartedAtMs = null;
      try {
        await audioContext.resume();
        oscillator.start();
        await room.connect(url, token);
        startDrawing(open, context, videoTrack, options, cellPx);
        startTone(open, gain);
        await room.localParticipant.publishTrack(videoTrack, {
          name: 'pattern',
          source: Track.Source.Camera,
          // One layer at the full size: the subscriber checks the size and reads the pattern.
          simulcast: false,
          videoCodec: 'vp8',
          videoEncoding: { ...VideoPresets.h360.encoding, maxFramerate: options.fps },
          // The software encoder would otherwise shrink the picture when the CPU is busy.
          degradationPreference: 'maintain-resolution',
        });
        await room.localParticipant.publishTrack(audioTrack, {
          name: 'tone',
          source: Track.Source.Microphone,
          // Silence must stay silence (no comfort noise), so quiet windows measure quiet.
          dtx: false,
          red: false,
        });
      } catch (error) {
        publishing = null;
        await stopPublishing(open);
        throw error;
      }
    },

    async sendData(topic: string, text: string): Promise<void> {
      if (!publishing) throw new Error('not in a room: call publishPattern() first');
      await publishing.room.localParticipant.publishData(new TextEncoder().encode(text), {
        reliable: true,
        topic,
      });
    },

    stats(): TestPublisherStats {
      return {
        connectionState: publishing?.room.state ?? ConnectionState.Disconnected,
        frames: [...frames],
        toneStartedAtMs,
        toneToggleMs,
      };
    },

    async stop(): Promise<void> {
      const closing = publishing;
      publishing = null;
      if (closing) await stopPublishing(closing);
    },
  };
}
