import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { rapido } from './bridge/rapido.ts';
import { App } from './features/app.tsx';
import { startRenderJob } from './features/render-job.ts';
import { startImportJob } from './features/import-job/import-job.ts';
import { openLessonInto } from './features/lesson/open-lesson.ts';
import { createProgram } from './features/program/program.ts';
import { ProgramProvider } from './features/program/use-program.tsx';
import { useAppStore } from './store/app-store.ts';
import { installGlobalErrorForwarding } from './renderer-log.ts';
import { applyStoredTheme } from './features/settings/theme.ts';
import './styles.css';

declare global {
  interface Window {
    /** Present only with ?diagnostics=frame-counter (the latency benchmark). */
    rapidoDiagnostics?: { publishedFrames(): { counter: number; publishedAtMs: number }[] };
  }
}

async function boot(): Promise<void> {
  installGlobalErrorForwarding();
  // Before the first paint, so a dark-theme user never sees a light flash.
  applyStoredTheme();
  const launch = await rapido.app.getLaunch();
  const store = useAppStore.getState();
  if (!launch.ok) {
    store.pushError(launch.error);
    // No app can be shown without the host (a used one-time link, a stopped host): say why.
    document.body.textContent = launch.error.message;
    return;
  }
  store.setLaunch(launch.value);
  const program = createProgram(rapido, { width: 1280, height: 720 });
  if (new URLSearchParams(window.location.search).get('diagnostics') === 'frame-counter') {
    program.live.enableFrameCounter();
    window.rapidoDiagnostics = { publishedFrames: () => program.live.publishedFrames() };
  }
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html has no #root');
  createRoot(root).render(
    <StrictMode>
      <ProgramProvider program={program}>
        <App />
      </ProgramProvider>
    </StrictMode>,
  );
  if (launch.value.mode === 'import' && launch.value.importJob) {
    await startImportJob(launch.value.importJob);
  } else if (launch.value.mode === 'render' && launch.value.render && launch.value.lessonDir) {
    await startRenderJob(
      program,
      launch.value.lessonDir,
      launch.value.render.destinationId,
      launch.value.render.live,
      launch.value.render.realtime,
      launch.value.render.preRoll,
      launch.value.render.part ?? null,
    );
  } else if (launch.value.lessonDir) {
    await openLessonInto(program.engine, launch.value.lessonDir);
  }
}

// A boot that throws has shown nothing: say why rather than leave a blank page.
boot().catch((error: unknown) => {
  document.body.textContent = error instanceof Error ? error.message : String(error);
});
