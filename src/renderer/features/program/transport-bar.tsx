import { PlayPauseButton } from './play-pause-button.tsx';
import { isOnAir, useAppStore } from '../../store/app-store.ts';
import { formatClock } from '../../../shared/format-units.ts';
import { useProgram } from './use-program.tsx';

/** Drawn icons: symbol fonts are not on every machine (a missing glyph shows as a box). */
function SkipIcon({ direction }: { direction: 'back' | 'forward' }) {
  const path = direction === 'back' ? 'M4 3h2v10H4zM14 3v10L7 8z' : 'M10 3h2v10h-2zM2 3v10l7-5z';
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d={path} fill="currentColor" />
    </svg>
  );
}

export function TransportBar() {
  const { engine, recording: recordingOutput } = useProgram();
  const lesson = useAppStore((s) => s.lesson);
  const playback = useAppStore((s) => s.playback);
  const recordingDir = useAppStore((s) => s.recordingDir);
  const count = lesson?.slides.length ?? 0;
  const { playState, slideIndex, recorderState } = playback;
  const onAir = isOnAir(playState);
  const recording = recorderState !== 'idle';
  // An export drives the program itself: the transport waits until it is done.
  const disabled = lesson === null || playback.exporting !== null;

  return (
    <div className="transport" role="toolbar" aria-label="Presentation controls">
      <button
        type="button"
        disabled={disabled || slideIndex === 0}
        onClick={() => void engine.goToSlide(slideIndex - 1)}
        aria-label="Previous slide"
        title="Previous slide (←)"
      >
        <SkipIcon direction="back" />
      </button>
      <PlayPauseButton playback={playback} disabled={disabled} pause="now" />
      <button type="button" disabled={!onAir} onClick={() => void engine.stop()} title="Stop (Esc)">
        ■ Stop
      </button>
      <button
        type="button"
        disabled={disabled || slideIndex >= count - 1}
        onClick={() => void engine.goToSlide(slideIndex + 1)}
        aria-label="Next slide"
        title="Next slide (→)"
      >
        <SkipIcon direction="forward" />
      </button>
      {recording ? (
        <button
          type="button"
          className="record active"
          onClick={() => void recordingOutput.stop()}
          title="Stop recording (R)"
        >
          ● Stop recording
        </button>
      ) : (
        <button
          type="button"
          className="record"
          disabled={disabled || recordingDir.length === 0}
          onClick={() => void recordingOutput.record()}
          title="Record the presentation to a video file (R)"
        >
          ● Record
        </button>
      )}
      <div className="transport-status" aria-live="polite">
        <span data-testid="play-state" className={`badge state-${playState}`}>
          {playState}
        </span>
        <span data-testid="slide-position">
          Slide {count === 0 ? 0 : slideIndex + 1} / {count}
        </span>
        <span className="clock" data-testid="clock">
          {formatClock(playback.programMs)}
          {playback.totalMs !== null
            ? ` / ${formatClock(playback.totalMs)}`
            : playback.estimatedTotalMs > 0
              ? ` / ~${formatClock(playback.estimatedTotalMs)}`
              : ''}
        </span>
      </div>
    </div>
  );
}
