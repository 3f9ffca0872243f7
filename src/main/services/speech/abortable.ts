import { err } from '../../../shared/result.ts';
import type { Result } from '../../../shared/result.ts';

export function cancelledSpeech<T>(): Result<T> {
  return err('cancelled', 'Speech synthesis was cancelled.');
}

/**
 * Resolves with the work's result, or with a cancelled result as soon as the signal aborts,
 * whichever comes first. The work itself carries on (it may be shared or already running); the
 * caller just stops waiting for it. Never rejects.
 */
export function resultOrCancelled<T>(
  work: Promise<Result<T>>,
  signal: AbortSignal | undefined,
): Promise<Result<T>> {
  if (signal?.aborted) return Promise.resolve(cancelledSpeech());
  return new Promise((resolve) => {
    function onAbort() {
      resolve(cancelledSpeech());
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (result) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(
          err('internal', 'Speech synthesis failed unexpectedly.', { details: [String(error)] }),
        );
      },
    );
  });
}
