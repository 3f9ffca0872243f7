import { useEffect } from 'react';
import type { ProgramEngine } from '../../engine/program-engine.ts';
import { useAppStore } from '../../store/app-store.ts';

/** Space play/pause, ←/→ slides, Esc stop, R record; ignored while typing in a field. */
export function useKeyboardShortcuts(engine: ProgramEngine): void {
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const target = event.target as HTMLElement | null;
      if (
        target &&
        (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable)
      )
        return;
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
