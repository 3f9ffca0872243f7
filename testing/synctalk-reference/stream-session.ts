import type { RawData, WebSocket } from 'ws';
import { encodeFrameMessage } from '../../src/shared/synctalk/frame-message.ts';
import { FramePainter } from './frame-painter.ts';
import { int16ToBytes } from './pcm.ts';
import { AudioIntake, samplesPerFrame } from './audio-intake.ts';
import type { FaultSettings, ReferenceAvatar } from './server-state.ts';
import { inputDryMs, LatencyTest, lookaheadFrames } from './latency-test.ts';
import { Deque, equalBytes, rawDataToBytes } from './timeline.ts';

/**
 * One accepted WebSocket = one stream, as on the real server. Audio comes in, is resampled to
 * 16 kHz and cut into 40 ms frames in batches; a paced generator emits speech frames, markers and
 * idle frames into a 13-item send queue; a sender writes one message at a time so a client that
 * stops reading stops the generator instead of growing a buffer.
 */

export { outputSampleRateHz, samplesPerFrame } from './audio-intake.ts';
export const sendQueueCapacity = 13;
/** The real server flushes pending audio when its input queue runs dry; this is our "dry". */
const quietFlushMs = 250;
/** Frame intervals are 40 ms plus 0..5 ms deterministic jitter: about 23.5 fps on average. */
const nominalIntervalMs = 40;
const jitterRangeMs = 5;
/**
 * The real server adds silence in batches of at least MIN_SILENCE_FRAMES = 5 (api.py,
 * `_process_stream_iteration_threaded`): quirks 4 and 5 use that batch.
 */
const silenceBatchFrames = 5;

const startMarkerBytes = new TextEncoder().encode('start_of_stream');
const endMarkerBytes = new TextEncoder().encode('end_of_stream');
const startSpeechMessage = encodeFrameMessage({ start_speech: true });
const endSpeechMessage = encodeFrameMessage({ end_speech: true });

export interface SessionInfo {
  streamId: string;
  avatarName: string;
  modelName: string;
  startTime: Date;
  lastActivity: Date;
  sampleRateHz: number;
  backgroundUrl: string | null;
  clientInfo: { user_agent: string; remote_addr: string; avatar_requested: string };
}

export interface SessionHooks {
  faults(): FaultSettings;
  log(line: string): void;
  clockMs(): number;
  onAudioBytes(byteCount: number): void;
  onFrameSent(): void;
  onUtteranceStarted(): void;
  onClosed(): void;
}

/** `silent`: a frame of appended silence inside an utterance (quirk 5), not the client's audio. */
type SpeechItem = { kind: 'speech'; samples: Int16Array; availableAtMs: number; silent: boolean };
/** `stale`: quirk 4, start_speech goes out with the next frame whatever it is. */
type TimelineItem = SpeechItem | { kind: 'start'; stale: boolean } | { kind: 'end' };

type OutgoingItem =
  { kind: 'frame'; samples: Int16Array | null } | { kind: 'marker'; marker: 'start' | 'end' };

type GeneratorState = 'waiting-for-audio' | 'running' | 'stopped';

export class StreamSession {
  readonly info: SessionInfo;
  private readonly socket: WebSocket;
  private readonly hooks: SessionHooks;
  private readonly painter: FramePainter;
  private idleMessage: Uint8Array;
  /** Quirk 6: frames wait for the background; null when the server does not key. */
  private keying: 'none' | 'loading' | 'ready';
  private readonly intake: AudioIntake;
  private readonly shortId: string;

  private generator: GeneratorState = 'waiting-for-audio';
  private socketClosed = false;

  private quietTimer: NodeJS.Timeout | null = null;

  private readonly timeline = new Deque<TimelineItem>();
  private awaitingFirstFrame = true;
  private lastAvailableAtMs = -Infinity;

  private nextDueMs = 0;
  private lastEmitAtMs = -Infinity;
  private jitterState = 0x5eed;
  private wakeTimer: NodeJS.Timeout | null = null;

  /** Idle frames start once speech has gone out: before that the real generator only waits. */
  private idleAllowed = false;
  private utteranceCount = 0;
  private utteranceFramesEmitted = 0;
  private stalledThisUtterance = false;
  private stallUntilMs = -Infinity;

  private readonly latencyTest = new LatencyTest();
  private crashTimer: NodeJS.Timeout | null = null;
  /** Client speech frames made and emitted on this socket (appended silence excluded). */
  private speechFramed = 0;
  private speechEmitted = 0;
  private framedThisUtterance = 0;
  /** Quirk 4: idle frames still due between a stale start_speech and the utterance's speech. */
  private idleFramesBeforeSpeech = 0;
  /** start_speech sent and end_speech not yet: frames sent now are part of the utterance. */
  private inOutputUtterance = false;
  private endOfStreamReceived = false;
  /** Quirk 5: appended silent frames not yet sent. */
  private silentFramesQueued = 0;

  private readonly sendQueue: OutgoingItem[] = [];
  private sendInFlight = false;
  private framesSentOnSocket = 0;

  constructor(
    socket: WebSocket,
    avatar: ReferenceAvatar,
    info: SessionInfo,
    hooks: SessionHooks,
    background: Promise<Uint8Array> | null = null,
  ) {
    this.socket = socket;
    this.info = info;
    this.hooks = hooks;
    this.shortId = info.streamId.slice(0, 8);
    this.painter = new FramePainter(avatar.width, avatar.height, avatar.keyColor);
    this.idleMessage = this.encodeIdle();
    this.keying = background ? 'loading' : 'none';
    // stream_manager.py create_stream awaits the chroma-key set-up before the generator starts.
    void background?.then((image) => {
      this.painter.keyOnto(image);
      this.idleMessage = this.encodeIdle();
      this.keying = 'ready';
      this.tick();
    });
    this.intake = new AudioIntake(info.sampleRateHz, (samples) => {
      this.pushSpeech(samples);
    });
    socket.on('message', (data, isBinary) => {
      this.onMessage(data, isBinary);
    });
    socket.on('close', (code, reason) => {
      this.onSocketClosed(code, reason.toString());
    });
    // A reset connection also emits 'close'; without a listener 'error' would crash the server.
    socket.on('error', (error) => {
      this.hooks.log(`stream ${this.shortId}: socket error: ${error.message}`);
    });
  }

  get framesSent(): number {
    return this.framesSentOnSocket;
  }

  /** What /streams/{id} reports as has_chroma_key. */
  get hasChromaKey(): boolean {
    return this.keying !== 'none';
  }

  private encodeIdle(): Uint8Array {
    return encodeFrameMessage({
      video_bytes: this.painter.paint(new Int16Array(samplesPerFrame)),
      audio_bytes: new Uint8Array(samplesPerFrame * 2),
    });
  }

  /** Server shutdown: like uvicorn, a final end_speech then close code 1012. */
  shutdown(): void {
    this.abort(1012, 'Server shutting down');
  }

  terminate(): void {
    this.socket.terminate();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.info.lastActivity = new Date();
    if (!isBinary) {
      // Starlette's receive_bytes() fails on a text frame and the real endpoint tears the
      // stream down; we make that explicit with 1011 (see README).
      this.hooks.log(`stream ${this.shortId}: text frame received, closing with 1011`);
      this.abort(1011, "Server error: text frame received, expected binary ('bytes')");
      return;
    }
    const bytes = rawDataToBytes(data);
    const nowMs = this.hooks.clockMs();
    if (equalBytes(bytes, startMarkerBytes)) {
      this.latencyTest.onInput(nowMs, false);
      this.onStartMarker();
    } else if (equalBytes(bytes, endMarkerBytes)) {
      this.latencyTest.onInput(nowMs, false);
      this.onEndMarker();
    } else if (bytes.length > 0) {
      this.latencyTest.onInput(nowMs, true);
      this.onAudio(bytes);
    }
  }

  private onAudio(bytes: Uint8Array): void {
    this.hooks.onAudioBytes(bytes.length);
    if (this.generator === 'stopped') return;
    if (this.generator === 'waiting-for-audio') {
      // Nothing is produced before the first real audio chunk; the pacing clock starts here.
      this.generator = 'running';
      this.nextDueMs = this.hooks.clockMs();
    }
    this.intake.push(bytes);
    this.latencyTest.afterAudio(this.speechFramed, this.speechFramed - this.speechEmitted);
    this.restartQuietTimer();
    this.tick();
  }

  private onStartMarker(): void {
    if (this.generator === 'stopped') return;
    this.intake.flush();
    // Quirk 4 (api.py `_process_audio_input`): the start boundary is `next_frame_for_audio`, which
    // only audio chunks move, so after idle (silence) frames it is already behind the output.
    const stale = this.hooks.faults().staleStartSpeech && this.idleAllowed;
    this.timeline.push({ kind: 'start', stale });
    this.framedThisUtterance = 0;
    this.endOfStreamReceived = false;
    this.awaitingFirstFrame = true;
    this.utteranceCount++;
    this.hooks.onUtteranceStarted();
    this.hooks.log(`stream ${this.shortId}: utterance ${this.utteranceCount} start_of_stream`);
    this.tick();
  }

  private onEndMarker(): void {
    if (this.generator === 'stopped') return;
    this.endOfStreamReceived = true;
    this.placeEndMarker();
    this.hooks.log(`stream ${this.shortId}: utterance ${this.utteranceCount} end_of_stream`);
    this.tick();
  }

  /**
   * The real end boundary is `get_max_encodable_frame() + 1` when end_of_stream is read (api.py
   * `_process_audio_input`): audio still below the batching threshold is not encodable yet
   * (quirk 3 when that is the whole utterance), and the mel window holds back the last 5 frames
   * of what is (quirk 2). Those frames follow end_speech.
   */
  private placeEndMarker(): void {
    const faults = this.hooks.faults();
    const neverBatched = this.framedThisUtterance === 0 && this.intake.pendingSamples > 0;
    const endFirst = neverBatched ? faults.shortUtteranceNoVideo : faults.endSpeechBeforeTail;
    if (!endFirst) {
      this.intake.flush();
      this.timeline.push({ kind: 'end' });
      return;
    }
    let held = 0;
    while (held < lookaheadFrames && this.timeline.fromEnd(held)?.kind === 'speech') held++;
    this.timeline.insertBeforeLast(held, { kind: 'end' });
    this.intake.flush();
  }

  private pushSpeech(samples: Int16Array): void {
    const nowMs = this.hooks.clockMs();
    const delayMs = this.awaitingFirstFrame ? this.hooks.faults().firstFrameDelayMs : 0;
    this.awaitingFirstFrame = false;
    // Quirk 5: a server slower than real time makes one frame per 1/generationFps.
    const { generationFps } = this.hooks.faults();
    const costMs = generationFps === null ? 0 : 1000 / generationFps;
    const availableAtMs = Math.max(this.lastAvailableAtMs + costMs, nowMs + delayMs);
    this.lastAvailableAtMs = availableAtMs;
    this.timeline.push({ kind: 'speech', samples, availableAtMs, silent: false });
    this.speechFramed++;
    this.framedThisUtterance++;
  }

  private restartQuietTimer(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => {
      this.quietTimer = null;
      if (this.generator !== 'running') return;
      this.latencyTest.onDry();
      this.intake.frameWhole();
      this.tick();
    }, quietFlushMs);
  }

  /**
   * The generator: emits whatever is due. The pacing clock advances one jittered interval per
   * frame emitted, so while nothing can be emitted (a stall, a full send queue) it falls behind
   * and the frames after it go out in a burst at `burstFps` until it has caught up.
   */
  private tick(): void {
    if (this.generator !== 'running' || this.socketClosed || this.keying === 'loading') return;
    this.clearWakeTimer();
    const faults = this.hooks.faults();
    for (;;) {
      if (this.sendQueue.length >= sendQueueCapacity) return; // the sender resumes us
      const nowMs = this.hooks.clockMs();
      if (nowMs < this.stallUntilMs) {
        this.wakeAt(this.stallUntilMs);
        return;
      }
      const head = this.timeline.peek(0);
      if (head?.kind === 'end') {
        if (!this.emitMarker('end')) return;
        this.timeline.shift();
        this.hooks.log(
          `stream ${this.shortId}: end_speech after ${this.utteranceFramesEmitted} frames`,
        );
        if (faults.generatorStopsAtEndOfStream) {
          this.stopGenerator();
          return;
        }
        continue;
      }
      let speech: SpeechItem | undefined;
      let startMarkerFirst = false;
      if (head?.kind === 'start') {
        const next = this.timeline.peek(1);
        if (head.stale || (next !== undefined && next.kind !== 'speech')) {
          // A stale start goes out at once; an utterance without audio needs no frame.
          if (!this.emitMarker('start')) return;
          this.timeline.shift();
          if (head.stale) this.idleFramesBeforeSpeech = silenceBatchFrames;
          continue;
        }
        speech = next;
        startMarkerFirst = true;
      } else if (head?.kind === 'speech') {
        speech = head;
      }
      const speechReady =
        speech !== undefined && speech.availableAtMs <= nowMs && this.idleFramesBeforeSpeech === 0;
      if (!speechReady && this.slowInsideUtterance(faults, startMarkerFirst)) {
        // Quirk 5: the real yield thread has nothing to send and skips the slot; the processing
        // thread appends silence while its input is dry and the utterance is still coming.
        if (this.shouldAppendSilence(nowMs)) this.appendSilence(faults);
        const first = this.timeline.peek(0);
        if (first?.kind === 'speech') this.wakeAt(first.availableAtMs);
        else if (!this.endOfStreamReceived) this.wakeAt(nowMs + inputDryMs);
        return;
      }
      if (speechReady && this.shouldStallBeforeNextFrame(faults)) {
        this.stalledThisUtterance = true;
        this.stallUntilMs = nowMs + faults.stallMs;
        this.hooks.log(
          `stream ${this.shortId}: stalling ${faults.stallMs} ms after ${this.utteranceFramesEmitted} frames`,
        );
        continue;
      }
      if (!speechReady && !this.idleAllowed) {
        if (speech !== undefined) this.wakeAt(speech.availableAtMs);
        return;
      }
      const earliestMs = Math.max(this.nextDueMs, this.lastEmitAtMs + 1000 / faults.burstFps);
      if (nowMs < earliestMs) {
        this.wakeAt(earliestMs);
        return;
      }
      // The nominal instant this frame went out, so timer lateness does not slow a burst down;
      // never more than one burst interval in the past, so no catch-up beats burstFps.
      const burstIntervalMs = 1000 / faults.burstFps;
      let emitAtMs = Math.max(earliestMs, this.stallUntilMs, nowMs - burstIntervalMs);
      if (speech !== undefined && speechReady) {
        emitAtMs = Math.max(emitAtMs, speech.availableAtMs);
        if (startMarkerFirst) {
          if (!this.emitMarker('start')) return;
          this.timeline.shift();
        }
        this.timeline.shift();
        this.emitSpeech(speech);
      } else {
        // Nothing of an utterance is ready: the avatar idles with silent audio.
        this.latencyTest.onFrame(null);
        if (this.idleFramesBeforeSpeech > 0) this.idleFramesBeforeSpeech--;
        this.enqueue({ kind: 'frame', samples: null });
      }
      this.lastEmitAtMs = emitAtMs;
      this.nextDueMs += this.nextIntervalMs();
    }
  }

  private emitSpeech(speech: SpeechItem): void {
    if (speech.silent) {
      this.silentFramesQueued--;
      this.latencyTest.onFrame(null);
      this.enqueue({ kind: 'frame', samples: null });
    } else {
      this.latencyTest.onFrame(this.speechEmitted);
      this.speechEmitted++;
      this.enqueue({ kind: 'frame', samples: speech.samples });
    }
    this.utteranceFramesEmitted++;
    this.idleAllowed = true;
  }

  /**
   * Sends a marker, unless quirk 1 kills the stream: a marker yielded while the latency test is
   * armed raises TypeError in the real yielding thread. Returns false when the stream died.
   */
  private emitMarker(marker: 'start' | 'end'): boolean {
    const faults = this.hooks.faults();
    if (faults.markerCrash && this.latencyTest.armed) {
      this.crash(marker, faults.markerCrashCleanupMs);
      return false;
    }
    this.enqueue({ kind: 'marker', marker });
    if (marker === 'start') {
      this.utteranceFramesEmitted = 0;
      this.stalledThisUtterance = false;
      this.inOutputUtterance = true;
    } else {
      this.inOutputUtterance = false;
    }
    return true;
  }

  /**
   * Quirk 1: generation stops; what is already queued still goes out, then nothing until the
   * cleanup's final end_speech. The socket stays open; later audio and markers are ignored.
   */
  private crash(marker: 'start' | 'end', cleanupMs: number): void {
    const name = marker === 'start' ? 'start_speech' : 'end_speech';
    this.hooks.log(
      `stream ${this.shortId}: ${name} during a latency test: TypeError ` +
        `('>=' not supported between 'NoneType' and 'int'), generation stops`,
    );
    this.generator = 'stopped';
    this.clearTimers();
    this.crashTimer = setTimeout(() => {
      this.crashTimer = null;
      this.hooks.log(`stream ${this.shortId}: generator cleaned up, final end_speech`);
      this.enqueue({ kind: 'marker', marker: 'end' });
    }, cleanupMs);
  }

  /** Quirk 5 applies while a slow server (generationFps set) is inside an utterance. */
  private slowInsideUtterance(faults: FaultSettings, startPending: boolean): boolean {
    // The idle frames of a stale start (quirk 4) were generated before: they still go out.
    return (
      faults.generationFps !== null &&
      this.inOutputUtterance &&
      !startPending &&
      this.idleFramesBeforeSpeech === 0
    );
  }

  /**
   * api.py `_generate_frames_at_rate` ("Hybrid": audio frames available but the yield buffer is
   * critical) and the burst refill's `should_generate_silence`: in temporary silence (input dry)
   * the server appends at least MIN_SILENCE_FRAMES of silence to the stream's audio, after what it
   * has processed and before the audio still to come; it does so again only once the yield buffer
   * is critical again, i.e. once that silence has gone out.
   */
  private shouldAppendSilence(nowMs: number): boolean {
    return (
      !this.endOfStreamReceived &&
      this.silentFramesQueued === 0 &&
      this.latencyTest.isDry(nowMs) &&
      this.timeline.fromEnd(0)?.kind !== 'end'
    );
  }

  /** The silent frames cost the generator as much as speech frames; later audio comes after. */
  private appendSilence(faults: FaultSettings): void {
    const costMs = faults.generationFps === null ? 0 : 1000 / faults.generationFps;
    const nowMs = this.hooks.clockMs();
    for (let index = 0; index < silenceBatchFrames; index++) {
      this.lastAvailableAtMs = Math.max(this.lastAvailableAtMs + costMs, nowMs);
      this.timeline.push({
        kind: 'speech',
        samples: new Int16Array(samplesPerFrame),
        availableAtMs: this.lastAvailableAtMs,
        silent: true,
      });
    }
    this.silentFramesQueued += silenceBatchFrames;
    this.hooks.log(
      `stream ${this.shortId}: ${silenceBatchFrames} silent frames appended after ${this.utteranceFramesEmitted} frames`,
    );
  }

  private shouldStallBeforeNextFrame(faults: FaultSettings): boolean {
    return (
      faults.stallAfterFrames !== null &&
      faults.stallMs > 0 &&
      !this.stalledThisUtterance &&
      this.utteranceFramesEmitted >= faults.stallAfterFrames
    );
  }

  /** Deterministic jitter (mulberry32), so runs are repeatable. */
  private nextIntervalMs(): number {
    this.jitterState = (this.jitterState + 0x6d2b79f5) | 0;
    let mixed = Math.imul(this.jitterState ^ (this.jitterState >>> 15), 1 | this.jitterState);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    const unit = ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
    return nominalIntervalMs + unit * jitterRangeMs;
  }

  private wakeAt(atMs: number): void {
    this.clearWakeTimer();
    const delayMs = Math.max(0, atMs - this.hooks.clockMs());
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.tick();
    }, Math.ceil(delayMs));
  }

  private clearWakeTimer(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
  }

  private enqueue(item: OutgoingItem): void {
    this.sendQueue.push(item);
    this.pump();
  }

  /** One unflushed write at a time: back-pressure reaches the generator through the queue. */
  private pump(): void {
    if (this.sendInFlight || this.socketClosed) return;
    const item = this.sendQueue.shift();
    if (item === undefined) return;
    const bytes = this.encode(item);
    this.sendInFlight = true;
    this.socket.send(bytes, { binary: true }, (error) => {
      this.sendInFlight = false;
      if (error) return; // the socket is going away; 'close' cleans up
      this.afterSent(item);
      this.pump();
      this.tick();
    });
  }

  private encode(item: OutgoingItem): Uint8Array {
    if (item.kind === 'marker') {
      return item.marker === 'start' ? startSpeechMessage : endSpeechMessage;
    }
    if (item.samples === null) return this.idleMessage;
    return encodeFrameMessage({
      video_bytes: this.painter.paint(item.samples),
      audio_bytes: int16ToBytes(item.samples),
    });
  }

  private afterSent(item: OutgoingItem): void {
    if (item.kind !== 'frame' || this.socketClosed) return;
    this.framesSentOnSocket++;
    this.hooks.onFrameSent();
    const faults = this.hooks.faults();
    if (faults.dropAfterFrames !== null && this.framesSentOnSocket >= faults.dropAfterFrames) {
      this.hooks.log(
        `stream ${this.shortId}: dropping the connection after ${this.framesSentOnSocket} frames`,
      );
      this.socket.terminate();
      return;
    }
    if (
      faults.closeWithErrorAfterFrames !== null &&
      this.framesSentOnSocket >= faults.closeWithErrorAfterFrames
    ) {
      this.abort(1011, 'Server error: simulated inference failure');
    }
  }

  /** The generator ran out (end_of_stream on servers that stop there): drain, then end_speech. */
  private stopGenerator(): void {
    this.generator = 'stopped';
    this.clearTimers();
    this.enqueue({ kind: 'marker', marker: 'end' });
  }

  /** The stream is torn down: queued frames are dropped, a final end_speech, then close. */
  private abort(code: number, reason: string): void {
    if (this.socketClosed) return;
    this.generator = 'stopped';
    this.clearTimers();
    this.sendQueue.length = 0;
    this.socket.send(endSpeechMessage, { binary: true });
    this.socket.close(code, reason);
    this.socketClosed = true;
  }

  private clearTimers(): void {
    this.clearWakeTimer();
    if (this.crashTimer) clearTimeout(this.crashTimer);
    this.crashTimer = null;
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = null;
  }

  private onSocketClosed(code: number, reason: string): void {
    this.generator = 'stopped';
    this.socketClosed = true;
    this.clearTimers();
    this.sendQueue.length = 0;
    this.hooks.log(
      `stream ${this.shortId}: closed (${code}${reason ? ` ${reason}` : ''}) after ${this.framesSentOnSocket} frames`,
    );
    this.hooks.onClosed();
  }
}
