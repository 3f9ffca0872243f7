import { Room, type RemoteParticipant, type RemoteTrack } from 'livekit-client';
import { decodeCounter, patternRect } from '../../../src/shared/live/frame-counter-pattern.ts';
import type { SubscriberStats } from './subscriber-api.ts';
import type { SubscriberLog } from './subscriber-log.ts';

/**
 * One joined room's media on the subscriber page: each subscribed video track in its own element
 * with its frames counted and their counter pattern decoded, each audio track into one analyser
 * read by a level meter. What they observe goes to the page's SubscriberLog.
 */

const audioMeterIntervalMs = 50;
/** About 43 ms at 48 kHz: one meter reading covers one interval, no more. */
const analyserFftSize = 2048;
const silenceFloorDb = -160;

/** A subscribed video track shown in its own element, its frames counted and decoded. */
interface VideoWatch {
  readonly element: HTMLVideoElement;
  readonly track: RemoteTrack;
  stopped: boolean;
}

/** A subscribed audio track feeding the shared analyser. */
interface AudioWatch {
  readonly source: MediaStreamAudioSourceNode;
  /** Chromium only delivers remote WebRTC audio to Web Audio while an element plays it too. */
  readonly element: HTMLMediaElement;
  readonly track: RemoteTrack;
}

export interface Session {
  readonly room: Room;
  readonly cellPx: number;
  readonly audioContext: AudioContext;
  readonly analyser: AnalyserNode;
  readonly meterTimer: ReturnType<typeof setInterval>;
  readonly patternContext: CanvasRenderingContext2D;
  readonly videos: Map<string, VideoWatch>;
  readonly audios: Map<string, AudioWatch>;
}

function rmsDb(samples: Float32Array): number {
  let sumOfSquares = 0;
  for (const sample of samples) sumOfSquares += sample * sample;
  const rms = Math.sqrt(sumOfSquares / Math.max(1, samples.length));
  return rms > 0 ? Math.max(silenceFloorDb, 20 * Math.log10(rms)) : silenceFloorDb;
}

function trackKey(track: RemoteTrack): string {
  return track.sid ?? track.mediaStreamTrack.id;
}

function readCounter(open: Session, element: HTMLVideoElement): number | null {
  const rect = patternRect(open.cellPx);
  if (element.videoWidth < rect.width || element.videoHeight < rect.height) return null;
  open.patternContext.drawImage(
    element,
    0,
    0,
    rect.width,
    rect.height,
    0,
    0,
    rect.width,
    rect.height,
  );
  const pixels = open.patternContext.getImageData(0, 0, rect.width, rect.height);
  return decodeCounter(pixels.data, rect.width, open.cellPx);
}

export function watchVideo(
  log: SubscriberLog,
  open: Session,
  track: RemoteTrack,
  participant: RemoteParticipant,
): void {
  const element = document.createElement('video');
  element.muted = true;
  element.autoplay = true;
  element.playsInline = true;
  // In the DOM and visible: Chromium stops presenting frames of detached or hidden videos.
  document.body.append(element);
  track.attach(element);
  const watch: VideoWatch = { element, track, stopped: false };
  const onFrame = (nowMs: number, metadata: VideoFrameCallbackMetadata): void => {
    if (watch.stopped) return;
    log.recording.frames.push({
      receivedAtMs: log.wallClockMs(nowMs),
      expectedDisplayAtMs: log.wallClockMs(metadata.expectedDisplayTime),
      networkReceivedAtMs:
        metadata.receiveTime === undefined ? null : log.wallClockMs(metadata.receiveTime),
      width: metadata.width,
      height: metadata.height,
      counter: readCounter(open, element),
      participantIdentity: participant.identity,
    });
    element.requestVideoFrameCallback(onFrame);
  };
  element.requestVideoFrameCallback(onFrame);
  open.videos.set(trackKey(track), watch);
}

export function watchAudio(open: Session, track: RemoteTrack): void {
  const element = track.attach();
  element.muted = true;
  const source = open.audioContext.createMediaStreamSource(
    new MediaStream([track.mediaStreamTrack]),
  );
  source.connect(open.analyser);
  open.audios.set(trackKey(track), { source, element, track });
}

export function unwatch(open: Session, track: RemoteTrack): void {
  const key = trackKey(track);
  const video = open.videos.get(key);
  if (video) {
    video.stopped = true;
    video.track.detach(video.element);
    video.element.remove();
    open.videos.delete(key);
  }
  const audio = open.audios.get(key);
  if (audio) {
    audio.source.disconnect();
    audio.track.detach(audio.element);
    audio.element.remove();
    open.audios.delete(key);
  }
}

export function currentVideo(open: Session | null): SubscriberStats['video'] {
  if (!open) return null;
  const latest = [...open.videos.values()].at(-1);
  if (!latest) return null;
  return { width: latest.element.videoWidth, height: latest.element.videoHeight };
}

/** The room, the audio graph and the pattern reader for one join; nothing connected yet. */
export function openSession(log: SubscriberLog, cellPx: number): Session {
  const room = new Room({ adaptiveStream: false, dynacast: false });
  const audioContext = new AudioContext();
  const analyser = audioContext.createAnalyser();
  analyser.fftSize = analyserFftSize;
  const samples = new Float32Array(analyser.fftSize);
  const rect = patternRect(cellPx);
  const patternCanvas = document.createElement('canvas');
  patternCanvas.width = rect.width;
  patternCanvas.height = rect.height;
  const patternContext = patternCanvas.getContext('2d', { willReadFrequently: true });
  if (!patternContext) throw new Error('2D canvas is not available');
  const audios = new Map<string, AudioWatch>();
  const meterTimer = setInterval(() => {
    if (audios.size === 0) return;
    analyser.getFloatTimeDomainData(samples);
    log.recording.audioLevels.push({ atMs: log.wallClockMs(), rmsDb: rmsDb(samples) });
  }, audioMeterIntervalMs);
  return {
    room,
    cellPx,
    audioContext,
    analyser,
    meterTimer,
    patternContext,
    videos: new Map(),
    audios,
  };
}

export async function closeSession(closing: Session): Promise<void> {
  clearInterval(closing.meterTimer);
  await closing.room.disconnect();
  for (const watch of [...closing.videos.values(), ...closing.audios.values()]) {
    unwatch(closing, watch.track);
  }
  await closing.audioContext.close();
}
