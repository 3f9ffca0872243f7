import type { ProgramEngine } from '../../engine/program-engine.ts';
import type { RecordingOutput } from '../../outputs/recording/recording-output.ts';
import type { ProgramSnapshot } from '../../store/app-store.ts';

/**
 * The one table of keyboard shortcuts: the key handler walks it and the help overlay lists it,
 * so what the help says is exactly what the keys do.
 */

/** What a key press carries that the table looks at (a KeyboardEvent fits). */
export interface KeyPress {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** Held down: the browser repeats the key. */
  repeat?: boolean;
}

/** The part of the engine the shortcuts drive (a fake stands in for it in unit tests). */
export type ShortcutEngine = Pick<
  ProgramEngine,
  'play' | 'pause' | 'resume' | 'stop' | 'pauseAtSentenceEnd' | 'goToSlide' | 'setBlank' | 'isBlank'
>;

/** The part of the recording output the shortcuts drive. */
export type ShortcutRecording = Pick<RecordingOutput, 'record' | 'stop'>;

export interface ShortcutContext {
  engine: ShortcutEngine;
  recording: ShortcutRecording;
  playback: Pick<ProgramSnapshot, 'playState' | 'slideIndex' | 'recorderState'>;
  slideCount: number;
  recordingDir: string;
  undo: () => void;
  redo: () => void;
  save: () => void;
  helpOpen: boolean;
  setHelpOpen: (open: boolean) => void;
  /** Digits typed so far for "number then Enter" (shown by the presenter console). */
  typedSlide: string;
  setTypedSlide: (digits: string) => void;
}

export type ShortcutGroup = 'Presenting' | 'Editing' | 'Help';

export interface Shortcut {
  id: string;
  group: ShortcutGroup;
  /** Each entry is one way to press it, as the help shows it (e.g. "Ctrl/⌘+Z"). */
  keys: readonly string[];
  description: string;
  matches: (press: KeyPress) => boolean;
  /** Acts while the focus is in a text field too (the field keeps every other key). */
  inTextFields?: boolean;
  /** Acts while the help overlay is open (the overlay is modal: nothing else does). */
  inHelp?: boolean;
  /** Acts again on each repeat while held (moving through slides); toggles act once. */
  repeats?: boolean;
  /** Arrows, Page and Home/End keys: a focused slider, tab list or list box keeps them. */
  navigation?: boolean;
  /** False when there was nothing to do: the key is left to the browser. */
  run: (context: ShortcutContext, press: KeyPress) => boolean;
}

function noModifiers(press: KeyPress): boolean {
  return !press.ctrlKey && !press.metaKey && !press.altKey;
}

/** Any of `keys` with no Ctrl, ⌘ or Alt; letters match in either case. */
function plain(...keys: string[]): (press: KeyPress) => boolean {
  const wanted = new Set(keys.map((key) => key.toLowerCase()));
  return (press) => noModifiers(press) && wanted.has(press.key.toLowerCase());
}

/** Ctrl (or ⌘ on a Mac) with `key`, Shift exactly as given. */
function command(key: string, shift: boolean): (press: KeyPress) => boolean {
  return (press) =>
    (press.ctrlKey || press.metaKey) &&
    !press.altKey &&
    press.shiftKey === shift &&
    press.key.toLowerCase() === key;
}

function onAir(context: ShortcutContext): boolean {
  const state = context.playback.playState;
  return state === 'playing' || state === 'paused' || state === 'preparing';
}

function goTo(context: ShortcutContext, index: number): boolean {
  if (context.slideCount === 0) return false;
  const clamped = Math.max(0, Math.min(context.slideCount - 1, index));
  void context.engine.goToSlide(clamped);
  return true;
}

/** Space: play from the selected slide, pause at the end of the sentence, or resume. */
function playPauseResume(context: ShortcutContext): boolean {
  const { engine } = context;
  switch (context.playback.playState) {
    case 'playing':
      // A second press while the pause waits for the sentence end pauses at once (engine).
      void engine.pauseAtSentenceEnd();
      break;
    case 'paused':
      void engine.resume();
      break;
    case 'idle':
    case 'ended':
      void engine.play();
      break;
    case 'preparing':
      break;
  }
  // Handled even while preparing, so Space never scrolls the page instead.
  return true;
}

/** Longest slide number worth typing: a stray key run must not grow without end. */
const maxTypedDigits = 4;

export const shortcuts: readonly Shortcut[] = [
  {
    id: 'play-pause',
    group: 'Presenting',
    keys: ['Space'],
    description:
      'Play / pause at the end of the sentence / resume (press again while pausing to pause at once)',
    matches: (press) => noModifiers(press) && !press.shiftKey && press.key === ' ',
    run: playPauseResume,
  },
  {
    id: 'pause-now',
    group: 'Presenting',
    keys: ['Shift+Space'],
    description: 'Pause at once (mid-sentence) / play / resume',
    matches: (press) => noModifiers(press) && press.shiftKey && press.key === ' ',
    run: (context) => {
      if (context.playback.playState !== 'playing') return playPauseResume(context);
      void context.engine.pause();
      return true;
    },
  },
  {
    id: 'next',
    group: 'Presenting',
    keys: ['→', 'Page Down'],
    description: 'Next slide (speech restarts at its start)',
    matches: plain('ArrowRight', 'PageDown'),
    navigation: true,
    repeats: true,
    run: (context) =>
      context.playback.slideIndex < context.slideCount - 1 &&
      goTo(context, context.playback.slideIndex + 1),
  },
  {
    id: 'previous',
    group: 'Presenting',
    keys: ['←', 'Page Up'],
    description: 'Previous slide',
    matches: plain('ArrowLeft', 'PageUp'),
    navigation: true,
    repeats: true,
    run: (context) =>
      context.playback.slideIndex > 0 && goTo(context, context.playback.slideIndex - 1),
  },
  {
    id: 'first',
    group: 'Presenting',
    keys: ['Home'],
    description: 'First slide',
    matches: plain('Home'),
    navigation: true,
    run: (context) => goTo(context, 0),
  },
  {
    id: 'last',
    group: 'Presenting',
    keys: ['End'],
    description: 'Last slide',
    matches: plain('End'),
    navigation: true,
    run: (context) => goTo(context, context.slideCount - 1),
  },
  {
    id: 'type-slide-number',
    group: 'Presenting',
    keys: ['0–9'],
    description: 'Type a slide number (then Enter to jump; Backspace corrects it)',
    matches: (press) => noModifiers(press) && /^[0-9]$/.test(press.key),
    run: (context, press) => {
      context.setTypedSlide(`${context.typedSlide}${press.key}`.slice(-maxTypedDigits));
      return true;
    },
  },
  {
    id: 'jump-to-typed',
    group: 'Presenting',
    keys: ['Enter'],
    description: 'Jump to the slide number typed',
    matches: plain('Enter'),
    run: (context) => {
      const typed = context.typedSlide;
      if (typed.length === 0) return false;
      context.setTypedSlide('');
      const number = Number.parseInt(typed, 10);
      // Slide 0 or one past the end is a typing slip: nothing moves.
      if (!(number >= 1 && number <= context.slideCount)) return true;
      return goTo(context, number - 1);
    },
  },
  {
    id: 'correct-typed',
    group: 'Presenting',
    keys: ['Backspace'],
    description: 'Remove the last digit typed',
    matches: plain('Backspace'),
    repeats: true,
    run: (context) => {
      if (context.typedSlide.length === 0) return false;
      context.setTypedSlide(context.typedSlide.slice(0, -1));
      return true;
    },
  },
  {
    id: 'blank',
    group: 'Presenting',
    keys: ['B', '.'],
    description: 'Blank the program to black / show it again (every output; the show goes on)',
    matches: plain('b', '.'),
    run: (context) => {
      context.engine.setBlank(!context.engine.isBlank);
      return true;
    },
  },
  {
    id: 'record',
    group: 'Presenting',
    keys: ['R'],
    description: 'Record / stop recording',
    matches: plain('r'),
    run: (context) => {
      if (context.playback.recorderState === 'idle') {
        if (context.recordingDir.length === 0) return false;
        void context.recording.record();
      } else {
        void context.recording.stop();
      }
      return true;
    },
  },
  {
    id: 'escape',
    group: 'Presenting',
    keys: ['Esc'],
    description: 'Close this help; else clear a typed number; else stop the presentation',
    matches: plain('Escape'),
    inTextFields: true,
    inHelp: true,
    run: (context) => {
      if (context.helpOpen) {
        context.setHelpOpen(false);
        return true;
      }
      if (context.typedSlide.length > 0) {
        context.setTypedSlide('');
        return true;
      }
      // Nothing on air: Esc belongs to whatever else uses it (a field, a menu).
      if (!onAir(context) && context.playback.recorderState === 'idle') return false;
      void context.engine.stop();
      return true;
    },
  },
  {
    id: 'undo',
    group: 'Editing',
    keys: ['Ctrl/⌘+Z'],
    description: 'Undo the last change to the lesson',
    matches: command('z', false),
    run: (context) => {
      context.undo();
      return true;
    },
  },
  {
    id: 'redo',
    group: 'Editing',
    keys: ['Ctrl/⌘+Shift+Z', 'Ctrl+Y'],
    description: 'Redo what was undone',
    matches: (press) =>
      command('z', true)(press) ||
      (press.ctrlKey && !press.metaKey && !press.altKey && !press.shiftKey && press.key === 'y'),
    run: (context) => {
      context.redo();
      return true;
    },
  },
  {
    id: 'save',
    group: 'Editing',
    keys: ['Ctrl/⌘+S'],
    description: 'Save the lesson now (it also saves by itself)',
    matches: command('s', false),
    // Saving from inside a field is expected, and the browser's "save page" is never wanted.
    inTextFields: true,
    run: (context) => {
      context.save();
      return true;
    },
  },
  {
    id: 'help',
    group: 'Help',
    keys: ['?'],
    description: 'Show / hide this list of shortcuts',
    matches: (press) => !press.ctrlKey && !press.metaKey && !press.altKey && press.key === '?',
    inHelp: true,
    run: (context) => {
      context.setHelpOpen(!context.helpOpen);
      return true;
    },
  },
];

/** Where the key press went: decides which shortcuts may act. */
export interface KeyTarget {
  /** A text input, text area, select or contenteditable: the field owns its keys. */
  typing: boolean;
  /** A button, checkbox or the like: Space and Enter press it, so they are left to it. */
  onButton: boolean;
  /** A slider, tab list, list box, radio group...: its arrows and Home/End move inside it. */
  navigates?: boolean;
}

/** Inputs that take no typing: shortcuts still work while one has the focus. */
const nonTextInputTypes = new Set([
  'checkbox',
  'radio',
  'range',
  'button',
  'submit',
  'reset',
  'color',
  'file',
]);
const pressableInputTypes = new Set([
  'checkbox',
  'radio',
  'button',
  'submit',
  'reset',
  'color',
  'file',
]);
const pressableRoles =
  '[role=button],[role=checkbox],[role=switch],[role=tab],[role=menuitem],[role=option],[role=radio]';
const navigatingRoles =
  '[role=slider],[role=spinbutton],[role=tablist],[role=tab],[role=radiogroup],[role=radio],[role=listbox],[role=option],[role=menu],[role=menubar],[role=menuitem],[role=grid],[role=tree],[role=treeitem],[role=scrollbar],[role=separator]';

export function describeTarget(target: EventTarget | null): KeyTarget {
  if (typeof HTMLElement === 'undefined' || !(target instanceof HTMLElement)) {
    return { typing: false, onButton: false, navigates: false };
  }
  const tag = target.tagName;
  const input = target instanceof HTMLInputElement ? target : null;
  const typing =
    tag === 'TEXTAREA' ||
    tag === 'SELECT' ||
    target.isContentEditable ||
    (input !== null && !nonTextInputTypes.has(input.type));
  const onButton =
    tag === 'BUTTON' ||
    tag === 'SUMMARY' ||
    (input !== null && pressableInputTypes.has(input.type)) ||
    target.matches(pressableRoles);
  const navigates =
    (input !== null && (input.type === 'range' || input.type === 'radio')) ||
    target.closest(navigatingRoles) !== null;
  return { typing, onButton, navigates };
}

/**
 * Runs the first shortcut that matches the press where it was made. Returns it when it acted,
 * so the caller can stop the browser's own handling; null when the key is left alone.
 */
export function handleShortcut(
  press: KeyPress,
  target: KeyTarget,
  context: ShortcutContext,
): Shortcut | null {
  const shortcut = shortcuts.find((candidate) => candidate.matches(press));
  if (!shortcut) return null;
  if (target.typing && !shortcut.inTextFields) return null;
  if (context.helpOpen && !shortcut.inHelp) return null;
  if (target.navigates && shortcut.navigation) return null;
  // A focused button takes Space and Enter, unless a slide number is waiting for its Enter.
  if (
    target.onButton &&
    (press.key === ' ' || (press.key === 'Enter' && context.typedSlide.length === 0))
  ) {
    return null;
  }
  // Held down, a toggle would flicker: the repeats are swallowed.
  if (press.repeat && !shortcut.repeats) return shortcut;
  // Any other key abandons a half-typed slide number, so a stale one never jumps later.
  if (
    context.typedSlide.length > 0 &&
    !['type-slide-number', 'jump-to-typed', 'correct-typed', 'escape'].includes(shortcut.id)
  ) {
    context.setTypedSlide('');
  }
  return shortcut.run(context, press) ? shortcut : null;
}
