/**
 * Quirk 1, the marker crash, modelled on the real server (SyncTalk_2D/inference_system/api.py):
 *
 * - `_process_audio_input`: whenever its input queue is found empty the processing thread enters
 *   "temporary silence". When real audio then arrives and at least 0.25 s of it is encodable but
 *   not yet submitted (`MIN_AUDIO_BUFFER_SECONDS = 0.25`), it "resumes" and arms a latency test
 *   whose `target_frame` is `get_max_encodable_frame() + 1`: the first frame after the ones its
 *   audio made so far, which (with the 5-frame mel look-ahead) is the first of the last 5.
 * - `yielding_thread` (around line 1483): while the test is armed and not yet measured, every
 *   item yielded is compared `frame_idx >= target_frame`; the first frame at or past the target
 *   measures (disarms) it. Marker items carry `frame_idx=None`, so a marker yielded while the test
 *   is armed raises TypeError; the thread catches it and returns, the generator ends, and
 *   `generate_video_stream`'s finally waits `proc_thread.join(timeout=5.0)` before
 *   synctalk_fastapi.py `video_generator_task` sends its final end_speech. The receive loop goes
 *   on reading audio that nobody consumes: the socket stays open and silent.
 *
 * The reference's "input found empty" is: no message for `inputDryMs`, or the 250 ms quiet flush.
 * The real loop polls about every millisecond, so any pause between paced chunks counts.
 */

/** A pause this long between messages counts as the input queue running dry. */
export const inputDryMs = 10;
/** 0.25 s of unsent speech at 25 fps, rounded up (buffered_frames / 25 >= 0.25). */
export const resumeMinFrames = 7;
/** get_max_encodable_frame() holds back the last 5 frames of the audio made so far. */
export const lookaheadFrames = 5;

export class LatencyTest {
  private inTemporarySilence = false;
  private lastInputAtMs = -Infinity;
  /** Temporary silence only starts after the first real audio (`first_real_audio_received`). */
  private audioSeen = false;
  /** Sequence number (speech frames emitted before it) of the target frame, or null. */
  private targetSpeechIndex: number | null = null;

  get armed(): boolean {
    return this.targetSpeechIndex !== null;
  }

  /** Any message from the client; a gap before it means the input had run dry. */
  onInput(nowMs: number, isAudio: boolean): void {
    if (this.isDry(nowMs)) this.inTemporarySilence = true;
    if (isAudio) this.audioSeen = true;
    this.lastInputAtMs = nowMs;
  }

  /** Whether the real processing loop would find its input queue empty now. */
  isDry(nowMs: number): boolean {
    return this.audioSeen && nowMs - this.lastInputAtMs >= inputDryMs;
  }

  /** The quiet flush: the input has certainly run dry. */
  onDry(): void {
    this.inTemporarySilence = true;
  }

  /**
   * After an audio message has been framed: resumes from temporary silence (arming the test)
   * when enough speech is waiting. `framedTotal` counts every speech frame made on the socket,
   * `unsent` those not yet emitted.
   */
  afterAudio(framedTotal: number, unsent: number): void {
    if (!this.inTemporarySilence || unsent < resumeMinFrames) return;
    this.inTemporarySilence = false;
    this.targetSpeechIndex = Math.max(0, framedTotal - lookaheadFrames);
  }

  /**
   * A frame is about to be emitted: `speechIndex` is its place among the socket's speech frames,
   * or null for an idle frame (idle frames lie past every target: they are appended silence).
   */
  onFrame(speechIndex: number | null): void {
    if (this.targetSpeechIndex === null) return;
    if (speechIndex === null || speechIndex >= this.targetSpeechIndex) {
      this.targetSpeechIndex = null;
    }
  }
}
