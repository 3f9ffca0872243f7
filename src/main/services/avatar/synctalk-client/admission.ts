import type { RapidoError, Result } from '../../../../shared/result.ts';
import { explainReadiness, formatList } from './avatar-readiness.ts';
import { displayOrigin } from './synctalk-http.ts';
import type { SyncTalkStatus } from './synctalk-http.ts';

/**
 * SyncTalk checks admission before accepting the WebSocket and refuses with a bare HTTP 403: no
 * reason reaches the client. `/status` and `/models`, read right after, tell which check failed.
 */
export type AdmissionRefusal =
  | 'not-initialised'
  | 'capacity'
  | 'no-model'
  | 'unknown-avatar'
  | 'not-loaded'
  | 'not-synctalk'
  | 'unknown';

/** What the session does next: retry with backoff, load the avatar then retry, or stop. */
export type AdmissionRemedy = 'retry' | 'load' | 'give-up';

export interface AdmissionDiagnosis {
  refusal: AdmissionRefusal;
  remedy: AdmissionRemedy;
  error: RapidoError;
}

export interface AdmissionEvidence {
  baseUrl: string;
  avatarName: string;
  folderName?: string;
  /** The upgrade's HTTP status (403 from SyncTalk; anything else is not SyncTalk's refusal). */
  httpStatus: number;
  status: Result<SyncTalkStatus>;
  models: Result<string[]>;
}

export function diagnoseAdmission(evidence: AdmissionEvidence): AdmissionDiagnosis {
  const origin = displayOrigin(evidence.baseUrl);
  const { avatarName } = evidence;
  const refused = `The SyncTalk server at ${origin} refused the avatar stream (HTTP ${evidence.httpStatus})`;
  if (evidence.httpStatus !== 403) {
    const permanent = evidence.httpStatus === 404 || evidence.httpStatus === 400;
    return {
      refusal: 'not-synctalk',
      remedy: permanent ? 'give-up' : 'retry',
      error: {
        code: 'not-available',
        message: `${refused}; SyncTalk_2D refuses with 403, so something else answered.`,
        hint: `Is ${origin} a SyncTalk_2D server (or a proxy in front of one)? Check SYNCTALK_SERVER_URL / the avatar settings.`,
      },
    };
  }
  if (!evidence.status.ok) {
    return {
      refusal: 'unknown',
      remedy: 'retry',
      error: {
        code: 'not-available',
        message: `${refused}, and its /status could not be read to say why: ${evidence.status.error.message}`,
        hint: evidence.status.error.hint,
      },
    };
  }
  const status = evidence.status.value;
  if (!status.initialised) {
    return {
      refusal: 'not-initialised',
      remedy: 'retry',
      error: {
        code: 'not-available',
        message: `${refused}: it is still starting (${status.startupMessage ?? 'not initialised'}).`,
        hint: 'Wait for the server to finish starting.',
      },
    };
  }
  const { capacity } = status;
  if (capacity.availableStreams <= 0 || !status.available) {
    return {
      refusal: 'capacity',
      remedy: 'retry',
      error: {
        code: 'not-available',
        message: `${refused}: it is at capacity (${capacity.currentStreams} of ${capacity.maximumStreams} streams in use).`,
        hint: 'Close other sessions using this server, or raise MAX_CONCURRENT_STREAMS on the server.',
      },
    };
  }
  if (evidence.models.ok && !evidence.models.value.includes(avatarName)) {
    const explained = explainReadiness(
      status,
      evidence.models.value,
      avatarName,
      evidence.folderName,
    );
    return {
      refusal: 'unknown-avatar',
      remedy: 'give-up',
      error: {
        code: 'invalid-request',
        message: `${refused}: it has no avatar named "${avatarName}". ${explained.note}`,
        hint: 'Fix the avatar name in the avatar settings.',
      },
    };
  }
  if (!status.modelLoaded || status.loadedFolders.length === 0) {
    return {
      refusal: 'no-model',
      remedy: 'load',
      error: {
        code: 'not-available',
        message: `${refused}: no avatar model is loaded on it yet (its start-up preload may still be running).`,
        hint: `Load avatar "${avatarName}" (POST ${origin}/load_model) or wait for the preload.`,
      },
    };
  }
  if (evidence.models.ok) {
    const explained = explainReadiness(
      status,
      evidence.models.value,
      avatarName,
      evidence.folderName,
    );
    if (explained.readiness !== 'loaded') {
      return {
        refusal: 'not-loaded',
        remedy: 'load',
        error: {
          code: 'not-available',
          message: `${refused}: avatar "${avatarName}" is not loaded. ${explained.note}`,
          hint: `Load avatar "${avatarName}" (POST ${origin}/load_model).`,
        },
      };
    }
  }
  return {
    refusal: 'unknown',
    remedy: 'retry',
    error: {
      code: 'not-available',
      message: `${refused}, although it has a free stream and avatar "${avatarName}" looks loaded (loaded: ${formatList(status.loadedFolders)}).`,
      hint: "Check the SyncTalk server's log for the reason.",
    },
  };
}
