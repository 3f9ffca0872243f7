import {
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
  type SyntheticEvent,
} from 'react';
import { AvatarPanel } from '../inspector/avatar-panel.tsx';
import { LivePanel } from '../inspector/live-panel.tsx';
import { VoicePanel } from '../inspector/voice-panel.tsx';
import { AppearanceSection } from './appearance-section.tsx';
import { ElevenLabsTest, SyncTalkTest } from './connection-test-button.tsx';
import { OutputSection } from './output-section.tsx';
import { RecordingSection } from './recording-section.tsx';
import './settings-dialog.css';

/**
 * Settings in one modal dialog, a tab per subject. A native <dialog> opened with showModal():
 * the page behind is inert (focus cannot leave), Escape closes, and focus goes back to what had
 * it (the Settings button) when the dialog goes. Only the chosen tab is mounted, so a panel's
 * checks (server reachability, key status) run when it is looked at.
 */

type TabId = 'output' | 'voice' | 'avatar' | 'livekit' | 'recording' | 'appearance';

const tabs: { id: TabId; label: string }[] = [
  { id: 'output', label: 'Output' },
  { id: 'voice', label: 'Voice' },
  { id: 'avatar', label: 'Avatar' },
  { id: 'livekit', label: 'LiveKit' },
  { id: 'recording', label: 'Recording' },
  { id: 'appearance', label: 'Appearance' },
];

function TabContent({ tab }: { tab: TabId }): ReactNode {
  switch (tab) {
    case 'output':
      return <OutputSection />;
    case 'voice':
      return (
        <>
          <VoicePanel />
          <ElevenLabsTest />
        </>
      );
    case 'avatar':
      return (
        <>
          <AvatarPanel />
          <SyncTalkTest />
        </>
      );
    case 'livekit':
      return <LivePanel />;
    case 'recording':
      return <RecordingSection />;
    case 'appearance':
      return <AppearanceSection />;
  }
}

export function SettingsDialog({ onClose }: { onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const tabButtons = useRef(new Map<TabId, HTMLButtonElement>());
  const [tab, setTab] = useState<TabId>('output');
  const baseId = useId();
  const titleId = `${baseId}-title`;
  const tabId = (id: TabId) => `${baseId}-tab-${id}`;
  const panelId = (id: TabId) => `${baseId}-panel-${id}`;

  // Layout effect: open before paint, and remember the focus before showModal moves it.
  useLayoutEffect(() => {
    const element = dialog.current;
    if (!element) return;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!element.open) element.showModal();
    tabButtons.current.get('output')?.focus();
    return () => {
      if (element.open) element.close();
      // The dialog unmounts with its owner's state: focus goes back where it came from.
      if (previous?.isConnected) previous.focus();
    };
  }, []);

  function choose(next: TabId, focus: boolean): void {
    setTab(next);
    if (focus) tabButtons.current.get(next)?.focus();
  }

  /** Tabs pattern (WAI-ARIA APG): arrows move between tabs, Home/End to the ends. */
  function onTabKey(event: KeyboardEvent<HTMLButtonElement>): void {
    const index = tabs.findIndex((t) => t.id === tab);
    let next: number | null = null;
    if (event.key === 'ArrowRight') next = (index + 1) % tabs.length;
    else if (event.key === 'ArrowLeft') next = (index - 1 + tabs.length) % tabs.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = tabs.length - 1;
    const target = next === null ? undefined : tabs[next];
    if (!target) return;
    event.preventDefault();
    choose(target.id, true);
  }

  function onKeyDown(event: KeyboardEvent<HTMLDialogElement>): void {
    // The presenter's shortcuts (Space, arrows, Esc = stop, R = record) listen on window:
    // keys pressed in here are the dialog's alone.
    event.stopPropagation();
    if (event.key === 'Escape' && !event.defaultPrevented) {
      // Closed by our owner (unmounting), not by the browser, so React stays in charge.
      event.preventDefault();
      onClose();
    }
  }

  function onCancel(event: SyntheticEvent<HTMLDialogElement>): void {
    event.preventDefault();
    onClose();
  }

  return (
    <dialog
      ref={dialog}
      className="settings-dialog"
      aria-labelledby={titleId}
      aria-modal="true"
      onKeyDown={onKeyDown}
      onCancel={onCancel}
      data-testid="settings-dialog"
    >
      <header className="settings-header">
        <h2 id={titleId}>Settings</h2>
        <button
          type="button"
          className="settings-close"
          onClick={onClose}
          aria-label="Close settings"
        >
          ✕
        </button>
      </header>
      <div className="settings-tabs" role="tablist" aria-label="Settings sections">
        {tabs.map((t) => (
          <button
            key={t.id}
            ref={(element) => {
              if (element) tabButtons.current.set(t.id, element);
              else tabButtons.current.delete(t.id);
            }}
            type="button"
            role="tab"
            id={tabId(t.id)}
            aria-selected={t.id === tab}
            aria-controls={panelId(t.id)}
            tabIndex={t.id === tab ? 0 : -1}
            className={t.id === tab ? 'settings-tab selected' : 'settings-tab'}
            onClick={() => choose(t.id, false)}
            onKeyDown={onTabKey}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="settings-body" role="tabpanel" id={panelId(tab)} aria-labelledby={tabId(tab)}>
        <TabContent tab={tab} />
      </div>
      <footer className="settings-footer">
        <p className="hint">Changes apply at once; output changes are saved with the lesson.</p>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </footer>
    </dialog>
  );
}
