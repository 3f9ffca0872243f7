import { describe, expect, it } from 'vitest';
import { headlessDataDir, readEnvironment } from './environment.ts';

describe('environment', () => {
  it('reads the predecessor’s variables and normalises LOG_LEVEL', () => {
    const env = readEnvironment({
      LOG_LEVEL: 'DEBUG',
      RAPIDO_LOG_DIR: '/logs',
      SYNCTALK_SERVER_URL: 'http://10.0.0.5:8000',
    });
    expect(env).toEqual({
      ok: true,
      value: {
        LOG_LEVEL: 'debug',
        RAPIDO_LOG_DIR: '/logs',
        SYNCTALK_SERVER_URL: 'http://10.0.0.5:8000',
      },
    });
  });
  it('names the variable that is wrong', () => {
    const bad = readEnvironment({ LOG_LEVEL: 'loud' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toContain('LOG_LEVEL');
    const url = readEnvironment({ SYNCTALK_SERVER_URL: 'ftp://x' });
    expect(url.ok).toBe(false);
    if (!url.ok) expect(url.message).toContain('SYNCTALK_SERVER_URL');
  });
  it('keeps headless data under RAPIDO_DATA_DIR when set', () => {
    expect(headlessDataDir({ RAPIDO_DATA_DIR: '/data' })).toBe('/data');
  });
  it('refuses a plain-http ElevenLabs URL off this machine, saying what would do', () => {
    for (const url of [
      'http://api.example.com',
      'http://10.0.0.5:8080/v1',
      'http://127.evil.com',
    ]) {
      const env = readEnvironment({ ELEVENLABS_BASE_URL: url });
      expect(env.ok, url).toBe(false);
      if (!env.ok) expect(env.message).toMatch(/ELEVENLABS_BASE_URL: must start with https:\/\//);
    }
    for (const url of [
      'https://api.elevenlabs.io',
      'http://127.0.0.1:4010',
      'http://localhost:8080/v1',
      'http://[::1]:9000',
    ]) {
      expect(readEnvironment({ ELEVENLABS_BASE_URL: url }), url).toMatchObject({ ok: true });
    }
  });
});
