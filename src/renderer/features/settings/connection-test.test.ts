import { describe, expect, it } from 'vitest';
import type { ElevenLabsStatusInfo, SyncTalkCheckInfo } from '../../../shared/ipc/contract.ts';
import { err, ok } from '../../../shared/result.ts';
import { describeElevenLabsTest, describeSyncTalkTest } from './connection-test.ts';

const status: ElevenLabsStatusInfo = {
  key: { present: true, source: 'saved', persistence: 'encrypted', hint: '…abcd' },
  baseUrl: 'https://api.elevenlabs.io',
  baseUrlFromEnvironment: false,
  defaults: { voiceId: null, modelId: 'eleven_flash_v2_5' },
  paused: null,
};

const quota = {
  tier: 'creator',
  characterCount: 1_000,
  characterLimit: 101_000,
  charactersLeft: 100_000,
  resetsAtUnix: null,
};

describe('describeElevenLabsTest', () => {
  it('reports the server, the key (by its hint only) and the quota when the quota answers', () => {
    const outcome = describeElevenLabsTest(ok(status), ok(quota));
    expect(outcome.ok).toBe(true);
    expect(outcome.message).toContain('https://api.elevenlabs.io');
    expect(outcome.message).toContain('…abcd');
    expect(outcome.message).toContain('100,000 characters left');
  });

  it('says there is no key, with what to do', () => {
    const noKey = { ...status, key: { ...status.key, present: false, source: null, hint: null } };
    const outcome = describeElevenLabsTest(ok(noKey), null);
    expect(outcome).toMatchObject({ ok: false, message: 'No ElevenLabs key is set.' });
    expect(outcome.hint).toMatch(/API key/);
  });

  it('passes on why the quota request failed, and a failed status', () => {
    const rejected = describeElevenLabsTest(
      ok(status),
      err('not-available', 'the key was refused (401)', { hint: 'Check the key.' }),
    );
    expect(rejected).toEqual({
      ok: false,
      message: 'ElevenLabs did not answer with this key: the key was refused (401)',
      hint: 'Check the key.',
    });
    expect(describeElevenLabsTest(err('internal', 'main is gone'), null)).toEqual({
      ok: false,
      message: 'main is gone',
      hint: null,
    });
  });
});

describe('describeSyncTalkTest', () => {
  const check: SyncTalkCheckInfo = {
    serverUrl: 'http://127.0.0.1:8000',
    urlFromEnvironment: false,
    reachable: true,
    problem: null,
    models: ['alin_cc'],
    loadedFolders: ['alin_cc'],
    readiness: 'loaded',
    note: 'Matched by folder name.',
    capacity: null,
  };

  it('reports a reachable server and whether the avatar is ready', () => {
    expect(describeSyncTalkTest(ok(check), 'alin_cc')).toEqual({
      ok: true,
      message: 'Connected to http://127.0.0.1:8000. “alin_cc” is loaded.',
      hint: 'Matched by folder name.',
    });
    expect(describeSyncTalkTest(ok({ ...check, readiness: 'not-offered' }), 'bob').ok).toBe(false);
  });

  it('reports an unreachable server with its problem and hint', () => {
    const outcome = describeSyncTalkTest(
      ok({
        ...check,
        reachable: false,
        readiness: 'unknown',
        problem: { message: 'connection refused', hint: 'Start the SyncTalk server.' },
      }),
      'alin_cc',
    );
    expect(outcome).toEqual({
      ok: false,
      message: 'http://127.0.0.1:8000 did not answer: connection refused',
      hint: 'Start the SyncTalk server.',
    });
    expect(describeSyncTalkTest(err('internal', 'no answer'), 'x').message).toBe(
      'Could not test the server: no answer',
    );
  });
});
