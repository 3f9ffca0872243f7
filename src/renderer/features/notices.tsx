import { useAppStore, type Notice } from '../store/app-store.ts';
import { detectKeyFromBorder } from './keying/detect-from-border.ts';
import { useProgram } from './program/use-program.tsx';

/** Errors where the user is looking: what went wrong, each problem, and what to do. */
export function Notices() {
  const notices = useAppStore((s) => s.notices);
  const dismiss = useAppStore((s) => s.dismiss);
  if (notices.length === 0) return null;
  return (
    <div className="notices" role="status" aria-live="assertive">
      {notices.map((notice) => (
        <div
          key={notice.id}
          className={`notice ${notice.kind}`}
          data-testid={`notice-${notice.kind}`}
        >
          <div className="notice-body">
            <strong>{notice.error.message}</strong>
            {notice.error.details?.length ? (
              <ul>
                {notice.error.details.map((detail) => (
                  <li key={detail}>{detail}</li>
                ))}
              </ul>
            ) : null}
            {notice.error.hint ? <p>{notice.error.hint}</p> : null}
            {notice.action ? <NoticeAction notice={notice} /> : null}
          </div>
          <button
            type="button"
            className="notice-close"
            onClick={() => dismiss(notice.id)}
            aria-label="Dismiss"
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

/**
 * A notice's offer: Detect from border on the live avatar frames (SyncTalk frames came without
 * the key colour). Its outcome replaces the notice, so the user sees what it did.
 */
function NoticeAction({ notice }: { notice: Notice }) {
  const { engine } = useProgram();
  const dismiss = useAppStore((s) => s.dismiss);
  if (notice.action !== 'detect-key-from-border') return null;
  return (
    <button
      type="button"
      className="small"
      onClick={() => {
        const status = detectKeyFromBorder(engine);
        dismiss(notice.id);
        const store = useAppStore.getState();
        if (status.kind === 'info') store.pushInfo(status.message);
        else
          store.pushWarning({
            code: 'not-available',
            message: status.message,
            ...(status.hint ? { hint: status.hint } : {}),
          });
      }}
    >
      Detect from border
    </button>
  );
}
