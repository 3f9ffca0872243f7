import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { err, ok, type Result } from '../../../shared/result.ts';
import type { Logger } from '../logging/logger.ts';
import { writeFileAtomic } from '../speech/speech-cache.ts';

/**
 * The ElevenLabs API key, held in main only. The desktop host encrypts it at rest with the OS
 * keychain (Electron's safeStorage, passed in as a cipher so this module stays free of electron);
 * the headless host takes ELEVENLABS_API_KEY and keeps a key typed into its UI for the session
 * only. A key typed in the app wins over the environment's.
 */
export type KeySource = 'saved' | 'session' | 'environment';

export interface SecretCipher {
  /** False where no OS keychain is reachable (then nothing is written to disk). */
  isAvailable(): Promise<boolean>;
  encrypt(plain: string): Promise<Buffer>;
  decrypt(sealed: Buffer): Promise<string>;
}

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
  const { cipher, filePath, logger } = options;
  const environmentKey = options.environmentKey?.trim() || null;
  const listeners: (() => void)[] = [];
  let typed: { key: string; source: 'saved' | 'session' } | null = null;
  let persistable = false;
  const canPersist = (): boolean => cipher !== null && persistable;

  async function load(): Promise<void> {
    if (!cipher) return;
    persistable = await cipher.isAvailable().catch(() => false);
    if (!persistable) return;
    try {
      const sealed = await readFile(filePath);
      // Entered in the app while loading: that newer key wins.
      const key = await cipher.decrypt(sealed);
      typed ??= { key, source: 'saved' };
    } catch (error) {
      const missing = error instanceof Error && 'code' in error && error.code === 'ENOENT';
      if (!missing)
        logger.warn('the saved ElevenLabs key could not be read; enter it again', {
          error: String(error),
        });
    }
  }
  const ready = load();

  const current = (): string | null => typed?.key ?? environmentKey;
  const status = (): ApiKeyStatus => {
    const key = current();
    return {
      present: key !== null,
      source: typed?.source ?? (environmentKey ? 'environment' : null),
      persistence: canPersist() ? 'encrypted' : 'session',
      hint: key ? `…${key.slice(-4)}` : null,
    };
  };
  const changed = () => {
    for (const listener of listeners) listener();
  };

  return {
    ready,
    current,
    status,
    async save(key) {
      await ready;
      const trimmed = key.trim();
      if (!apiKeyPattern.test(trimmed)) {
        return err('invalid-request', 'That does not look like an ElevenLabs API key.', {
          hint: 'Paste the whole key from elevenlabs.io → Developers → API keys (it starts with "sk_").',
        });
      }
      if (cipher && canPersist()) {
        try {
          await mkdir(dirname(filePath), { recursive: true });
          await writeFileAtomic(filePath, await cipher.encrypt(trimmed));
          typed = { key: trimmed, source: 'saved' };
        } catch (error) {
          return err('io-failed', 'The key could not be saved.', {
            hint: `Check that ${dirname(filePath)} is writable.`,
            details: [error instanceof Error ? error.message : String(error)],
          });
        }
      } else {
        typed = { key: trimmed, source: 'session' };
      }
      logger.info(
        `ElevenLabs key ${typed.source === 'saved' ? 'saved (encrypted)' : 'set for this session'}`,
        {
          event_type: 'elevenlabs_key_set',
        },
      );
      changed();
      return ok(status());
    },
    async clear() {
      typed = null;
      try {
        await rm(filePath, { force: true });
      } catch (error) {
        return err('io-failed', 'The saved key could not be removed.', {
          details: [error instanceof Error ? error.message : String(error)],
        });
      }
      logger.info('ElevenLabs key cleared', { event_type: 'elevenlabs_key_cleared' });
      changed();
      return ok(status());
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}
