import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { err, errorMessage, ok, type Result } from '../../../shared/result.ts';
import type { Logger } from '../logging/logger.ts';
import { writeFileAtomic } from '../platform/atomic-write.ts';

/**
 * A secret held in main only (an API key, LiveKit credentials). The desktop host seals it at
 * rest with the OS keychain (Electron's safeStorage, passed in as a cipher so this module stays
 * free of electron); the headless host takes it from the environment and keeps one typed into
 * its UI for the session only. A value entered in the app wins over the environment's.
 */
export type SecretSource = 'saved' | 'session' | 'environment';

export interface SecretCipher {
  /** False where no OS keychain is reachable (then nothing is written to disk). */
  isAvailable(): Promise<boolean>;
  encrypt(plain: string): Promise<Buffer>;
  decrypt(sealed: Buffer): Promise<string>;
}

export interface SecretStatus {
  present: boolean;
  source: SecretSource | null;
  /** Where a value entered now would be kept. */
  persistence: 'encrypted' | 'session';
}

export interface SecretStore<Value> {
  /** Settles once a saved value has been unsealed (or found absent). */
  readonly ready: Promise<void>;
  /** The value in force, or null. Synchronous: read on every use (after `ready`). */
  current(): Value | null;
  status(): SecretStatus;
  /** `value` must already be validated by the caller. */
  save(value: Value): Promise<Result<SecretStatus>>;
  clear(): Promise<Result<SecretStatus>>;
  /** Called after every change. */
  onChange(listener: () => void): void;
}

export function createSecretStore<Value>(options: {
  /** What the secret is, for log lines: "ElevenLabs key", "LiveKit credentials". */
  label: string;
  /** Event types `<eventName>_set` and `<eventName>_cleared` in the log. */
  eventName: string;
  environmentValue: Value | null;
  /** Null in the headless host: values typed in live for the session only. */
  cipher: SecretCipher | null;
  filePath: string;
  /** Checks what comes back from disk (stored as JSON). */
  schema: z.ZodType<Value>;
  logger: Logger;
}): SecretStore<Value> {
  const { cipher, filePath, logger, label, schema } = options;
  const listeners: (() => void)[] = [];
  let typed: { value: Value; source: 'saved' | 'session' } | null = null;
  let persistable = false;
  const canPersist = (): boolean => cipher !== null && persistable;

  async function load(): Promise<void> {
    if (!cipher) return;
    persistable = await cipher.isAvailable().catch(() => false);
    if (!persistable) return;
    try {
      const sealed = await readFile(filePath);
      const parsed = schema.safeParse(JSON.parse(await cipher.decrypt(sealed)));
      if (!parsed.success) throw new Error('the stored value has an unexpected shape');
      // Entered in the app while loading: that newer value wins.
      typed ??= { value: parsed.data, source: 'saved' };
    } catch (error) {
      const missing = error instanceof Error && 'code' in error && error.code === 'ENOENT';
      if (!missing)
        logger.warn(`the saved ${label} could not be read; enter it again`, {
          error: errorMessage(error),
        });
    }
  }
  const ready = load();

  const current = (): Value | null => typed?.value ?? options.environmentValue;
  const status = (): SecretStatus => ({
    present: current() !== null,
    source: typed?.source ?? (options.environmentValue !== null ? 'environment' : null),
    persistence: canPersist() ? 'encrypted' : 'session',
  });
  const changed = () => {
    for (const listener of listeners) listener();
  };

  return {
    ready,
    current,
    status,
    async save(value) {
      await ready;
      if (cipher && canPersist()) {
        try {
          await mkdir(dirname(filePath), { recursive: true });
          await writeFileAtomic(filePath, await cipher.encrypt(JSON.stringify(value)));
          typed = { value, source: 'saved' };
        } catch (error) {
          return err('io-failed', `The ${label} could not be saved.`, {
            hint: `Check that ${dirname(filePath)} is writable.`,
            details: [errorMessage(error)],
          });
        }
      } else {
        typed = { value, source: 'session' };
      }
      logger.info(
        `${label} ${typed.source === 'saved' ? 'saved (encrypted)' : 'set for this session'}`,
        { event_type: `${options.eventName}_set` },
      );
      changed();
      return ok(status());
    },
    async clear() {
      typed = null;
      try {
        await rm(filePath, { force: true });
      } catch (error) {
        return err('io-failed', `The saved ${label} could not be removed.`, {
          details: [errorMessage(error)],
        });
      }
      logger.info(`${label} cleared`, { event_type: `${options.eventName}_cleared` });
      changed();
      return ok(status());
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}
