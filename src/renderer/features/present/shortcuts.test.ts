import { describe, expect, it } from 'vitest';
import {
  handleShortcut,
  shortcuts,
  type KeyPress,
  type KeyTarget,
  type ShortcutContext,
  type ShortcutEngine,
  type ShortcutRecording,
} from './shortcuts.ts';
import type { ProgramSnapshot } from '../../store/app-store.ts';

type Call = [string, ...unknown[]];

/** A fake engine, recording and context that record what the shortcuts asked for. */
function setup(
  playback: Partial<Pick<ProgramSnapshot, 'playState' | 'slideIndex' | 'recorderState'>> = {},
  extra: Partial<ShortcutContext> = {},
) {
  const calls: Call[] = [];
  let blank = false;
  const done = (call: Call): Promise<void> => {
    calls.push(call);
    return Promise.resolve();
  };
  const engine: ShortcutEngine = {
    play: () => done(['play']).then(() => true),
    pause: () => done(['pause']),
    resume: () => done(['resume']),
    stop: () => done(['stop']),
    pauseAtSentenceEnd: () => done(['pauseAtSentenceEnd']),
    goToSlide: (index: number) => done(['goToSlide', index]),
    setBlank: (value: boolean) => {
      blank = value;
      calls.push(['setBlank', value]);
    },
    get isBlank() {
      return blank;
    },
  };
  const recording: ShortcutRecording = {
    record: (target) => {
      calls.push(['record', target]);
      return Promise.resolve(true);
    },
    stop: () => done(['stopRecording']),
  };
  const context: ShortcutContext = {
    engine,
    recording,
    playback: { playState: 'idle', slideIndex: 0, recorderState: 'idle', ...playback },
    slideCount: 5,
    recordingDir: '/videos',
    undo: () => calls.push(['undo']),
    redo: () => calls.push(['redo']),
    save: () => calls.push(['save']),
    helpOpen: false,
    setHelpOpen: (open) => {
      context.helpOpen = open;
    },
    typedSlide: '',
    setTypedSlide: (digits) => {
      context.typedSlide = digits;
    },
    ...extra,
  };
  return { calls, context };
}

function key(value: string, modifiers: Partial<KeyPress> = {}): KeyPress {
  return {
    key: value,
    shiftKey: false,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    ...modifiers,
  };
}

const body: KeyTarget = { typing: false, onButton: false };
const field: KeyTarget = { typing: true, onButton: false };
const button: KeyTarget = { typing: false, onButton: true };

describe('keyboard shortcuts', () => {
  it('Space plays, pauses at the sentence end, and resumes', () => {
    const idle = setup({ playState: 'idle' });
    expect(handleShortcut(key(' '), body, idle.context)?.id).toBe('play-pause');
    expect(idle.calls).toEqual([['play']]);

    const playing = setup({ playState: 'playing' });
    handleShortcut(key(' '), body, playing.context);
    expect(playing.calls).toEqual([['pauseAtSentenceEnd']]);

    const paused = setup({ playState: 'paused' });
    handleShortcut(key(' '), body, paused.context);
    expect(paused.calls).toEqual([['resume']]);
  });

  it('Shift+Space pauses at once', () => {
    const { calls, context } = setup({ playState: 'playing' });
    expect(handleShortcut(key(' ', { shiftKey: true }), body, context)?.id).toBe('pause-now');
    expect(calls).toEqual([['pause']]);
  });

  it('arrows and page keys move one slide, within the lesson', () => {
    const { calls, context } = setup({ slideIndex: 2 });
    handleShortcut(key('ArrowRight'), body, context);
    handleShortcut(key('PageDown'), body, context);
    handleShortcut(key('ArrowLeft'), body, context);
    handleShortcut(key('PageUp'), body, context);
    handleShortcut(key('Home'), body, context);
    expect(calls).toEqual([
      ['goToSlide', 3],
      ['goToSlide', 3],
      ['goToSlide', 1],
      ['goToSlide', 1],
      ['goToSlide', 0],
    ]);
    const last = setup({ slideIndex: 4 });
    expect(handleShortcut(key('ArrowRight'), body, last.context)).toBeNull();
    expect(last.calls).toEqual([]);
  });

  it('a number then Enter jumps to that slide; out of range does nothing', () => {
    const { calls, context } = setup();
    handleShortcut(key('3'), body, context);
    expect(context.typedSlide).toBe('3');
    handleShortcut(key('Enter'), body, context);
    expect(calls).toEqual([['goToSlide', 2]]);
    expect(context.typedSlide).toBe('');

    handleShortcut(key('9'), body, context);
    handleShortcut(key('Enter'), body, context);
    expect(calls).toHaveLength(1);

    // Enter on a focused button presses the button, unless a number waits for it.
    expect(handleShortcut(key('Enter'), button, context)).toBeNull();
    handleShortcut(key('4'), button, context);
    expect(handleShortcut(key('Enter'), button, context)?.id).toBe('jump-to-typed');
    expect(calls).toEqual([
      ['goToSlide', 2],
      ['goToSlide', 3],
    ]);
  });

  it('Backspace corrects, Esc cancels and another key abandons a typed number', () => {
    const { calls, context } = setup({ playState: 'playing' });
    handleShortcut(key('1'), body, context);
    handleShortcut(key('2'), body, context);
    handleShortcut(key('Backspace'), body, context);
    expect(context.typedSlide).toBe('1');
    handleShortcut(key('Escape'), body, context);
    expect(context.typedSlide).toBe('');
    expect(calls, 'Esc cleared the number; it did not stop the show').toEqual([]);
    handleShortcut(key('2'), body, context);
    handleShortcut(key('b'), body, context);
    expect(context.typedSlide).toBe('');
  });

  it('B and . toggle blank; a held key toggles once', () => {
    const { calls, context } = setup();
    handleShortcut(key('b'), body, context);
    handleShortcut(key('B', { shiftKey: true }), body, context);
    handleShortcut(key('.'), body, context);
    handleShortcut(key('.', { repeat: true }), body, context);
    expect(calls).toEqual([
      ['setBlank', true],
      ['setBlank', false],
      ['setBlank', true],
    ]);
  });

  it('Esc closes the help first, then stops the show', () => {
    const { calls, context } = setup({ playState: 'playing' }, { helpOpen: true });
    handleShortcut(key('Escape'), body, context);
    expect(context.helpOpen).toBe(false);
    expect(calls).toEqual([]);
    handleShortcut(key('Escape'), body, context);
    expect(calls).toEqual([['stop']]);
    // Nothing on air: Esc is left to whatever else wants it.
    const idle = setup();
    expect(handleShortcut(key('Escape'), body, idle.context)).toBeNull();
  });

  it('? toggles the help; while it is open other shortcuts rest', () => {
    const { calls, context } = setup();
    handleShortcut(key('?', { shiftKey: true }), body, context);
    expect(context.helpOpen).toBe(true);
    expect(handleShortcut(key(' '), body, context)).toBeNull();
    expect(handleShortcut(key('b'), body, context)).toBeNull();
    handleShortcut(key('?', { shiftKey: true }), body, context);
    expect(context.helpOpen).toBe(false);
    expect(calls).toEqual([]);
  });

  it('R records into the recording folder and stops a recording', () => {
    const idle = setup();
    handleShortcut(key('r'), body, idle.context);
    expect(idle.calls).toEqual([['record', undefined]]);
    const recording = setup({ recorderState: 'recording' });
    handleShortcut(key('R', { shiftKey: true }), body, recording.context);
    expect(recording.calls).toEqual([['stopRecording']]);
    // Ctrl+R is the browser's reload, not Record.
    const reload = setup();
    expect(handleShortcut(key('r', { ctrlKey: true }), body, reload.context)).toBeNull();
  });

  it('undo, redo and save, with Ctrl or ⌘', () => {
    const { calls, context } = setup();
    handleShortcut(key('z', { ctrlKey: true }), body, context);
    handleShortcut(key('z', { metaKey: true }), body, context);
    handleShortcut(key('Z', { ctrlKey: true, shiftKey: true }), body, context);
    handleShortcut(key('z', { metaKey: true, shiftKey: true }), body, context);
    handleShortcut(key('y', { ctrlKey: true }), body, context);
    handleShortcut(key('s', { ctrlKey: true }), body, context);
    handleShortcut(key('s', { metaKey: true }), body, context);
    expect(calls.map(([name]) => name)).toEqual([
      'undo',
      'undo',
      'redo',
      'redo',
      'redo',
      'save',
      'save',
    ]);
  });

  it('keys typed in a text field stay there, except Esc and Ctrl/⌘+S', () => {
    const { calls, context } = setup({ playState: 'playing' });
    for (const press of [
      key(' '),
      key('b'),
      key('3'),
      key('ArrowRight'),
      key('?'),
      key('z', { ctrlKey: true }),
      key('Z', { ctrlKey: true, shiftKey: true }),
      key('y', { ctrlKey: true }),
    ]) {
      expect(handleShortcut(press, field, context), press.key).toBeNull();
    }
    expect(calls).toEqual([]);
    handleShortcut(key('s', { ctrlKey: true }), field, context);
    handleShortcut(key('Escape'), field, context);
    expect(calls).toEqual([['save'], ['stop']]);
  });

  it('a focused slider or tab list keeps its arrows and Home/End', () => {
    const { calls, context } = setup({ slideIndex: 2 });
    const slider: KeyTarget = { typing: false, onButton: false, navigates: true };
    for (const name of ['ArrowRight', 'ArrowLeft', 'PageDown', 'PageUp', 'Home', 'End']) {
      expect(handleShortcut(key(name), slider, context), name).toBeNull();
    }
    expect(calls).toEqual([]);
    // Other shortcuts still work there.
    handleShortcut(key('b'), slider, context);
    expect(calls).toEqual([['setBlank', true]]);
  });

  it('Space on a focused button is the button’s', () => {
    const { calls, context } = setup();
    expect(handleShortcut(key(' '), button, context)).toBeNull();
    expect(calls).toEqual([]);
  });

  it('the table is consistent: unique ids, every entry described, no key claimed twice', () => {
    const ids = shortcuts.map((shortcut) => shortcut.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const shortcut of shortcuts) {
      expect(shortcut.keys.length, shortcut.id).toBeGreaterThan(0);
      expect(shortcut.description.length, shortcut.id).toBeGreaterThan(5);
    }
    const probes = [
      key(' '),
      key(' ', { shiftKey: true }),
      key('b'),
      key('.'),
      key('r'),
      key('Escape'),
      key('?', { shiftKey: true }),
      key('z', { ctrlKey: true }),
      key('Z', { ctrlKey: true, shiftKey: true }),
      key('y', { ctrlKey: true }),
      key('s', { ctrlKey: true }),
      key('Home'),
      key('End'),
      key('Enter'),
      key('5'),
    ];
    for (const probe of probes) {
      const matching = shortcuts.filter((shortcut) => shortcut.matches(probe));
      expect(
        matching.map((s) => s.id),
        JSON.stringify(probe),
      ).toHaveLength(1);
    }
    expect(shortcuts.some((shortcut) => shortcut.keys.includes('B'))).toBe(true);
  });
});
