/**
 * Look-ahead buffer for one utterance of server-made avatar frames (SyncTalk). Frames arrive in
 * bursts or late (the server's pacing clock only advances when a frame exists); they are placed by
 * count from start_speech (frame n stands for n x 40 ms) and read by the audio clock. On underrun
 * the last image is held: audio is never repeated or stretched to wait for video (the
 * predecessor's defect was repeating a frame together with its audio).
 */
export interface BufferedFrame<Image> {
  index: number;
  image: Image;
}

export interface FramePick<Image> {
  image: Image | null;
  /** The frame index the clock asked for. */
  wantedIndex: number;
  /** The index shown: wantedIndex, or an earlier one held during an underrun. */
  shownIndex: number | null;
  underrun: boolean;
}

export interface JitterStats {
  received: number;
  underruns: number;
  /** Frames ahead of the last pick: the look-ahead depth. */
  depth: number;
  complete: boolean;
}

export class FrameJitterBuffer<Image> {
  private readonly frames = new Map<number, Image>();
  private received = 0;
  private underruns = 0;
  private highestIndex = -1;
  private lastPickedIndex = -1;
  private lastShown: BufferedFrame<Image> | null = null;
  private complete = false;

  constructor(
    readonly frameMs = 40,
    /** Frames kept behind the playhead (late readers, a repeated paint); older ones are released. */
    private readonly keepBehind = 2,
    private readonly release: (image: Image) => void = () => undefined,
  ) {}

  /** Adds frame `index` (counted from start_speech). Duplicates replace, never reorder. */
  push(index: number, image: Image): void {
    if (!Number.isInteger(index) || index < 0) throw new RangeError(`bad frame index ${index}`);
    if (index < this.lastPickedIndex - this.keepBehind) {
      // Arrived after its time had passed: showing it now would be out of sync.
      this.release(image);
      return;
    }
    const previous = this.frames.get(index);
    if (previous !== undefined) this.release(previous);
    this.frames.set(index, image);
    this.received += 1;
    this.highestIndex = Math.max(this.highestIndex, index);
  }

  /** end_speech arrived: no more frames will come for this utterance. */
  markComplete(): void {
    this.complete = true;
  }

  /** Frames available from the playhead on, without gaps. */
  contiguousAheadOf(index: number): number {
    let count = 0;
    while (this.frames.has(index + count)) count += 1;
    return count;
  }

  /** Ready to start: `needed` contiguous frames from frame 0, or the whole (short) utterance. */
  isPrimed(needed: number): boolean {
    const ahead = this.contiguousAheadOf(0);
    return ahead >= needed || (this.complete && ahead === this.highestIndex + 1);
  }

  /**
   * The reader will want nothing before `index` (the exporter's next frame): older frames are
   * let go now and as they arrive, as if `index` had been picked.
   */
  advanceTo(index: number): void {
    if (index <= this.lastPickedIndex) return;
    this.lastPickedIndex = index;
    this.releaseBehind(index);
  }

  /** The image for a time on the audio clock (ms since the utterance's first sample). */
  pick(speechMs: number): FramePick<Image> {
    const wantedIndex = Math.max(0, Math.floor(speechMs / this.frameMs));
    this.lastPickedIndex = Math.max(this.lastPickedIndex, wantedIndex);
    const exact = this.frames.get(wantedIndex);
    if (exact !== undefined) {
      this.lastShown = { index: wantedIndex, image: exact };
      this.releaseBehind(wantedIndex);
      return { image: exact, wantedIndex, shownIndex: wantedIndex, underrun: false };
    }
    const beyondEnd = this.complete && wantedIndex > this.highestIndex;
    if (!beyondEnd) this.underruns += 1;
    // Running just behind (a late frame that is still within keepBehind): show the newest frame
    // before the wanted one rather than freeze on the last exact hit; the face keeps moving at
    // most keepBehind x 40 ms late, and catches up exactly once the frames do.
    for (let index = wantedIndex - 1; index >= wantedIndex - this.keepBehind; index -= 1) {
      const recent = this.frames.get(index);
      if (recent !== undefined && index > (this.lastShown?.index ?? -1)) {
        this.lastShown = { index, image: recent };
        break;
      }
    }
    const last = this.frames.get(this.highestIndex);
    if (beyondEnd && last !== undefined) this.lastShown = { index: this.highestIndex, image: last };
    this.releaseBehind(wantedIndex);
    const held = this.lastShown;
    return {
      image: held?.image ?? null,
      wantedIndex,
      shownIndex: held?.index ?? null,
      underrun: !beyondEnd,
    };
  }

  stats(): JitterStats {
    const depth = Math.max(0, this.contiguousAheadOf(this.lastPickedIndex + 1));
    return { received: this.received, underruns: this.underruns, depth, complete: this.complete };
  }

  dispose(): void {
    for (const image of this.frames.values()) this.release(image);
    this.frames.clear();
    this.lastShown = null;
  }

  private releaseBehind(index: number): void {
    for (const key of [...this.frames.keys()]) {
      if (key < index - this.keepBehind) {
        const image = this.frames.get(key);
        this.frames.delete(key);
        // The held image stays alive until something replaces it.
        if (image !== undefined && image !== this.lastShown?.image) this.release(image);
      }
    }
  }
}
