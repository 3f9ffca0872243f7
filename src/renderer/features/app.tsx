import type { ProgramEngine } from '../engine/program-engine.ts';
import { LessonToolbar } from './lesson/lesson-toolbar.tsx';
import { SlideList } from './lesson/slide-list.tsx';
import { Notices } from './notices.tsx';
import { AvatarPanel } from './presenter/avatar-panel.tsx';
import { LivePanel } from './presenter/live-panel.tsx';
import { ProgramView } from './presenter/program-view.tsx';
import { RecordingPanel } from './presenter/recording-panel.tsx';
import { SlideNotes } from './presenter/slide-notes.tsx';
import { TransportBar } from './presenter/transport-bar.tsx';
import { VoicePanel } from './presenter/voice-panel.tsx';
import { useKeyboardShortcuts } from './presenter/use-keyboard-shortcuts.ts';

export function App({ engine }: { engine: ProgramEngine }) {
  useKeyboardShortcuts(engine);
  return (
    <div className="app">
      <LessonToolbar engine={engine} />
      <div className="workspace">
        <SlideList engine={engine} />
        <main className="stage-column">
          <ProgramView engine={engine} />
          <TransportBar engine={engine} />
          <SlideNotes />
        </main>
        <aside className="side-column">
          <VoicePanel engine={engine} />
          <AvatarPanel />
          <RecordingPanel engine={engine} />
          <LivePanel engine={engine} />
        </aside>
      </div>
      <Notices />
    </div>
  );
}
