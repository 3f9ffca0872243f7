import { ConnectionState, DisconnectReason, RoomEvent, Track } from 'livekit-client';
import { defaultCellPx } from '../../../src/shared/live/frame-counter-pattern.ts';
import type { SubscriberApi, SubscriberJoinOptions, SubscriberStats } from './subscriber-api.ts';
import { SubscriberLog } from './subscriber-log.ts';
import {
  closeSession,
  currentVideo,
  openSession,
  unwatch,
  watchAudio,
  watchVideo,
  type Session,
} from './subscriber-session.ts';

const textDecoder = new TextDecoder();

/** Every handler is on before connect, so nothing the server sends on join is missed. */
function listen(log: SubscriberLog, open: Session): void {
  const { room } = open;
  room
    .on(RoomEvent.TrackSubscribed, (track, _publication, participant) => {
      log.identities.add(participant.identity);
      log.record('TrackSubscribed', `${track.kind}:${participant.identity}`);
      if (track.kind === Track.Kind.Video) watchVideo(log, open, track, participant);
      else if (track.kind === Track.Kind.Audio) watchAudio(open, track);
    })
    .on(RoomEvent.TrackUnsubscribed, (track, _publication, participant) => {
      log.record('TrackUnsubscribed', `${track.kind}:${participant.identity}`);
      unwatch(open, track);
    })
    .on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => {
      if (participant) log.identities.add(participant.identity);
      log.recording.dataMessages.push({
        atMs: log.wallClockMs(),
        topic: topic ?? '',
        text: textDecoder.decode(payload),
        participantIdentity: participant?.identity ?? '',
      });
    })
    .on(RoomEvent.Reconnecting, () => log.record('Reconnecting', ''))
    .on(RoomEvent.SignalReconnecting, () => log.record('SignalReconnecting', ''))
    .on(RoomEvent.Reconnected, () => log.record('Reconnected', ''))
    .on(RoomEvent.Disconnected, (reason) => {
      log.record('Disconnected', reason === undefined ? '' : DisconnectReason[reason]);
    })
    .on(RoomEvent.ConnectionStateChanged, (state) => log.record('ConnectionStateChanged', state))
    .on(RoomEvent.ParticipantConnected, (participant) => {
      log.identities.add(participant.identity);
      log.record('ParticipantConnected', participant.identity);
    })
    .on(RoomEvent.ParticipantDisconnected, (participant) => {
      log.record('ParticipantDisconnected', participant.identity);
    });
}

/** `window.subscriberApi`: joins a room as a viewer would and records what arrives. */
export function createSubscriber(): SubscriberApi {
  let session: Session | null = null;
  const log = new SubscriberLog();
  return {
    async join(url: string, token: string, options: SubscriberJoinOptions = {}): Promise<void> {
      if (session) throw new Error('already in a room: call leave() first');
      const opening = openSession(log, options.cellPx ?? defaultCellPx);
      log.identities.clear();
      listen(log, opening);
      session = opening;
      try {
        await opening.audioContext.resume();
        await opening.room.connect(url, token, { autoSubscribe: true });
        for (const participant of opening.room.remoteParticipants.values()) {
          log.identities.add(participant.identity);
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
        participantIdentities: [...log.identities],
        frames: [...log.recording.frames],
        audioLevels: [...log.recording.audioLevels],
        dataMessages: [...log.recording.dataMessages],
        events: [...log.recording.events],
      };
    },

    clear(): void {
      log.clear();
    },

    async leave(): Promise<void> {
      const closing = session;
      session = null;
      if (closing) await closeSession(closing);
    },
  };
}
