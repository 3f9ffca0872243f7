import type { ProgramSnapshot } from '../../store/app-store.ts';
import { useProgram } from './use-program.tsx';

/**
 * Play, Pause or Resume as the presentation stands: the one button of the transport bar and of
 * the presenter console. The console pauses at the end of the sentence (a second press pauses at
 * once); the editor's transport pauses at once.
 */
export function PlayPauseButton(props: {
  playback: ProgramSnapshot;
  disabled: boolean;
  pause: 'now' | 'sentence-end';
}) {
  const { engine } = useProgram();
  const { playback } = props;
  if (playback.playState === 'playing') {
    const atSentenceEnd = props.pause === 'sentence-end';
    return (
      <button
        type="button"
        className="primary"
        onClick={() => void (atSentenceEnd ? engine.pauseAtSentenceEnd() : engine.pause())}
        title={
          !atSentenceEnd
            ? 'Pause (Space)'
            : playback.pausePending
              ? 'Pause now (Space)'
              : 'Pause at the end of the sentence (Space; Shift+Space pauses at once)'
        }
      >
        {atSentenceEnd && playback.pausePending ? '❚❚ Pause now' : '❚❚ Pause'}
      </button>
    );
  }
  if (playback.playState === 'paused') {
    return (
      <button
        type="button"
        className="primary"
        onClick={() => void engine.resume()}
        title="Resume (Space)"
      >
        ▶ Resume
      </button>
    );
  }
  return (
    <button
      type="button"
      className="primary"
      disabled={props.disabled || playback.playState === 'preparing'}
      onClick={() => void engine.play()}
      title="Play (Space)"
    >
      ▶ Play
    </button>
  );
}
