import { useEffect } from 'react';
import type { ProgramEngine } from '../../engine/program-engine.ts';
import { useAppStore } from '../../store/app-store.ts';

/**
 * Space play/pause, ←/→ slides, Esc stop, R record; ignored while typing in a field or using a
 * list, and Space is left to a focused button.
 */
export function useKeyboardShortcuts(engine: ProgramEngine): void {
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const target = event.target as HTMLElement | null;
      if (
        target &&
        (target.tagName === 'INPUT' ||
          target.tagName === 'TEXTAREA' ||
          target.tagName === 'SELECT' ||
          target.isContentEditable)
      )
        return;
      // Space on a focused button presses that button; it must not also start the show.
      if (target?.tagName === 'BUTTON' && (event.key === ' ' || event.key === 'Enter')) return;
      const { playback, recordingDir } = useAppStore.getState();
      switch (event.key) {
        case ' ':
          event.preventDefault();
          if (playback.playState === 'playing') void engine.pause();
          else void engine.play();
          break;
        case 'ArrowRight':
          void engine.goToSlide(playback.slideIndex + 1);
          break;
        case 'ArrowLeft':
          void engine.goToSlide(playback.slideIndex - 1);
          break;
        case 'Escape':
          void engine.stop();
          break;
        case 'r':
        case 'R':
          if (playback.recorderState === 'idle') void engine.record({ directory: recordingDir });
          else void engine.stopRecording();
          break;
        default:
          return;
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [engine]);
}
