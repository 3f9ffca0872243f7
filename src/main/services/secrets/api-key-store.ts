import { z } from 'zod';
import { err, ok, type Result } from '../../../shared/result.ts';
import type { Logger } from '../logging/logger.ts';
import { createSecretStore, type SecretCipher, type SecretSource } from './secret-store.ts';

/** The ElevenLabs API key: a secret store of one string, with the checks a key needs. */
export type { SecretCipher } from './secret-store.ts';
export type KeySource = SecretSource;

export interface ApiKeyStatus {
  present: boolean;
  source: KeySource | null;
  /** Where a key entered now would be kept. */
  persistence: 'encrypted' | 'session';
  /** The last four characters, so a user can tell which key is in use; never more. */
  hint: string | null;
}

export interface ApiKeyStore {
  /** Settles once a saved key has been unsealed (or found absent). */
  readonly ready: Promise<void>;
  /** The key to send, or null. Synchronous: read on every request (after `ready`). */
  current(): string | null;
  status(): ApiKeyStatus;
  save(key: string): Promise<Result<ApiKeyStatus>>;
  clear(): Promise<Result<ApiKeyStatus>>;
  /** Called after every change (the provider resets its circuit breaker). */
  onChange(listener: () => void): void;
}

export const apiKeyPattern = /^[A-Za-z0-9_\-.]{16,200}$/;

export function createApiKeyStore(options: {
  environmentKey: string | undefined;
  /** Null in the headless host: keys typed in live for the session only. */
  cipher: SecretCipher | null;
  filePath: string;
  logger: Logger;
}): ApiKeyStore {
  const store = createSecretStore<string>({
    label: 'ElevenLabs key',
    eventName: 'elevenlabs_key',
    environmentValue: options.environmentKey?.trim() || null,
    cipher: options.cipher,
    filePath: options.filePath,
    schema: z.string().regex(apiKeyPattern),
    logger: options.logger,
  });
  const status = (): ApiKeyStatus => {
    const key = store.current();
    return { ...store.status(), hint: key ? `…${key.slice(-4)}` : null };
  };
  return {
    ready: store.ready,
    current: () => store.current(),
    status,
    async save(key) {
      const trimmed = key.trim();
      if (!apiKeyPattern.test(trimmed)) {
        return err('invalid-request', 'That does not look like an ElevenLabs API key.', {
          hint: 'Paste the whole key from elevenlabs.io → Developers → API keys (it starts with "sk_").',
        });
      }
      const saved = await store.save(trimmed);
      return saved.ok ? ok(status()) : saved;
    },
    async clear() {
      const cleared = await store.clear();
      return cleared.ok ? ok(status()) : cleared;
    },
    onChange: (listener) => store.onChange(listener),
  };
}
