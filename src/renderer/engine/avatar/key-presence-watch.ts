import {
  borderKeyShare,
  judgeKeyPresence,
  type BorderKeyShare,
  type KeyPresenceVerdict,
  type RgbImageLike,
} from '../../../shared/keying/key-presence.ts';
import type { ChromaKeySettings } from '../../../shared/lesson/lesson-schema.ts';

/** Every third new image is measured: 8 of them span 24 frames, just under a second at 25 fps. */
export const keyPresenceEvery = 3;
export const keyPresenceSamples = 8;

/**
 * Watches the first second of a played segment's SyncTalk frames (on air, or arriving behind
 * the playhead while the local avatar stands in) for the lesson's key colour (see
 * key-presence.ts): a server that composites onto its own background sends none. Judges once per
 * key: a new key colour or key settings (the user took Detect from border) arm it again.
 */
export class KeyPresenceWatch {
  private shares: BorderKeyShare[] = [];
  private seen = 0;
  private judged = false;
  private key: { color: string; settings: ChromaKeySettings } | null = null;

  constructor(
    private readonly onVerdict: (verdict: KeyPresenceVerdict) => void,
    private readonly every = keyPresenceEvery,
    private readonly samples = keyPresenceSamples,
  ) {}

  /** The lesson's key (on load and on every key edit): a changed key is judged again. */
  setKey(color: string, settings: ChromaKeySettings): void {
    const same =
      this.key?.color === color &&
      this.key.settings.similarity === settings.similarity &&
      this.key.settings.smoothness === settings.smoothness;
    this.key = { color, settings };
    if (!same) this.rearm();
  }

  /** A lesson was (re)loaded: its frames are judged afresh. */
  rearm(): void {
    this.shares = [];
    this.seen = 0;
    this.judged = false;
  }

  /** A new SyncTalk image went on air. */
  observe(image: RgbImageLike): void {
    if (this.judged || !this.key) return;
    this.seen += 1;
    if ((this.seen - 1) % this.every !== 0) return;
    this.shares.push(borderKeyShare(image, this.key.color, this.key.settings));
    if (this.shares.length < this.samples) return;
    this.judged = true;
    this.onVerdict(judgeKeyPresence(this.shares));
  }
}
