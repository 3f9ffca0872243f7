import { useEffect } from 'react';
import { useAppStore } from '../../store/app-store.ts';
import { saveLessonNow } from '../editor/lesson-sync.ts';
import { usePresentStore } from './present-store.ts';
import { useProgram } from '../program/use-program.tsx';
import { describeTarget, handleShortcut, type ShortcutContext } from './shortcuts.ts';

/**
 * The app's keyboard shortcuts, from the one table in present/shortcuts.ts (which the help
 * overlay lists). Keys typed into a field stay the field's (its own undo included), except Esc
 * and Ctrl/⌘+S; Space and Enter on a focused button press that button.
 *
 * Returns the help overlay's state for the shell to render <ShortcutHelp open onClose />.
 */
export function useKeyboardShortcuts(): {
  helpOpen: boolean;
  closeHelp: () => void;
} {
  const { engine, recording } = useProgram();
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.defaultPrevented || event.isComposing) return;
      const app = useAppStore.getState();
      const present = usePresentStore.getState();
      const context: ShortcutContext = {
        engine,
        recording,
        playback: app.playback,
        slideCount: app.lesson?.slides.length ?? 0,
        recordingDir: app.recordingDir,
        undo: app.undo,
        redo: app.redo,
        save: () => void saveLessonNow(),
        helpOpen: present.helpOpen,
        setHelpOpen: present.setHelpOpen,
        typedSlide: present.typedSlide,
        setTypedSlide: present.setTypedSlide,
      };
      const acted = handleShortcut(event, describeTarget(event.target), context);
      if (acted) event.preventDefault();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [engine, recording]);
  const helpOpen = usePresentStore((s) => s.helpOpen);
  const setHelpOpen = usePresentStore((s) => s.setHelpOpen);
  return { helpOpen, closeHelp: () => setHelpOpen(false) };
}
