import {
  ConnectionState,
  DisconnectReason,
  Room,
  RoomEvent,
  Track,
  type RemoteParticipant,
  type RemoteTrack,
} from 'livekit-client';
import {
  decodeCounter,
  defaultCellPx,
  patternRect,
} from '../../../shared/live/frame-counter-pattern.ts';
import type {
  SubscriberApi,
  SubscriberAudioLevel,
  SubscriberDataMessage,
  SubscriberEvent,
  SubscriberEventName,
  SubscriberFrame,
  SubscriberJoinOptions,
  SubscriberStats,
} from './subscriber-api.ts';

const audioMeterIntervalMs = 50;
/** About 43 ms at 48 kHz: one meter reading covers one interval, no more. */
const analyserFftSize = 2048;
const silenceFloorDb = -160;

function wallClockMs(highResolutionMs: number = performance.now()): number {
  return performance.timeOrigin + highResolutionMs;
}

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

interface Session {
  readonly room: Room;
  readonly cellPx: number;
  readonly audioContext: AudioContext;
  readonly analyser: AnalyserNode;
  readonly meterTimer: ReturnType<typeof setInterval>;
  readonly patternContext: CanvasRenderingContext2D;
  readonly videos: Map<string, VideoWatch>;
  readonly audios: Map<string, AudioWatch>;
}

/** What the page records; clear() empties it. */
interface Recording {
  frames: SubscriberFrame[];
  audioLevels: SubscriberAudioLevel[];
  dataMessages: SubscriberDataMessage[];
  events: SubscriberEvent[];
}

function emptyRecording(): Recording {
  return { frames: [], audioLevels: [], dataMessages: [], events: [] };
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

export function createSubscriber(): SubscriberApi {
  let session: Session | null = null;
  let recording = emptyRecording();
  const identities = new Set<string>();
  const textDecoder = new TextDecoder();

  function record(event: SubscriberEventName, detail: string): void {
    recording.events.push({ atMs: wallClockMs(), event, detail });
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

  function watchVideo(open: Session, track: RemoteTrack, participant: RemoteParticipant): void {
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
      recording.frames.push({
        receivedAtMs: wallClockMs(nowMs),
        expectedDisplayAtMs: wallClockMs(metadata.expectedDisplayTime),
        networkReceivedAtMs:
          metadata.receiveTime === undefined ? null : wallClockMs(metadata.receiveTime),
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

  function watchAudio(open: Session, track: RemoteTrack): void {
    const element = track.attach();
    element.muted = true;
    const source = open.audioContext.createMediaStreamSource(
      new MediaStream([track.mediaStreamTrack]),
    );
    source.connect(open.analyser);
    open.audios.set(trackKey(track), { source, element, track });
  }

  function unwatch(open: Session, track: RemoteTrack): void {
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

  function currentVideo(open: Session | null): SubscriberStats['video'] {
    if (!open) return null;
    const latest = [...open.videos.values()].at(-1);
    if (!latest) return null;
    return { width: latest.element.videoWidth, height: latest.element.videoHeight };
  }

  function openSession(cellPx: number): Session {
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
      recording.audioLevels.push({ atMs: wallClockMs(), rmsDb: rmsDb(samples) });
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

  /** Every handler is on before connect, so nothing the server sends on join is missed. */
  function listen(open: Session): void {
    const { room } = open;
    room
      .on(RoomEvent.TrackSubscribed, (track, _publication, participant) => {
        identities.add(participant.identity);
        record('TrackSubscribed', `${track.kind}:${participant.identity}`);
        if (track.kind === Track.Kind.Video) watchVideo(open, track, participant);
        else if (track.kind === Track.Kind.Audio) watchAudio(open, track);
      })
      .on(RoomEvent.TrackUnsubscribed, (track, _publication, participant) => {
        record('TrackUnsubscribed', `${track.kind}:${participant.identity}`);
        unwatch(open, track);
      })
      .on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => {
        if (participant) identities.add(participant.identity);
        recording.dataMessages.push({
          atMs: wallClockMs(),
          topic: topic ?? '',
          text: textDecoder.decode(payload),
          participantIdentity: participant?.identity ?? '',
        });
      })
      .on(RoomEvent.Reconnecting, () => record('Reconnecting', ''))
      .on(RoomEvent.SignalReconnecting, () => record('SignalReconnecting', ''))
      .on(RoomEvent.Reconnected, () => record('Reconnected', ''))
      .on(RoomEvent.Disconnected, (reason) => {
        record('Disconnected', reason === undefined ? '' : DisconnectReason[reason]);
      })
      .on(RoomEvent.ConnectionStateChanged, (state) => record('ConnectionStateChanged', state))
      .on(RoomEvent.ParticipantConnected, (participant) => {
        identities.add(participant.identity);
        record('ParticipantConnected', participant.identity);
      })
      .on(RoomEvent.ParticipantDisconnected, (participant) => {
        record('ParticipantDisconnected', participant.identity);
      });
  }

  async function closeSession(closing: Session): Promise<void> {
    clearInterval(closing.meterTimer);
    await closing.room.disconnect();
    for (const watch of [...closing.videos.values(), ...closing.audios.values()]) {
      unwatch(closing, watch.track);
    }
    await closing.audioContext.close();
  }

  return {
    async join(url: string, token: string, options: SubscriberJoinOptions = {}): Promise<void> {
      if (session) throw new Error('already in a room: call leave() first');
      const opening = openSession(options.cellPx ?? defaultCellPx);
      identities.clear();
      listen(opening);
      session = opening;
      try {
        await opening.audioContext.resume();
        await opening.room.connect(url, token, { autoSubscribe: true });
        for (const participant of opening.room.remoteParticipants.values()) {
          identities.add(participant.identity);
        }
      } catch (error) {
        session = null;
        await closeSession(opening);
        throw error;
      }
    },

    stats(): SubscriberStats {
      return {
        connectionState: session?.room.state ?? ConnectionState.Disconnected,
        video: currentVideo(session),
        participantIdentities: [...identities],
        frames: [...recording.frames],
        audioLevels: [...recording.audioLevels],
        dataMessages: [...recording.dataMessages],
        events: [...recording.events],
      };
    },

    clear(): void {
      recording = emptyRecording();
    },

    async leave(): Promise<void> {
      const closing = session;
      session = null;
      if (closing) await closeSession(closing);
    },
  };
}
