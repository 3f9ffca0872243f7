import {
  ConnectionError,
  ConnectionErrorReason,
  DisconnectReason,
  LocalAudioTrack,
  LocalVideoTrack,
  PublishTrackError,
  Room,
  RoomEvent,
  Track,
  VideoPreset,
  type VideoCodec,
} from 'livekit-client';
import type { LiveConnectInfo } from '../../../shared/ipc/contract.ts';
import {
  avatarEventsTopic,
  defaultBitrateKbps,
  type AvatarEvent,
  type LiveVideoSettings,
} from '../../../shared/live/live-settings.ts';
import { err, errorMessage, ok, type RapidoError, type Result } from '../../../shared/result.ts';

/**
 * The program on a LiveKit room: the program canvas's capture track and the program mix,
 * published as they are (no second render), plus the predecessor's `avatar_events` data
 * messages. Every room event handler is registered before connecting; start and stop are
 * serialised, so a quick Stop/Go Live never leaves two connections.
 */
export type LiveState = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'failed';

export interface LiveStats {
  /** Frames per second leaving the top layer. */
  framesPerSecond: number;
  /** All video layers and audio together. */
  bitrateKbps: number;
  rttMs: number | null;
  /** Of packets sent since the previous report, as the remote reports them lost. */
  packetLossPercent: number;
  /** WebRTC's reason the encoder is holding back: none, cpu, bandwidth, other. */
  qualityLimitation: string;
  width: number;
  height: number;
}

export interface LiveStatus {
  state: LiveState;
  /** Why it failed or is reconnecting. */
  problem: RapidoError | null;
  room: string | null;
  url: string | null;
  stats: LiveStats | null;
}

export interface LiveStartOptions {
  connect: LiveConnectInfo;
  stream: MediaStream;
  width: number;
  height: number;
  fps: number;
  video: LiveVideoSettings;
}

export function describeConnectError(error: unknown, url: string): RapidoError {
  if (error instanceof ConnectionError) {
    const reason = error.reason as ConnectionErrorReason;
    if (reason === ConnectionErrorReason.NotAllowed) {
      const status = typeof error.status === 'number' ? error.status : null;
      return {
        code: 'not-available',
        message: `The LiveKit server at ${url} refused the token${status ? ` (HTTP ${status})` : ''}: ${error.message}`,
        hint: 'The token is invalid, expired or for another server: check that the API key and secret are the ones this server was started with, or paste a fresh token.',
      };
    }
    if (reason === ConnectionErrorReason.Cancelled) {
      return { code: 'cancelled', message: 'Going live was cancelled.' };
    }
  }
  const detail = errorMessage(error);
  return {
    code: 'not-available',
    message: `Could not reach the LiveKit server at ${url}.`,
    hint: 'Check the URL (ws:// or wss://, and the port: 7880 for a local server) and that the server is running and reachable from this machine.',
    details: [detail],
  };
}

function describePublishError(error: unknown): RapidoError {
  const detail = errorMessage(error);
  const denied =
    (error instanceof PublishTrackError && (error.status === 401 || error.status === 403)) ||
    /permission|not allowed|insufficient/i.test(detail);
  return denied
    ? {
        code: 'not-available',
        message: 'The LiveKit token does not allow publishing in this room.',
        hint: 'Mint the token with canPublish and canPublishData (or enter the API key and secret, and Rapido mints its own).',
        details: [detail],
      }
    : { code: 'not-available', message: `Publishing to LiveKit failed: ${detail}` };
}

/** Simulcast layers under the top one: half and quarter size, at the program's frame rate. */
function simulcastLayers(
  width: number,
  height: number,
  fps: number,
  topKbps: number,
): VideoPreset[] {
  return [4, 2]
    .filter((divisor) => height / divisor >= 90)
    .map(
      (divisor) =>
        new VideoPreset(
          Math.round(width / divisor),
          Math.round(height / divisor),
          Math.round((topKbps * 1000) / (divisor * divisor * 0.9)),
          fps,
        ),
    );
}

export class LivePublisher {
  private room: Room | null = null;
  private videoTrack: LocalVideoTrack | null = null;
  private statusValue: LiveStatus = {
    state: 'idle',
    problem: null,
    room: null,
    url: null,
    stats: null,
  };
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private previousBytes: { atMs: number; bytes: number; packets: number; lost: number } | null =
    null;
  /** Start and stop run one after another, never interleaved. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly onStatus: (status: LiveStatus) => void,
    private readonly onStats: (stats: LiveStats) => void,
  ) {}

  get status(): LiveStatus {
    return this.statusValue;
  }

  start(options: LiveStartOptions): Promise<Result<void>> {
    const run = this.queue.then(() => this.startNow(options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  stop(): Promise<void> {
    const run = this.queue.then(() => this.stopNow());
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Sends one `avatar_events` message to everyone in the room (reliable, in order). */
  async sendEvent(event: AvatarEvent): Promise<void> {
    const room = this.room;
    if (!room || this.statusValue.state === 'idle' || this.statusValue.state === 'failed') return;
    try {
      await room.localParticipant.publishData(this.encoder.encode(JSON.stringify(event)), {
        reliable: true,
        topic: avatarEventsTopic,
      });
    } catch {
      // A message lost to a reconnect is not worth stopping the show for; the next one goes.
    }
  }

  private setStatus(change: Partial<LiveStatus>): void {
    this.statusValue = { ...this.statusValue, ...change };
    this.onStatus(this.statusValue);
  }

  private async startNow(options: LiveStartOptions): Promise<Result<void>> {
    await this.stopNow();
    const { connect } = options;
    this.setStatus({
      state: 'connecting',
      problem: null,
      room: connect.room,
      url: connect.url,
      stats: null,
    });
    const room = new Room({
      adaptiveStream: false,
      dynacast: true,
      stopLocalTrackOnUnpublish: false,
    });
    this.room = room;
    // Handlers before connect: nothing the server says during the handshake is missed.
    room
      .on(RoomEvent.Reconnecting, () =>
        this.setStatus({
          state: 'reconnecting',
          problem: {
            code: 'not-available',
            message: 'The connection to LiveKit dropped; reconnecting.',
          },
        }),
      )
      .on(RoomEvent.SignalReconnecting, () =>
        this.setStatus({
          state: 'reconnecting',
          problem: {
            code: 'not-available',
            message: 'The signalling connection dropped; reconnecting.',
          },
        }),
      )
      .on(RoomEvent.Reconnected, () => this.setStatus({ state: 'live', problem: null }))
      .on(RoomEvent.Disconnected, (reason?: DisconnectReason) => {
        if (this.room !== room) return;
        if (reason === DisconnectReason.CLIENT_INITIATED) return;
        this.stopStats();
        this.setStatus({
          state: 'failed',
          problem: {
            code: 'not-available',
            message: `Disconnected from LiveKit (${reason === undefined ? 'unknown reason' : DisconnectReason[reason]}).`,
            hint: 'Reconnecting failed; press Go Live again once the server is reachable.',
          },
        });
      });
    try {
      await room.connect(connect.url, connect.token, { autoSubscribe: false });
    } catch (error) {
      this.room = null;
      const problem = describeConnectError(error, connect.url);
      this.setStatus({ state: 'failed', problem });
      return { ok: false, error: problem };
    }
    const [programVideo] = options.stream.getVideoTracks();
    const [programAudio] = options.stream.getAudioTracks();
    if (!programVideo || !programAudio) {
      await room.disconnect(false);
      return err('internal', 'The program stream has no video or no audio track.');
    }
    const topKbps =
      options.video.maxBitrateKbps ||
      defaultBitrateKbps(options.width, options.height, options.fps);
    try {
      this.videoTrack = new LocalVideoTrack(programVideo, undefined, true);
      await room.localParticipant.publishTrack(this.videoTrack, {
        name: 'program',
        source: Track.Source.Camera,
        simulcast: options.video.simulcast,
        videoCodec: options.video.codec as VideoCodec,
        videoEncoding: { maxBitrate: topKbps * 1000, maxFramerate: options.fps },
        videoSimulcastLayers: simulcastLayers(options.width, options.height, options.fps, topKbps),
        // Slides carry text: keep resolution and drop frames when bandwidth is short.
        degradationPreference: 'maintain-resolution',
      });
      await room.localParticipant.publishTrack(new LocalAudioTrack(programAudio, undefined, true), {
        name: 'narration',
        source: Track.Source.Microphone,
        // Speech with pauses between slides: no DTX (its comfort noise is audible), RED for loss.
        dtx: false,
        red: true,
      });
    } catch (error) {
      const problem = describePublishError(error);
      await room.disconnect(false);
      this.room = null;
      this.setStatus({ state: 'failed', problem });
      return { ok: false, error: problem };
    }
    this.setStatus({ state: 'live', problem: null });
    this.startStats();
    return ok(undefined);
  }

  private async stopNow(): Promise<void> {
    this.stopStats();
    const room = this.room;
    this.room = null;
    this.videoTrack = null;
    // false: the program tracks also feed the preview and the recorder; they must live on.
    if (room) await room.disconnect(false);
    if (this.statusValue.state !== 'idle') {
      this.setStatus({ state: 'idle', problem: null, stats: null });
    }
  }

  private startStats(): void {
    this.previousBytes = null;
    this.statsTimer = setInterval(() => void this.sampleStats(), 1000);
  }

  private stopStats(): void {
    clearInterval(this.statsTimer);
    this.statsTimer = undefined;
  }

  private async sampleStats(): Promise<void> {
    const track = this.videoTrack;
    if (!track) return;
    const layers = await track.getSenderStats();
    if (layers.length === 0) return;
    const top = layers.reduce((best, layer) => (layer.frameWidth > best.frameWidth ? layer : best));
    const atMs = performance.now();
    const bytes = layers.reduce((sum, layer) => sum + (layer.bytesSent ?? 0), 0);
    const packets = layers.reduce((sum, layer) => sum + (layer.packetsSent ?? 0), 0);
    const lost = layers.reduce((sum, layer) => sum + (layer.packetsLost ?? 0), 0);
    const previous = this.previousBytes;
    this.previousBytes = { atMs, bytes, packets, lost };
    if (!previous) return;
    const seconds = Math.max(0.001, (atMs - previous.atMs) / 1000);
    const sentPackets = Math.max(0, packets - previous.packets);
    const lostPackets = Math.max(0, lost - previous.lost);
    const stats: LiveStats = {
      framesPerSecond: top.framesPerSecond,
      bitrateKbps: Math.round(((bytes - previous.bytes) * 8) / 1000 / seconds),
      rttMs: top.roundTripTime === undefined ? null : Math.round(top.roundTripTime * 1000),
      packetLossPercent:
        sentPackets + lostPackets > 0 ? (100 * lostPackets) / (sentPackets + lostPackets) : 0,
      qualityLimitation: top.qualityLimitationReason ?? 'none',
      width: top.frameWidth,
      height: top.frameHeight,
    };
    this.setStatus({ stats });
    this.onStats(stats);
  }
}
