import type {
  ElevenLabsStatusInfo,
  QuotaInfo,
  SyncTalkCheckInfo,
} from '../../../shared/ipc/contract.ts';
import type { Result } from '../../../shared/result.ts';
import { describeKeySource, describeQuota } from '../voice/voice-choice.ts';

/**
 * What a "Test connection" found, in words: one line saying whether it worked, and what to do
 * when it did not. Pure, so every outcome is unit-tested without a server.
 */

export interface TestOutcome {
  ok: boolean;
  message: string;
  hint: string | null;
}

/**
 * ElevenLabs: the key's status comes from main without a request; the quota is a real request
 * to ElevenLabs with the key, so it is what proves the connection.
 */
export function describeElevenLabsTest(
  status: Result<ElevenLabsStatusInfo>,
  quota: Result<QuotaInfo> | null,
): TestOutcome {
  if (!status.ok) {
    return { ok: false, message: status.error.message, hint: status.error.hint ?? null };
  }
  const key = status.value.key;
  if (!key.present || quota === null) {
    return {
      ok: false,
      message: 'No ElevenLabs key is set.',
      hint: 'Paste your API key above (or set ELEVENLABS_API_KEY), then test again.',
    };
  }
  if (!quota.ok) {
    return {
      ok: false,
      message: `ElevenLabs did not answer with this key: ${quota.error.message}`,
      hint: quota.error.hint ?? null,
    };
  }
  return {
    ok: true,
    message: `Connected to ${status.value.baseUrl}. ${describeKeySource(key)}; ${describeQuota(quota.value)}.`,
    hint: null,
  };
}

function describeReadiness(info: SyncTalkCheckInfo, avatarName: string): string {
  switch (info.readiness) {
    case 'loaded':
      return `“${avatarName}” is loaded.`;
    case 'not-loaded':
      return `“${avatarName}” is offered but not loaded yet.`;
    case 'not-offered':
      return `The server does not offer “${avatarName}”.`;
    case 'unknown':
      return `Whether “${avatarName}” is loaded is unknown.`;
  }
}

export function describeSyncTalkTest(
  check: Result<SyncTalkCheckInfo>,
  avatarName: string,
): TestOutcome {
  if (!check.ok) {
    return {
      ok: false,
      message: `Could not test the server: ${check.error.message}`,
      hint: check.error.hint ?? null,
    };
  }
  const info = check.value;
  if (!info.reachable) {
    return {
      ok: false,
      message: `${info.serverUrl} did not answer: ${info.problem?.message ?? 'no reply.'}`,
      hint: info.problem?.hint ?? null,
    };
  }
  return {
    ok: info.readiness !== 'not-offered',
    message: `Connected to ${info.serverUrl}. ${describeReadiness(info, avatarName)}`,
    hint: info.note,
  };
}
