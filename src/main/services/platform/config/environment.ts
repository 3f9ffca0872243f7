import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/** https anywhere; http only to a loopback host, where nothing on the network can read it. */
export function isHttpsOrLoopback(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  if (url.protocol !== 'http:') return false;
  const host = url.hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The environment is a boundary too: parsed once with zod, with the predecessor's variable
 * names kept so existing deployments carry over.
 */
const environmentSchema = z.object({
  RAPIDO_LOG_DIR: z.string().min(1).optional(),
  RAPIDO_DATA_DIR: z.string().min(1).optional(),
  LOG_LEVEL: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(['debug', 'info', 'warn', 'error']))
    .optional(),
  CHROMIUM_PATH: z.string().min(1).optional(),
  SLIDE_FRAMES_PATH: z.string().min(1).optional(),
  /** Headless: folders (path-list separated) whose paths the page may type in. */
  RAPIDO_FOLDERS: z.string().min(1).optional(),
  RAPIDO_RECORDING_DIR: z.string().min(1).optional(),
  /** Overrides a lesson's SyncTalk server URL (the predecessor's variable). */
  SYNCTALK_SERVER_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Read by main only; zod's messages never echo the value. */
  ELEVENLABS_API_KEY: z
    .string()
    .trim()
    .transform((value) => (value.length > 0 ? value : undefined))
    .optional(),
  /**
   * A proxy or a test server speaking the ElevenLabs API. Every request carries the API key,
   * so plain http is refused unless it stays on this machine.
   */
  ELEVENLABS_BASE_URL: z
    .url({ protocol: /^https?$/ })
    .refine(isHttpsOrLoopback, {
      message:
        'must start with https:// (plain http:// only to this machine: localhost, 127.0.0.1 or [::1]), because every request carries the ElevenLabs API key',
    })
    .optional(),
  ELEVENLABS_VOICE_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/)
    .optional(),
  ELEVENLABS_MODEL_ID: z
    .string()
    .regex(/^[a-z0-9_.-]{1,100}$/)
    .optional(),
  /** The render farm's Redis (issue 18): `redis://host:port[/db]`, shared by the API and workers. */
  RAPIDO_REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** The API reads lessons only from under this folder (a path outside it is refused). */
  RAPIDO_LESSON_ROOT: z.string().min(1).optional(),
  /** Signs and checks the API's tokens (HS256); the predecessor's variable. Never echoed. */
  JWT_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (HS256 needs a 256-bit secret)')
    .optional(),
  /** The predecessor's LiveKit variables. */
  LIVEKIT_URL: z.url({ protocol: /^(wss?|https?)$/ }).optional(),
  LIVEKIT_API_KEY: z.string().trim().min(1).optional(),
  LIVEKIT_API_SECRET: z.string().trim().min(1).optional(),
});
export type Environment = z.infer<typeof environmentSchema>;

export function readEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): { ok: true; value: Environment } | { ok: false; message: string } {
  const parsed = environmentSchema.safeParse(env);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  return { ok: false, message: `Invalid environment: ${problems}` };
}

/** Where the headless host keeps its cache and logs when no Electron app paths exist. */
export function headlessDataDir(env: Environment): string {
  if (env.RAPIDO_DATA_DIR) return env.RAPIDO_DATA_DIR;
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.cache'), 'rapido');
}

/**
 * The speech and avatar-segment caches of every host (desktop, headless, `rapido prepare`): they
 * are content-addressed and safe with concurrent writers, so one folder lets a lesson prepared on
 * the command line play from the app without a voice service or GPU server.
 */
export function sharedCacheDir(env: Environment): string {
  return join(headlessDataDir(env), 'cache');
}
