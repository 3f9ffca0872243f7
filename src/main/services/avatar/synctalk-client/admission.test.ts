import { describe, expect, test } from 'vitest';
import { err, ok } from '../../../../shared/result.ts';
import { diagnoseAdmission } from './admission.ts';
import type { AdmissionEvidence } from './admission.ts';
import type { SyncTalkStatus } from './synctalk-http.ts';

function status(overrides: Partial<SyncTalkStatus> = {}): SyncTalkStatus {
  return {
    initialised: true,
    startupMessage: null,
    available: true,
    modelLoaded: true,
    loadedFolders: ['Alin-cc-dataset'],
    lastInferenceTimeS: null,
    capacity: { currentStreams: 1, maximumStreams: 5, availableStreams: 4 },
    ...overrides,
  };
}

function evidence(overrides: Partial<AdmissionEvidence> = {}): AdmissionEvidence {
  return {
    baseUrl: 'http://gpu-box:8000',
    avatarName: 'alin_cc',
    httpStatus: 403,
    status: ok(status()),
    models: ok(['alin_cc', 'jennifer']),
    ...overrides,
  };
}

describe('diagnoseAdmission', () => {
  test('capacity: names the stream counts and what to do, retries', () => {
    const diagnosis = diagnoseAdmission(
      evidence({
        status: ok(
          status({
            available: false,
            capacity: { currentStreams: 5, maximumStreams: 5, availableStreams: 0 },
          }),
        ),
      }),
    );
    expect(diagnosis.refusal).toBe('capacity');
    expect(diagnosis.remedy).toBe('retry');
    expect(diagnosis.error.message).toContain('http://gpu-box:8000');
    expect(diagnosis.error.message).toContain('5 of 5 streams');
    expect(diagnosis.error.hint).toContain('MAX_CONCURRENT_STREAMS');
  });

  test('unknown avatar: gives up and lists what the server offers', () => {
    const diagnosis = diagnoseAdmission(evidence({ avatarName: 'bob' }));
    expect(diagnosis.refusal).toBe('unknown-avatar');
    expect(diagnosis.remedy).toBe('give-up');
    expect(diagnosis.error.message).toContain('no avatar named "bob"');
    expect(diagnosis.error.message).toContain('"alin_cc", "jennifer"');
  });

  test('no model loaded at all: load it', () => {
    const diagnosis = diagnoseAdmission(
      evidence({ status: ok(status({ modelLoaded: false, loadedFolders: [] })) }),
    );
    expect(diagnosis.refusal).toBe('no-model');
    expect(diagnosis.remedy).toBe('load');
    expect(diagnosis.error.message).toMatch(/no avatar model is loaded/);
  });

  test('another avatar loaded: this one is not', () => {
    const diagnosis = diagnoseAdmission(
      evidence({ status: ok(status({ loadedFolders: ['jennifer'] })) }),
    );
    expect(diagnosis.refusal).toBe('not-loaded');
    expect(diagnosis.remedy).toBe('load');
    expect(diagnosis.error.message).toContain('avatar "alin_cc" is not loaded');
    expect(diagnosis.error.message).toContain('loaded: "jennifer"');
  });

  test('server still starting', () => {
    const diagnosis = diagnoseAdmission(
      evidence({
        status: ok(
          status({ initialised: false, startupMessage: 'Stream manager not initialized' }),
        ),
      }),
    );
    expect(diagnosis.refusal).toBe('not-initialised');
    expect(diagnosis.remedy).toBe('retry');
    expect(diagnosis.error.message).toContain('Stream manager not initialized');
  });

  test('status unreadable, or everything looks fine: an honest unknown', () => {
    const unreadable = diagnoseAdmission(evidence({ status: err('not-available', 'timed out') }));
    expect(unreadable.refusal).toBe('unknown');
    expect(unreadable.error.message).toContain('could not be read');
    const puzzling = diagnoseAdmission(evidence());
    expect(puzzling.refusal).toBe('unknown');
    expect(puzzling.error.message).toMatch(/looks loaded/);
  });

  test('a status other than 403 is not SyncTalk refusing', () => {
    const diagnosis = diagnoseAdmission(evidence({ httpStatus: 404 }));
    expect(diagnosis.refusal).toBe('not-synctalk');
    expect(diagnosis.remedy).toBe('give-up');
    expect(diagnosis.error.message).toContain('HTTP 404');
  });
});
