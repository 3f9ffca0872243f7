import { rapido } from '../bridge/rapido.ts';
import type { Program } from './program/program.ts';
import { useAppStore } from '../store/app-store.ts';
import { formatError } from '../../shared/result.ts';
import type { RenderPart } from '../../shared/ipc/contract.ts';

function fail(message: string): void {
  rapido.render.reportProgress({
    phase: 'failed',
    fraction: 0,
    programMs: 0,
    totalMs: null,
    slideIndex: null,
    message,
  });
}

/**
 * The headless `render` command's job, run by the same renderer a user sees: open the lesson,
 * press Record (in real time, once the first slide has pre-rolled, unless told not to wait),
 * report progress twice a second, and say when the file is complete.
 */
export async function startRenderJob(
  program: Program,
  lessonDir: string,
  /** The command line's --out, as main's opaque id for it. */
  destinationId: string,
  live: { room: string | null } | null = null,
  realtime = false,
  preRoll = true,
  /** Export only: one part of a split render (`rapido render --parallel`). */
  part: RenderPart | null = null,
): Promise<void> {
  const { engine, live: liveOutput, recording } = program;
  rapido.render.reportProgress({
    phase: 'loading',
    fraction: 0,
    programMs: 0,
    totalMs: null,
    slideIndex: null,
  });
  const opened = await rapido.lesson.open(lessonDir);
  if (!opened.ok) {
    fail(formatError(opened.error));
    return;
  }
  const errors: string[] = [];
  // Any error while rendering ends the job: stop at once rather than wait on a slide that will
  // never be ready. Stopping also closes the recording, which settles `saved` below.
  const unsubscribe = useAppStore.subscribe((state, previous) => {
    if (state.notices.length > previous.notices.length) {
      const latest = state.notices[state.notices.length - 1];
      if (latest?.kind === 'error') {
        errors.push(formatError(latest.error));
        void engine.stop();
      }
    }
  });
  await engine.loadLesson(opened.value.dir, opened.value.lesson);
  useAppStore.getState().setLesson(opened.value.dir, opened.value.lesson);
  // A job starts on a lesson that shows its first slide, with that slide's speech made.
  await engine.whenPrepared();
  const saved = new Promise<string>((resolve) => {
    const stop = useAppStore.subscribe((state) => {
      if (state.lastSaved) {
        stop();
        resolve(state.lastSaved.path);
      }
    });
  });
  if (!realtime && !live) {
    await exportJob(program, destinationId, unsubscribe, part);
    return;
  }
  if (live) {
    // Connected and publishing before the first word, so viewers get the whole lesson.
    const streaming = await liveOutput.goLive({
      ...(live.room ? { room: live.room } : {}),
      play: false,
    });
    if (!streaming) {
      unsubscribe();
      fail(errors[0] ?? 'going live failed');
      return;
    }
  }
  // As a presenter who opens the lesson and waits a moment: the first slide's avatar video is in
  // hand before Play (unless --no-pre-roll: Play at once, as a presenter pressing it at once).
  if (preRoll) await engine.whenPreRolled();
  // The file is open and the encoder ready before Play either way (the job knows it records), so
  // Play starts the file at once and what follows Play is the program's own start.
  if (!(await recording.arm({ destinationId }))) {
    unsubscribe();
    fail(errors[0] ?? 'the recording did not start');
    return;
  }
  const started = await recording.record({ destinationId });
  if (!started) {
    unsubscribe();
    fail(errors[0] ?? 'the recording did not start');
    return;
  }
  const timer = window.setInterval(() => {
    rapido.render.reportProgress(engine.progress());
  }, 500);
  const path = await saved;
  window.clearInterval(timer);
  if (live) await liveOutput.stopLive();
  unsubscribe();
  if (errors.length > 0) {
    fail(`${errors.join('\n')}\n(the recording up to the failure is in ${path})`);
    return;
  }
  rapido.render.reportProgress({ ...engine.progress(), phase: 'done', fraction: 1, outPath: path });
}

/** The frame-stepped export: the same job, as fast as the machine allows. */
async function exportJob(
  program: Program,
  destinationId: string,
  unsubscribe: () => void,
  part: RenderPart | null,
): Promise<void> {
  const report = () => {
    const progress = useAppStore.getState().playback.exporting;
    if (!progress) return;
    rapido.render.reportProgress({
      phase: progress.phase,
      fraction: progress.fraction,
      programMs: progress.programMs,
      totalMs: progress.totalMs,
      slideIndex: progress.slideIndex,
      etaMs: progress.etaMs,
      realtimeFactor: progress.realtimeFactor,
    });
  };
  const timer = window.setInterval(report, 500);
  const result = await program.exporter.exportVideo({ destinationId }, part);
  window.clearInterval(timer);
  unsubscribe();
  if (!result.ok) {
    fail(formatError(result.error));
    return;
  }
  rapido.render.reportProgress({
    phase: 'done',
    fraction: 1,
    programMs: result.value.programMs,
    totalMs: result.value.programMs,
    slideIndex: null,
    outPath: result.value.path,
    realtimeFactor: result.value.programMs / result.value.wallMs,
  });
}
