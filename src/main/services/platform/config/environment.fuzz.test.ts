import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { awkwardKeys, awkwardText, expectPlainData, fuzz } from '../../../../../testing/fuzz.ts';
import { isHttpsOrLoopback, readEnvironment } from './environment.ts';

const variables = [
  'RAPIDO_LOG_DIR',
  'RAPIDO_DATA_DIR',
  'LOG_LEVEL',
  'CHROMIUM_PATH',
  'SLIDE_FRAMES_PATH',
  'RAPIDO_RECORDING_DIR',
  'SYNCTALK_SERVER_URL',
  'ELEVENLABS_API_KEY',
  'ELEVENLABS_BASE_URL',
  'ELEVENLABS_VOICE_ID',
  'ELEVENLABS_MODEL_ID',
  'LIVEKIT_URL',
  'LIVEKIT_API_KEY',
  'LIVEKIT_API_SECRET',
] as const;

/** URLs near the line between accepted and refused: schemes, loopback look-alikes, junk. */
const urlish = fc
  .tuple(
    fc.constantFrom('http://', 'https://', 'wss://', 'ws://', 'ftp://', 'HTTP://', 'file://', ''),
    fc.constantFrom(
      'localhost',
      '127.0.0.1',
      '127.1.2.3',
      '127.evil.com',
      '[::1]',
      '[::ffff:127.0.0.1]',
      '10.0.0.5',
      'api.elevenlabs.io',
      'localhost.evil.com',
      '',
      '%00',
    ),
    fc.constantFrom('', ':8000', ':99999', '/v1', '/../x', '?q=1', '#f', '@evil.com'),
  )
  .map(([scheme, host, tail]) => `${scheme}${host}${tail}`);

const value = fc.oneof(
  awkwardText(24),
  urlish,
  fc.constantFrom(
    'debug',
    'INFO',
    'Warn',
    'error',
    'loud',
    '  ',
    'eleven_flash_v2_5',
    'a'.repeat(101),
  ),
);

const environment = fc
  .array(
    fc.tuple(fc.oneof(fc.constantFrom(...variables), fc.constantFrom(...awkwardKeys)), value),
    { maxLength: 8 },
  )
  .map((entries) => {
    // Own properties only, "__proto__" included, as an environment block would give them.
    const env: Record<string, string> = {};
    for (const [key, text] of entries) {
      Object.defineProperty(env, key, {
        value: text,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return env;
  });

describe('environment parsing (properties)', () => {
  fuzz(
    'environment: any variables give settings or a message naming the variable',
    environment,
    (env) => {
      const read = readEnvironment(env);
      expectPlainData(read);
      if (!read.ok) {
        expect(read.message).toMatch(/^Invalid environment: /);
        const named = variables.filter((name) => read.message.includes(`${name}: `));
        expect(named.length, read.message).toBeGreaterThan(0);
        return;
      }
      for (const key of Object.keys(read.value)) expect(variables).toContain(key);
      const settings = read.value;
      // The API key never travels over plain http off this machine.
      if (settings.ELEVENLABS_BASE_URL !== undefined) {
        expect(isHttpsOrLoopback(settings.ELEVENLABS_BASE_URL)).toBe(true);
      }
      if (settings.LOG_LEVEL !== undefined) {
        expect(['debug', 'info', 'warn', 'error']).toContain(settings.LOG_LEVEL);
      }
      // What was read reads back the same: the parse is a normal form.
      expect(readEnvironment(settings)).toEqual(read);
    },
  );
});
