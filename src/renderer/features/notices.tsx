import { useAppStore } from '../store/app-store.ts';

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
