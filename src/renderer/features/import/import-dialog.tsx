import { useEffect, useId, useRef, useState, type JSX, type KeyboardEvent } from 'react';
import { DocumentImportPanel } from './document-import-panel.tsx';
import { ImagesImportPanel } from './folder-import-panels.tsx';
import { PredecessorImportPanel } from './predecessor-import-panel.tsx';
import './import-dialog.css';

type Source = 'pdf' | 'pptx' | 'images' | 'predecessor';

const sources: readonly { id: Source; label: string }[] = [
  { id: 'pdf', label: 'PDF' },
  { id: 'pptx', label: 'PowerPoint' },
  { id: 'images', label: 'Images + script' },
  { id: 'predecessor', label: 'Rapido (Python) data' },
];

/**
 * Makes a new lesson from a PDF, a PowerPoint file, a folder of images with a script, or the
 * previous Rapido's (Python) data, either form. A modal <dialog>: the page behind is inert (focus stays inside),
 * Escape closes it, or cancels a running import first. Every panel stays mounted while another is
 * shown, so switching sources keeps what was typed.
 */
export function ImportDialog(props: { onClose: () => void }): JSX.Element {
  const { onClose } = props;
  const dialogRef = useRef<HTMLDialogElement | null>(null);
  const tabRefs = useRef(new Map<Source, HTMLButtonElement>());
  const cancelRef = useRef<(() => void) | null>(null);
  const [source, setSource] = useState<Source>('pdf');
  const [busy, setBusy] = useState(false);
  const id = useId();

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  function selectByKey(event: KeyboardEvent<HTMLDivElement>) {
    const index = sources.findIndex((s) => s.id === source);
    const next =
      event.key === 'ArrowRight'
        ? (index + 1) % sources.length
        : event.key === 'ArrowLeft'
          ? (index - 1 + sources.length) % sources.length
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? sources.length - 1
              : null;
    const target = next === null ? undefined : sources[next];
    if (!target || busy) return;
    event.preventDefault();
    setSource(target.id);
    tabRefs.current.get(target.id)?.focus();
  }

  const panelProps = { onBusyChange: setBusy, onClose };
  return (
    <dialog
      ref={dialogRef}
      className="import-dialog"
      aria-labelledby={`${id}-title`}
      aria-modal="true"
      // The presenter's shortcuts (Space, arrows, Esc, R) listen on window: keys typed here are
      // the dialog's, not the show's.
      onKeyDown={(event) => event.stopPropagation()}
      onCancel={(event) => {
        // Escape: a running import is cancelled first (it stops after the current page).
        event.preventDefault();
        if (busy) cancelRef.current?.();
        else onClose();
      }}
    >
      <div className="import-dialog-header">
        <h2 id={`${id}-title`}>Import a lesson</h2>
        <button
          type="button"
          className="import-dialog-close"
          aria-label="Close the import dialog"
          onClick={onClose}
          disabled={busy}
        >
          ×
        </button>
      </div>
      <div className="import-tabs" role="tablist" aria-label="Import from" onKeyDown={selectByKey}>
        {sources.map((s) => (
          <button
            key={s.id}
            ref={(element) => {
              if (element) tabRefs.current.set(s.id, element);
              else tabRefs.current.delete(s.id);
            }}
            type="button"
            role="tab"
            id={`${id}-tab-${s.id}`}
            aria-selected={source === s.id}
            aria-controls={`${id}-panel-${s.id}`}
            tabIndex={source === s.id ? 0 : -1}
            disabled={busy && source !== s.id}
            onClick={() => setSource(s.id)}
          >
            {s.label}
          </button>
        ))}
      </div>
      {sources.map((s) => (
        <div
          key={s.id}
          role="tabpanel"
          id={`${id}-panel-${s.id}`}
          aria-labelledby={`${id}-tab-${s.id}`}
          hidden={source !== s.id}
          className="import-panel"
        >
          {s.id === 'pdf' || s.id === 'pptx' ? (
            <DocumentImportPanel {...panelProps} source={s.id} cancelRef={cancelRef} />
          ) : s.id === 'images' ? (
            <ImagesImportPanel {...panelProps} />
          ) : (
            <PredecessorImportPanel {...panelProps} cancelRef={cancelRef} />
          )}
        </div>
      ))}
    </dialog>
  );
}
