import { rapido } from '../../bridge/rapido.ts';
import { selectProgramBusy, useAppStore } from '../../store/app-store.ts';
import { cancelPregenerate, startPregenerate, usePregenerateRun } from './pregenerate-run.ts';
import {
  detailLine,
  failureLines,
  statusLine,
  summaryLine,
  warningLines,
} from './pregenerate-text.ts';
import './pregenerate-panel.css';

/**
 * "Prepare whole lesson": makes every slide's speech (and SyncTalk avatar) ahead, into main's
 * caches, so presenting, recording or exporting later needs no network. The run lives outside
 * the panel (pregenerate-run.ts); the panel shows its progress, time left, Cancel, and the
 * summary with any failures. The lesson comes from the store; the run itself is main's slide
 * pipeline (only progress crosses), so the panel needs nothing of the engine.
 */
export function PregeneratePanel() {
  const lesson = useAppStore((s) => s.lesson);
  const lessonDir = useAppStore((s) => s.lessonDir);
  const busy = useAppStore(selectProgramBusy);
  const run = usePregenerateRun();
  const ours = run.lessonDir !== null && run.lessonDir === lessonDir;
  const progress = ours ? run.progress : null;
  const running = run.running;
  const percent = progress ? Math.floor(progress.fraction * 100) : 0;

  function start() {
    if (!lesson || !lessonDir) return;
    void startPregenerate(rapido, lessonDir, lesson);
  }

  const failures = progress && !running ? failureLines(progress) : [];
  const warnings = progress && !running ? warningLines(progress) : [];
  const state = running ? 'running' : (progress?.state ?? 'idle');
  return (
    <section
      className="panel pregenerate-panel"
      aria-label="Prepare lesson"
      data-testid="pregenerate-panel"
      data-state={state}
    >
      <h2>Prepare lesson</h2>
      <p className="hint">
        Makes every slide&apos;s speech
        {lesson?.avatar.provider === 'synctalk' ? ' and avatar video' : ''} now, so presenting,
        recording and exporting later need no network.
      </p>
      <div className="field-row">
        <button
          type="button"
          onClick={start}
          disabled={running || busy || !lesson || !lessonDir}
          title={busy ? 'Stop presenting, recording or exporting first' : undefined}
        >
          Prepare whole lesson
        </button>
        {running ? (
          <button type="button" onClick={() => cancelPregenerate()}>
            Cancel
          </button>
        ) : null}
      </div>
      {running || (progress && progress.state === 'running') ? (
        <div className="pregenerate-progress" aria-live="polite">
          <progress max={100} value={percent} aria-label="Preparation progress" />
          <p data-testid="pregenerate-status">{progress ? statusLine(progress) : 'Starting…'}</p>
          {progress ? <p className="pregenerate-detail">{detailLine(progress)}</p> : null}
        </div>
      ) : null}
      {!running && progress && progress.state !== 'running' ? (
        <div className="pregenerate-summary" data-testid="pregenerate-summary" role="status">
          <progress max={100} value={percent} aria-label="Preparation progress" />
          <p
            className={
              failures.length > 0
                ? 'pregenerate-problem'
                : progress.state === 'cancelled'
                  ? 'pregenerate-cancelled'
                  : 'pregenerate-ok'
            }
          >
            {summaryLine(progress)}
            {progress.state === 'cancelled' && run.stoppedBecause ? `: ${run.stoppedBecause}` : ''}
          </p>
          {failures.length > 0 ? (
            <ul className="pregenerate-failures" data-testid="pregenerate-failures">
              {failures.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          ) : null}
          {warnings.length > 0 ? (
            <ul className="pregenerate-warnings">
              {warnings.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
