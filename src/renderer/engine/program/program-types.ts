import type { Lesson } from '../../../shared/lesson/lesson-schema.ts';
import type { RapidoError } from '../../../shared/result.ts';
import type { CaptionTrack } from '../captions/caption-track.ts';
import type { PlayState, PlayerSlides, ProgramFrame } from '../playback/presentation-player.ts';
import type { SlidePreparer } from '../playback/slide-preparer.ts';
import type { AvatarSourceName } from './avatar-source.ts';
import type { SpokenWord } from './spoken-word.ts';

/** What the UI needs to know of the program, pushed at most a few times a second. */
export interface EngineSnapshot {
  playState: PlayState;
  slideIndex: number;
  programMs: number;
  totalMs: number | null;
  /** Shown until every slide is prepared and totalMs is exact. */
  estimatedTotalMs: number;
  composerFps: number;
  /** Which avatar is on screen: the lesson's SyncTalk one, or the local one standing in. */
  avatarSource: AvatarSourceName;
  /** The program shows black (the presenter's "blank"); every output gets black. */
  blanked: boolean;
  /** A pause was asked for and waits for the end of the sentence being spoken. */
  pausePending: boolean;
  /** The word being heard now, as characters of the slide's narration. */
  spokenWord: SpokenWord | null;
  /** An edit that changes speech or slides waits for the presentation to stop. */
  editPending: boolean;
  /**
   * The lesson is open and shown, and its slow part still runs: the selected slide's image and
   * the idle look-ahead's speech (seconds on a busy machine).
   */
  preparingLesson: boolean;
}

export interface EngineEvents {
  onSnapshot(snapshot: EngineSnapshot): void;
  onError(error: RapidoError): void;
  /** Something the user should know that does not stop the show (e.g. an avatar fallback). */
  onWarning(error: RapidoError, action?: WarningAction): void;
}

/** What a warning's notice offers to do about it. */
export type WarningAction = 'detect-key-from-border';

/**
 * The program canvas taken for a frame-stepped run (the export): the draw loop leaves it alone,
 * Play and jumps are refused and content edits wait until `end()`.
 */
export interface ProgramStepper {
  readonly lesson: Lesson;
  /** A preparer of its own, over the lesson as it was when stepping began. */
  readonly preparer: SlidePreparer;
  /** Where prepared slides come from (the preparer, or the avatar-aware wrapper over it). */
  readonly slides: PlayerSlides;
  readonly canvas: HTMLCanvasElement;
  /** Draws the program as it is at `frame`, waiting for any avatar image it needs. */
  drawFrame(frame: ProgramFrame, captions: CaptionTrack): Promise<void>;
  /** The slide is done with: its avatar frames may go. */
  releaseSlide(index: number): void;
  /** Shows `index` as the selected slide while stepping (`force`: push the snapshot now). */
  showSlideIndex(index: number, force: boolean): void;
  /** Gives the canvas back: the program shows the first slide again. */
  end(): Promise<void>;
}
