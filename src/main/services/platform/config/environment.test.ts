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
});
