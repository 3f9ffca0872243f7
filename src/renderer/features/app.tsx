import { useEffect, useState } from 'react';
import { PlacementControls } from './avatar-layout/placement-controls.tsx';
import { PlacementOverlay } from './avatar-layout/placement-overlay.tsx';
import { startLessonSync } from './editor/lesson-sync.ts';
import { KeyingPanel } from './keying/keying-panel.tsx';
import { PregeneratePanel } from './pregenerate/pregenerate-panel.tsx';
import { SettingsDialog } from './settings/settings-dialog.tsx';
import { SlideEditor } from './editor/slide-editor.tsx';
import { LessonToolbar, type AppMode } from './lesson/lesson-toolbar.tsx';
import { SlideList } from './lesson/slide-list.tsx';
import { MetricsPanel } from './metrics/metrics-panel.tsx';
import { Notices } from './notices.tsx';
import { PresenterConsole } from './present/presenter-console.tsx';
import { usePresentStore } from './present/present-store.ts';
import { ShortcutHelp } from './present/shortcut-help.tsx';
import { AvatarPanel } from './inspector/avatar-panel.tsx';
import { LivePanel } from './inspector/live-panel.tsx';
import { ProgramView } from './program/program-view.tsx';
import { RecordingPanel } from './inspector/recording-panel.tsx';
import { TransportBar } from './program/transport-bar.tsx';
import { VoicePanel } from './inspector/voice-panel.tsx';
import { useKeyboardShortcuts } from './present/use-keyboard-shortcuts.ts';
import { useProgram } from './program/use-program.tsx';
import './editor/editor.css';

/**
 * The app shell: Edit (slides, the selected slide's preview and words, the inspector) and
 * Present (the presenter console). The one program canvas moves with the mode.
 */
export function App() {
  const { engine } = useProgram();
  const [mode, setMode] = useState<AppMode>('edit');
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [metricsOpen, setMetricsOpen] = useState(false);
  const { helpOpen, closeHelp } = useKeyboardShortcuts();
  useEffect(() => startLessonSync(engine), [engine]);
  return (
    <div className="app" data-mode={mode}>
      <LessonToolbar
        mode={mode}
        onMode={setMode}
        onSettings={() => setSettingsOpen(true)}
        metricsOpen={metricsOpen}
        onMetrics={() => setMetricsOpen(!metricsOpen)}
        onHelp={() => usePresentStore.getState().setHelpOpen(true)}
      />
      {mode === 'present' ? (
        <PresenterConsole />
      ) : (
        <div className="workspace">
          <SlideList editable />
          <main className="stage-column">
            <ProgramView overlay={<PlacementOverlay />} />
            <TransportBar />
            <SlideEditor />
          </main>
          <aside className="side-column">
            <PlacementControls />
            <KeyingPanel />
            <PregeneratePanel />
            <VoicePanel />
            <AvatarPanel />
            <RecordingPanel />
            <LivePanel />
          </aside>
        </div>
      )}
      {metricsOpen ? (
        <aside className="metrics-drawer" aria-label="Metrics drawer">
          <MetricsPanel />
        </aside>
      ) : null}
      {settingsOpen ? <SettingsDialog onClose={() => setSettingsOpen(false)} /> : null}
      <ShortcutHelp open={helpOpen} onClose={closeHelp} />
      <Notices />
    </div>
  );
}
