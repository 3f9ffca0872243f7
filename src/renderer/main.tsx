import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { rapido } from './bridge/rapido.ts';
import { App } from './features/app.tsx';
import { startRenderJob } from './features/render-job.ts';
import { openLessonInto } from './features/lesson/open-lesson.ts';
import { ProgramEngine } from './engine/program-engine.ts';
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
    return;
  }
  store.setLaunch(launch.value);
  const engine = new ProgramEngine(
    rapido,
    {
      onSnapshot: (snapshot) => useAppStore.getState().setPlayback(snapshot),
      onError: (error) => useAppStore.getState().pushError(error),
      onWarning: (error) => useAppStore.getState().pushWarning(error),
      onRecordingSaved: (info) => useAppStore.getState().setLastSaved(info),
    },
    { width: 1280, height: 720 },
  );
  if (new URLSearchParams(window.location.search).get('diagnostics') === 'frame-counter') {
    engine.enableFrameCounter();
    window.rapidoDiagnostics = { publishedFrames: () => engine.publishedFrames() };
  }
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html has no #root');
  createRoot(root).render(
    <StrictMode>
      <App engine={engine} />
    </StrictMode>,
  );
  if (launch.value.mode === 'render' && launch.value.render && launch.value.lessonDir) {
    await startRenderJob(
      engine,
      launch.value.lessonDir,
      launch.value.render.outPath,
      launch.value.render.live,
      launch.value.render.realtime,
    );
  } else if (launch.value.lessonDir) {
    await openLessonInto(engine, launch.value.lessonDir);
  }
}

void boot();
