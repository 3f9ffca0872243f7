import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { createMemoryLogger } from '../logging/logger.ts';
import { createSecretStore, type SecretCipher } from './secret-store.ts';

/** A reversible stand-in for the OS keychain: what is written is not the plain text. */
function fakeCipher(available = true): SecretCipher {
  return {
    isAvailable: () => Promise.resolve(available),
    encrypt: (plain) => Promise.resolve(Buffer.from(plain, 'utf8').reverse()),
    decrypt: (sealed) => Promise.resolve(Buffer.from(sealed).reverse().toString('utf8')),
  };
}

const schema = z.object({ apiKey: z.string(), apiSecret: z.string() });
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rapido-secrets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function store(
  cipher: SecretCipher | null,
  environmentValue: z.infer<typeof schema> | null = null,
) {
  return createSecretStore({
    label: 'LiveKit credentials',
    eventName: 'livekit_credentials',
    environmentValue,
    cipher,
    filePath: join(dir, 'secrets', 'livekit.bin'),
    schema,
    logger: createMemoryLogger(),
  });
}

describe('createSecretStore', () => {
  test('a saved value is sealed on disk and comes back in a new process', async () => {
    const first = store(fakeCipher());
    const saved = await first.save({ apiKey: 'APIabc', apiSecret: 'very-secret-value' });
    expect(saved.ok && saved.value).toEqual({
      present: true,
      source: 'saved',
      persistence: 'encrypted',
    });
    const onDisk = await readFile(join(dir, 'secrets', 'livekit.bin'), 'utf8');
    expect(onDisk).not.toContain('very-secret-value');
    const second = store(fakeCipher());
    await second.ready;
    expect(second.current()).toEqual({ apiKey: 'APIabc', apiSecret: 'very-secret-value' });
  });

  test('without a keychain a value lives for the session only and nothing is written', async () => {
    const s = store(fakeCipher(false));
    const saved = await s.save({ apiKey: 'k', apiSecret: 's' });
    expect(saved.ok && saved.value.source).toBe('session');
    await expect(readFile(join(dir, 'secrets', 'livekit.bin'))).rejects.toThrow();
  });

  test('the environment is used until a value is entered, and again after it is cleared', async () => {
    const s = store(null, { apiKey: 'env', apiSecret: 'env-secret' });
    await s.ready;
    expect(s.status().source).toBe('environment');
    let changes = 0;
    s.onChange(() => (changes += 1));
    await s.save({ apiKey: 'typed', apiSecret: 'typed-secret' });
    expect(s.current()?.apiKey).toBe('typed');
    await s.clear();
    expect(s.current()?.apiKey).toBe('env');
    expect(changes).toBe(2);
  });

  test('a damaged file is ignored with a warning, not trusted', async () => {
    const path = join(dir, 'secrets', 'livekit.bin');
    await store(fakeCipher()).save({ apiKey: 'a', apiSecret: 'b' });
    await writeFile(path, Buffer.from('{"unexpected":true}').reverse());
    const s = store(fakeCipher());
    await s.ready;
    expect(s.current()).toBeNull();
  });
});
