import { useState } from 'react';
import { rapido } from '../../bridge/rapido.ts';
import type { ExportResult } from '../../outputs/export/lesson-export.ts';
import { useAppStore } from '../../store/app-store.ts';
import { formatBytes, formatClock } from '../../../shared/format-units.ts';
import { useProgram } from '../program/use-program.tsx';

const phaseLabels = {
  checking: 'Checking slide images',
  preparing: 'Preparing speech',
  exporting: 'Exporting',
  finishing: 'Finishing the file',
} as const;

/**
 * Export to a video file, faster than real time: frame-stepped through the same program, into
 * the recording folder. A progress bar with time left, Cancel (which keeps nothing), and where
 * the file, its captions and chapters went.
 */
export function ExportSection() {
  const { exporter } = useProgram();
  const launch = useAppStore((s) => s.launch);
  const lessonDir = useAppStore((s) => s.lessonDir);
  const playback = useAppStore((s) => s.playback);
  const pushError = useAppStore((s) => s.pushError);
  const pushInfo = useAppStore((s) => s.pushInfo);
  const [done, setDone] = useState<ExportResult | null>(null);
  const exporting = playback.exporting;
  const busy = exporting !== null || playback.recorderState !== 'idle';

  async function start() {
    setDone(null);
    const result = await exporter.exportVideo();
    if (result.ok) setDone(result.value);
    else if (result.error.code === 'cancelled') pushInfo(result.error.message);
    else pushError(result.error);
  }

  const percent = exporting ? Math.floor(exporting.fraction * 100) : 0;
  return (
    <div className="export-section" data-testid="export-section">
      <div className="field-row">
        <button
          type="button"
          onClick={() => void start()}
          disabled={busy || !lessonDir}
          title="Render every frame at the lesson's size, faster than real time where the machine allows"
        >
          Export video
        </button>
        {exporting ? (
          <button type="button" onClick={() => exporter.cancel()}>
            Cancel export
          </button>
        ) : null}
      </div>
      {exporting ? (
        <div className="export-progress" data-testid="export-progress">
          <progress max={100} value={percent} aria-label="Export progress" />
          <p>
            {phaseLabels[exporting.phase]}
            {exporting.phase === 'exporting'
              ? ` slide ${exporting.slideIndex + 1} · ${percent}% · ${formatClock(exporting.programMs)} of ~${formatClock(exporting.totalMs)}`
              : ''}
            {exporting.etaMs !== null ? ` · ${formatClock(exporting.etaMs)} left` : ''}
            {exporting.realtimeFactor !== null
              ? ` · ${exporting.realtimeFactor.toFixed(1)}× real time`
              : ''}
          </p>
        </div>
      ) : null}
      {!exporting && done ? (
        <div className="recording-saved" data-testid="export-saved">
          <p>
            Exported <code>{done.path}</code> ({formatBytes(done.bytesWritten)},{' '}
            {formatClock(done.programMs)}, {done.chapters.length} chapters,{' '}
            {(done.programMs / done.wallMs).toFixed(1)}× real time)
            {done.captionsPath ? (
              <>
                {' '}
                with captions <code>{done.captionsPath}</code>
              </>
            ) : null}
          </p>
          {launch?.host === 'desktop' ? (
            <button type="button" onClick={() => void rapido.shell.showFile(done.path)}>
              Show in folder
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
