import { MultiBar, type Params, type SingleBar } from 'cli-progress';
import { formatClock } from '../../../shared/format-units.ts';

/**
 * How the long verbs (import, prepare, render) show progress: a cli-progress bar with the time
 * left when stdout is a terminal, and plain lines otherwise (a CI log or a pipe, where a bar's
 * carriage returns would only be noise). The lines are the verbs' own, so scripts that read them
 * keep working.
 */
export interface ProgressState {
  /** 0..1 */
  fraction: number;
  /** What is happening now ("page 3 of 11", "exporting slide 2"). */
  label: string;
  /** The verb's own estimate of the time left, when it has one (else the bar's, from the rate). */
  etaMs: number | null;
}

export interface ProgressDisplay {
  /** Moves the bar (terminal); prints `line` when one is given (not a terminal). */
  update(state: ProgressState, line: string | null): void;
  /** A line of its own in both modes (above the bar on a terminal). */
  message(text: string): void;
  stop(): void;
}

const barWidth = 30;

/** "[██████░░░░] 45% · 00:12 left · page 5 of 11" (the terminal bar's line). */
export function barLine(state: ProgressState, width = barWidth): string {
  const fraction = Math.min(1, Math.max(0, Number.isFinite(state.fraction) ? state.fraction : 0));
  const filled = Math.round(fraction * width);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  const percent = `${String(Math.floor(fraction * 100)).padStart(3)}%`;
  // At 100 % only the finishing step is left (saving, writing the file): no estimate to make.
  const left =
    fraction >= 1
      ? null
      : state.etaMs === null || !Number.isFinite(state.etaMs)
        ? 'estimating time left'
        : `${formatClock(Math.max(0, state.etaMs))} left`;
  return `[${bar}] ${percent} · ${left === null ? '' : `${left} · `}${state.label}`;
}

/** The state a bar shows: the verb's estimate when it has one, else cli-progress's own. */
export function stateForBar(
  params: Pick<Params, 'progress' | 'eta'>,
  payload: unknown,
): ProgressState {
  const given =
    typeof payload === 'object' && payload !== null ? (payload as Partial<ProgressState>) : {};
  const libraryEta = Number.isFinite(params.eta) && params.eta > 0 ? params.eta * 1000 : null;
  return {
    fraction: params.progress,
    label: typeof given.label === 'string' ? given.label : '',
    etaMs: typeof given.etaMs === 'number' ? given.etaMs : libraryEta,
  };
}

/** Per mille: the bar's total, so fractions move it smoothly. */
const barTotal = 1000;

export function createProgressDisplay(
  out: NodeJS.WriteStream = process.stdout,
  tty: boolean = out.isTTY,
): ProgressDisplay {
  if (!tty) {
    return {
      update(_state, line) {
        if (line !== null) out.write(`${line}\n`);
      },
      message(text) {
        out.write(`${text}\n`);
      },
      stop: () => undefined,
    };
  }
  const bars = new MultiBar({
    stream: out,
    format: (_options, params, payload) => barLine(stateForBar(params, payload)),
    hideCursor: true,
    clearOnComplete: false,
    stopOnComplete: false,
    // The ETA over the last 20 updates: imports speed up and slow down page by page.
    etaBuffer: 20,
  });
  let bar: SingleBar | null = null;
  let stopped = false;
  return {
    update(state) {
      const value = Math.round(Math.min(1, Math.max(0, state.fraction)) * barTotal);
      const payload = { label: state.label, etaMs: state.etaMs };
      if (bar === null) bar = bars.create(barTotal, value, payload);
      else bar.update(value, payload);
    },
    message(text) {
      if (bar === null || stopped) out.write(`${text}\n`);
      else {
        bars.log(`${text}\n`);
        // Drawn now, not at the next tick (which a stop could pre-empt).
        bars.update();
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bars.stop();
    },
  };
}
