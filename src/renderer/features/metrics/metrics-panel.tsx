import { useEffect, useState } from 'react';
import { rapido } from '../../bridge/rapido.ts';
import type { EngineMetrics } from '../../engine/program-engine.ts';
import type { Program } from '../program/program.ts';
import { useAppStore, type AppStore } from '../../store/app-store.ts';
import type { AppMetricsInfo } from '../../../shared/ipc/contract.ts';
import { errorMessage } from '../../../shared/result.ts';
import {
  describeRange,
  formatNumber,
  formatSeconds,
  formatSignedMs,
  judgeAvOffset,
  judgeCpu,
  judgeDroppedPerSecond,
  judgeFps,
  notAvailable,
  processName,
  pushSample,
  scaleTop,
  sortProcesses,
  sparklineSegments,
  totalsOf,
  type Judgement,
} from './metrics-format.ts';
import './metrics-panel.css';
import { useProgram } from '../program/use-program.tsx';

/**
 * Live performance numbers: the engine's (frame rates, look-ahead, drops, A/V offset, heap) and
 * every app process's CPU and memory from main, read once a second while the panel is open,
 * with sparklines of the last minute for the composer's frame rate and the CPU.
 */

const pollIntervalMs = 1_000;

type ProcessReading =
  | { phase: 'waiting' }
  | { phase: 'ready'; value: AppMetricsInfo }
  | {
      phase: 'failed';
      message: string;
    };

/** The program's own figures, and the live output's frame rate (null when not live). */
type ProgramMetrics = EngineMetrics & { liveFps: number | null };

interface Reading {
  engine: ProgramMetrics;
  /** Frames dropped since the previous reading; null for the first. */
  droppedPerSecond: number | null;
  processes: ProcessReading;
  composerHistory: (number | null)[];
  cpuHistory: (number | null)[];
}

function selectTargetFps(s: AppStore): number | null {
  return s.lesson?.output.fps ?? null;
}

function readMetrics({ engine, live }: Program): ProgramMetrics {
  return { ...engine.metrics(), liveFps: live.status.stats?.framesPerSecond ?? null };
}

function usePolledMetrics(program: Program): Reading {
  const [reading, setReading] = useState<Reading>(() => ({
    engine: readMetrics(program),
    droppedPerSecond: null,
    processes: { phase: 'waiting' },
    composerHistory: [],
    cpuHistory: [],
  }));

  useEffect(() => {
    let alive = true;
    /** Main may be slow to answer: one question at a time, never a queue of them. */
    let asking = false;
    let lastProcesses: ProcessReading = { phase: 'waiting' };
    let lastDropped: number | null = null;

    async function askProcesses(): Promise<ProcessReading> {
      try {
        const answer = await rapido.app.metrics();
        return answer.ok
          ? { phase: 'ready', value: answer.value }
          : { phase: 'failed', message: answer.error.message };
      } catch (error) {
        return { phase: 'failed', message: errorMessage(error) };
      }
    }

    function tick(): void {
      const engineMetrics = readMetrics(program);
      const dropped = engineMetrics.droppedFrames;
      // A new lesson restarts the engine's count: a smaller number is not negative drops.
      const droppedPerSecond = lastDropped === null ? null : Math.max(0, dropped - lastDropped);
      lastDropped = dropped;
      const cpu =
        lastProcesses.phase === 'ready' ? totalsOf(lastProcesses.value).machinePercent : null;
      setReading((previous) => ({
        engine: engineMetrics,
        droppedPerSecond,
        processes: lastProcesses,
        composerHistory: pushSample(previous.composerHistory, engineMetrics.composerFps),
        cpuHistory: pushSample(previous.cpuHistory, cpu),
      }));
      if (asking) return;
      asking = true;
      void askProcesses().then((processes) => {
        asking = false;
        if (!alive) return;
        lastProcesses = processes;
        setReading((previous) => ({ ...previous, processes }));
      });
    }

    tick();
    const timer = window.setInterval(tick, pollIntervalMs);
    return () => {
      alive = false;
      window.clearInterval(timer);
    };
  }, [program]);

  return reading;
}

function Status({ judgement }: { judgement: Judgement }) {
  if (judgement.level === 'none') return <td className="metric-status" />;
  return (
    <td className={`metric-status metric-${judgement.level}`} data-level={judgement.level}>
      {judgement.level === 'ok' ? null : <span aria-hidden="true">⚠ </span>}
      {judgement.text}
    </td>
  );
}

function Row({
  label,
  value,
  judgement,
  testId,
}: {
  label: string;
  value: string;
  judgement?: Judgement;
  testId: string;
}) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td className="metric-value" data-testid={testId}>
        {value}
      </td>
      <Status judgement={judgement ?? { level: 'none', text: '' }} />
    </tr>
  );
}

const sparklineWidthPx = 120;
const sparklineHeightPx = 28;

function Sparkline({
  label,
  values,
  maxValue,
  decimals,
  unit,
  threshold,
  testId,
}: {
  label: string;
  values: readonly (number | null)[];
  maxValue: number;
  decimals: number;
  unit: string;
  /** A dashed line where the warning starts. */
  threshold: number | null;
  testId: string;
}) {
  const segments = sparklineSegments(values, sparklineWidthPx, sparklineHeightPx, maxValue);
  const description = `${label} over the last 60 s: ${describeRange(values, decimals)}${
    values.length > 0 ? ` ${unit}` : ''
  }`;
  const thresholdY =
    threshold === null || threshold > maxValue
      ? null
      : sparklineHeightPx - (threshold / maxValue) * sparklineHeightPx;
  return (
    <figure className="metric-sparkline" data-testid={testId}>
      <svg
        role="img"
        aria-label={description}
        viewBox={`-1 -1 ${sparklineWidthPx + 2} ${sparklineHeightPx + 2}`}
        width={sparklineWidthPx}
        height={sparklineHeightPx}
        preserveAspectRatio="none"
      >
        <title>{description}</title>
        {thresholdY === null ? null : (
          <line
            className="sparkline-threshold"
            x1={0}
            x2={sparklineWidthPx}
            y1={thresholdY}
            y2={thresholdY}
          />
        )}
        {segments.map((points) => (
          <polyline key={points} className="sparkline-line" points={points} />
        ))}
      </svg>
      <figcaption>{label}</figcaption>
    </figure>
  );
}

function Processes({ reading }: { reading: ProcessReading }) {
  if (reading.phase === 'waiting') {
    return <p className="hint">Asking for the app&apos;s processes…</p>;
  }
  if (reading.phase === 'failed') {
    return (
      <p className="hint" data-testid="metrics-processes-unavailable">
        Processes: {notAvailable} ({reading.message})
      </p>
    );
  }
  const totals = totalsOf(reading.value);
  return (
    <table className="metrics-table metrics-processes" data-testid="metrics-processes">
      <caption>
        Processes ({reading.value.cpuCores} {reading.value.cpuCores === 1 ? 'core' : 'cores'})
      </caption>
      <thead>
        <tr>
          <th scope="col">Process</th>
          <th scope="col">PID</th>
          <th scope="col">CPU (% of a core)</th>
          <th scope="col">Memory (MB)</th>
        </tr>
      </thead>
      <tbody>
        {sortProcesses(reading.value.processes).map((process) => (
          <tr key={process.pid} data-testid="metrics-process">
            <th scope="row">{processName(process.kind)}</th>
            <td className="metric-value">{process.pid}</td>
            <td className="metric-value">{formatNumber(process.cpuPercent, 0)}</td>
            <td className="metric-value" data-testid="metrics-process-memory">
              {formatNumber(process.memoryMB, 0)}
            </td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">Total</th>
          <td />
          <td className="metric-value" data-testid="metrics-cpu-total">
            {formatNumber(totals.cpuPercent, 0)}
          </td>
          <td className="metric-value" data-testid="metrics-memory-total">
            {formatNumber(totals.memoryMB, 0)}
          </td>
        </tr>
      </tfoot>
    </table>
  );
}

export function MetricsPanel() {
  const program = useProgram();
  const targetFps = useAppStore(selectTargetFps);
  const reading = usePolledMetrics(program);
  const metrics = reading.engine;
  const totals = reading.processes.phase === 'ready' ? totalsOf(reading.processes.value) : null;
  const fpsTop = scaleTop(reading.composerHistory, (targetFps ?? 30) * 1.2);
  return (
    <section className="panel metrics-panel" aria-label="Metrics">
      <h2>Metrics</h2>
      <div className="metrics-sparklines">
        <Sparkline
          label="Composer (fps)"
          values={reading.composerHistory}
          maxValue={fpsTop}
          decimals={1}
          unit="fps"
          threshold={targetFps === null ? null : targetFps * 0.9}
          testId="sparkline-composer-fps"
        />
        <Sparkline
          label="CPU (% of machine)"
          values={reading.cpuHistory}
          maxValue={100}
          decimals={0}
          unit="%"
          threshold={70}
          testId="sparkline-cpu"
        />
      </div>
      <table className="metrics-table" data-testid="metrics-engine">
        <caption className="visually-hidden">Program engine</caption>
        <tbody>
          <Row
            label={`Composer (fps${targetFps === null ? '' : ` of ${targetFps}`})`}
            value={formatNumber(metrics.composerFps, 1)}
            judgement={judgeFps(metrics.composerFps, targetFps)}
            testId="metric-composer-fps"
          />
          <Row
            label="Avatar (fps)"
            value={formatNumber(metrics.avatarFps, 1)}
            testId="metric-avatar-fps"
          />
          <Row
            label="Capture (fps)"
            value={formatNumber(metrics.captureFps, 1)}
            judgement={judgeFps(metrics.captureFps, targetFps)}
            testId="metric-capture-fps"
          />
          <Row
            label="Live (fps)"
            value={formatNumber(metrics.liveFps, 1)}
            judgement={judgeFps(metrics.liveFps, targetFps)}
            testId="metric-live-fps"
          />
          <Row
            label="Look-ahead (slides)"
            value={formatNumber(metrics.lookAheadSlides, 0)}
            testId="metric-look-ahead-slides"
          />
          <Row
            label="Look-ahead (s)"
            value={formatSeconds(metrics.lookAheadMs)}
            testId="metric-look-ahead"
          />
          <Row
            label="Dropped frames (total)"
            value={formatNumber(metrics.droppedFrames, 0)}
            judgement={judgeDroppedPerSecond(reading.droppedPerSecond)}
            testId="metric-dropped-frames"
          />
          <Row
            label="A/V offset (ms, + = picture first)"
            value={formatSignedMs(metrics.avOffsetMs)}
            judgement={judgeAvOffset(metrics.avOffsetMs)}
            testId="metric-av-offset"
          />
          <Row
            label="JS heap (MB)"
            value={formatNumber(metrics.jsHeapMB, 0)}
            testId="metric-js-heap"
          />
          <Row
            label="CPU (% of machine)"
            value={totals ? formatNumber(totals.machinePercent, 0) : notAvailable}
            judgement={judgeCpu(totals ? totals.machinePercent : null)}
            testId="metric-cpu"
          />
          <Row
            label="Memory, all processes (MB)"
            value={totals ? formatNumber(totals.memoryMB, 0) : notAvailable}
            testId="metric-memory"
          />
        </tbody>
      </table>
      <Processes reading={reading.processes} />
    </section>
  );
}
