import type { RawData, WebSocket } from 'ws';
import { encodeFrameMessage } from '../../src/shared/synctalk/frame-message.ts';
import { FramePainter } from './frame-painter.ts';
import { concatInt16 } from '../../src/shared/pcm-samples.ts';
import { int16ToBytes, LinearResampler, PcmAssembler } from './pcm.ts';
import type { FaultSettings, ReferenceAvatar } from './server-state.ts';

/**
 * One accepted WebSocket = one stream, as on the real server. Audio comes in, is resampled to
 * 16 kHz and cut into 40 ms frames in batches; a paced generator emits speech frames, markers and
 * idle frames into a 13-item send queue; a sender writes one message at a time so a client that
 * stops reading stops the generator instead of growing a buffer.
 */

export const outputSampleRateHz = 16_000;
export const samplesPerFrame = 640;
export const sendQueueCapacity = 13;
/** Batching like the real feature extractor: >= 0.5 s and >= 4 chunks, or >= 2 s pending. */
const batchMinSamples = outputSampleRateHz / 2;
const batchMinChunks = 4;
const batchAlwaysSamples = outputSampleRateHz * 2;
/** The real server flushes pending audio when its input queue runs dry; this is our "dry". */
const quietFlushMs = 250;
/** Frame intervals are 40 ms plus 0..5 ms deterministic jitter: about 23.5 fps on average. */
const nominalIntervalMs = 40;
const jitterRangeMs = 5;

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

type TimelineItem =
  | { kind: 'speech'; samples: Int16Array; availableAtMs: number }
  | { kind: 'start' }
  | { kind: 'end' };

type OutgoingItem =
  { kind: 'frame'; samples: Int16Array | null } | { kind: 'marker'; marker: 'start' | 'end' };

type GeneratorState = 'waiting-for-audio' | 'running' | 'stopped';

export class StreamSession {
  readonly info: SessionInfo;
  private readonly socket: WebSocket;
  private readonly hooks: SessionHooks;
  private readonly painter: FramePainter;
  private readonly idleMessage: Uint8Array;
  private readonly pcm = new PcmAssembler();
  private readonly resampler: LinearResampler | null;
  private readonly shortId: string;

  private generator: GeneratorState = 'waiting-for-audio';
  private socketClosed = false;

  private pending: Int16Array[] = [];
  private pendingSampleCount = 0;
  private pendingChunkCount = 0;
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

  private readonly sendQueue: OutgoingItem[] = [];
  private sendInFlight = false;
  private framesSentOnSocket = 0;

  constructor(socket: WebSocket, avatar: ReferenceAvatar, info: SessionInfo, hooks: SessionHooks) {
    this.socket = socket;
    this.info = info;
    this.hooks = hooks;
    this.shortId = info.streamId.slice(0, 8);
    this.painter = new FramePainter(avatar.width, avatar.height, avatar.keyColor);
    this.idleMessage = encodeFrameMessage({
      video_bytes: this.painter.paint(new Int16Array(samplesPerFrame)),
      audio_bytes: new Uint8Array(samplesPerFrame * 2),
    });
    this.resampler =
      info.sampleRateHz === outputSampleRateHz
        ? null
        : new LinearResampler(info.sampleRateHz, outputSampleRateHz);
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
    if (equalBytes(bytes, startMarkerBytes)) {
      this.onStartMarker();
    } else if (equalBytes(bytes, endMarkerBytes)) {
      this.onEndMarker();
    } else if (bytes.length > 0) {
      this.onAudio(bytes);
    }
  }

  private onAudio(bytes: Uint8Array): void {
    this.hooks.onAudioBytes(bytes.length);
    if (this.generator === 'stopped') return;
    let samples = this.pcm.push(bytes);
    if (this.resampler) samples = this.resampler.push(samples);
    this.appendPending(samples);
    this.pendingChunkCount++;
    if (this.generator === 'waiting-for-audio') {
      // Nothing is produced before the first real audio chunk; the pacing clock starts here.
      this.generator = 'running';
      this.nextDueMs = this.hooks.clockMs();
    }
    if (
      (this.pendingSampleCount >= batchMinSamples && this.pendingChunkCount >= batchMinChunks) ||
      this.pendingSampleCount >= batchAlwaysSamples
    ) {
      this.framePending(false);
    }
    this.restartQuietTimer();
    this.tick();
  }

  private onStartMarker(): void {
    if (this.generator === 'stopped') return;
    this.flushPending();
    this.timeline.push({ kind: 'start' });
    this.awaitingFirstFrame = true;
    this.utteranceCount++;
    this.hooks.onUtteranceStarted();
    this.hooks.log(`stream ${this.shortId}: utterance ${this.utteranceCount} start_of_stream`);
    this.tick();
  }

  private onEndMarker(): void {
    if (this.generator === 'stopped') return;
    this.flushPending();
    this.timeline.push({ kind: 'end' });
    this.hooks.log(`stream ${this.shortId}: utterance ${this.utteranceCount} end_of_stream`);
    this.tick();
  }

  private appendPending(samples: Int16Array): void {
    if (samples.length === 0) return;
    this.pending.push(samples);
    this.pendingSampleCount += samples.length;
  }

  /** A marker closes the audio before it: resampler tail out, last partial frame zero-padded. */
  private flushPending(): void {
    if (this.resampler) this.appendPending(this.resampler.flush());
    this.framePending(true);
  }

  /** Turns pending audio into frames; the remainder waits unless `padLast` zero-pads it. */
  private framePending(padLast: boolean): void {
    if (this.pendingSampleCount === 0) return;
    const joined = concatInt16(this.pending);
    const wholeFrames = Math.floor(joined.length / samplesPerFrame);
    for (let index = 0; index < wholeFrames; index++) {
      const start = index * samplesPerFrame;
      this.pushSpeech(joined.slice(start, start + samplesPerFrame));
    }
    const remainder = joined.subarray(wholeFrames * samplesPerFrame);
    this.pending = [];
    this.pendingSampleCount = 0;
    this.pendingChunkCount = 0;
    if (remainder.length === 0) return;
    if (padLast) {
      const padded = new Int16Array(samplesPerFrame);
      padded.set(remainder);
      this.pushSpeech(padded);
    } else {
      this.appendPending(remainder.slice());
    }
  }

  private pushSpeech(samples: Int16Array): void {
    const nowMs = this.hooks.clockMs();
    const delayMs = this.awaitingFirstFrame ? this.hooks.faults().firstFrameDelayMs : 0;
    this.awaitingFirstFrame = false;
    const availableAtMs = Math.max(this.lastAvailableAtMs, nowMs + delayMs);
    this.lastAvailableAtMs = availableAtMs;
    this.timeline.push({ kind: 'speech', samples, availableAtMs });
  }

  private restartQuietTimer(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => {
      this.quietTimer = null;
      if (this.generator !== 'running') return;
      this.framePending(false);
      this.tick();
    }, quietFlushMs);
  }

  /**
   * The generator: emits whatever is due. The pacing clock advances one jittered interval per
   * frame emitted, so while nothing can be emitted (a stall, a full send queue) it falls behind
   * and the frames after it go out in a burst at `burstFps` until it has caught up.
   */
  private tick(): void {
    if (this.generator !== 'running' || this.socketClosed) return;
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
        this.timeline.shift();
        this.enqueue({ kind: 'marker', marker: 'end' });
        this.hooks.log(
          `stream ${this.shortId}: end_speech after ${this.utteranceFramesEmitted} frames`,
        );
        if (faults.generatorStopsAtEndOfStream) {
          this.stopGenerator();
          return;
        }
        continue;
      }
      let speech: { samples: Int16Array; availableAtMs: number } | undefined;
      let startMarkerFirst = false;
      if (head?.kind === 'start') {
        const next = this.timeline.peek(1);
        if (next !== undefined && next.kind !== 'speech') {
          // An utterance without audio: its markers need no frame.
          this.timeline.shift();
          this.beginOutputUtterance();
          continue;
        }
        speech = next;
        startMarkerFirst = true;
      } else if (head?.kind === 'speech') {
        speech = head;
      }
      const speechReady = speech !== undefined && speech.availableAtMs <= nowMs;
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
          this.timeline.shift();
          this.beginOutputUtterance();
        }
        this.timeline.shift();
        this.enqueue({ kind: 'frame', samples: speech.samples });
        this.utteranceFramesEmitted++;
        this.idleAllowed = true;
      } else {
        // Nothing of an utterance is ready: the avatar idles with silent audio.
        this.enqueue({ kind: 'frame', samples: null });
      }
      this.lastEmitAtMs = emitAtMs;
      this.nextDueMs += this.nextIntervalMs();
    }
  }

  private beginOutputUtterance(): void {
    this.enqueue({ kind: 'marker', marker: 'start' });
    this.utteranceFramesEmitted = 0;
    this.stalledThisUtterance = false;
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

/** A FIFO whose shift is O(1): a session can hold minutes of frames sent ahead. */
class Deque<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  peek(offset: number): T | undefined {
    return this.items[this.head + offset];
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

function rawDataToBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

function equalBytes(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) {
    if (left[index] !== right[index]) return false;
  }
  return true;
}
