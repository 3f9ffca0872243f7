import { useEffect, useRef, type KeyboardEvent } from 'react';
import { shortcuts, type ShortcutGroup } from './shortcuts.ts';
import './shortcut-help.css';

const groups: readonly ShortcutGroup[] = ['Presenting', 'Editing', 'Help'];

/**
 * Every keyboard shortcut, listed from the same table the key handler uses. Modal: the focus
 * moves into it and stays there (Tab cycles), Escape or a click outside closes it, and the focus
 * goes back where it was.
 */
export function ShortcutHelp(props: { open: boolean; onClose: () => void }) {
  const { open, onClose } = props;
  const dialog = useRef<HTMLDivElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeButton.current?.focus();
    return () => before?.focus();
  }, [open]);

  if (!open) return null;

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Escape') {
      // Closing the help is all Esc does here: it must not also stop the presentation.
      event.stopPropagation();
      event.preventDefault();
      onClose();
      return;
    }
    if (event.key !== 'Tab') return;
    const focusable = dialog.current?.querySelectorAll<HTMLElement>(
      'button, [href], [tabindex]:not([tabindex="-1"])',
    );
    if (!focusable || focusable.length === 0) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last?.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first?.focus();
    }
  }

  return (
    <div
      className="shortcut-help-backdrop"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <div
        className="shortcut-help"
        role="dialog"
        aria-modal="true"
        aria-labelledby="shortcut-help-title"
        ref={dialog}
        onKeyDown={onKeyDown}
      >
        <header>
          <h2 id="shortcut-help-title">Keyboard shortcuts</h2>
          <button type="button" ref={closeButton} onClick={onClose} aria-label="Close shortcuts">
            Close <kbd>Esc</kbd>
          </button>
        </header>
        <div className="shortcut-help-body" tabIndex={0} aria-label="Shortcut list">
          {groups.map((group) => (
            <section key={group} aria-labelledby={`shortcut-group-${group}`}>
              <h3 id={`shortcut-group-${group}`}>{group}</h3>
              <dl>
                {shortcuts
                  .filter((shortcut) => shortcut.group === group)
                  .map((shortcut) => (
                    <div className="shortcut-row" key={shortcut.id}>
                      <dt>
                        {shortcut.keys.map((key, index) => (
                          <span key={key}>
                            {index > 0 ? <span className="shortcut-or"> or </span> : null}
                            <kbd>{key}</kbd>
                          </span>
                        ))}
                      </dt>
                      <dd>{shortcut.description}</dd>
                    </div>
                  ))}
              </dl>
            </section>
          ))}
          <p className="shortcut-help-note">
            Keys typed into a text field stay in the field (its own undo included); Esc and Ctrl/⌘+S
            work everywhere.
          </p>
        </div>
      </div>
    </div>
  );
}
