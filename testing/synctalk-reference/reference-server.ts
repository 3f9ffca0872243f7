import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { z } from 'zod';
import { closeNow, listenLocal } from '../../src/main/services/platform/net/listen-local.ts';
import { handleRequest } from './http-routes.ts';
import {
  defaultFaults,
  ServerState,
  type FaultSettings,
  type ReferenceAvatar,
} from './server-state.ts';
import { upgradeHandler } from './websocket-admission.ts';

export {
  defaultFaults,
  folderNameFor,
  folderOf,
  idealServer,
  publishedDefaultBackgroundUrl,
  realServerQuirks,
  type QuirkSettings,
  type AdmissionRejection,
  type FaultSettings,
  type ReferenceAvatar,
} from './server-state.ts';

/**
 * A stand-in for the SyncTalk_2D FastAPI server (docs: /work/shared/protocols/synctalk.md and
 * README.md next to this file) that behaves like it wherever a client can observe: HTTP shapes and
 * status codes, admission refused before the WebSocket handshake (HTTP 403), batching, markers,
 * idle frames, pacing with bursts, a 13-frame send queue; plus injectable faults.
 *
 * By default it also has the real server's quirks (issue 15, `realServerQuirks`: marker crash,
 * end_speech before the tail, no video for short utterances, stale start_speech, server-side
 * keying, 500 for an unknown avatar). Pass `faults: { ...idealServer }` for a well-behaved one.
 */

export interface ReferenceServerOptions {
  /** 0 = random; default 8000. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  avatars: ReferenceAvatar[];
  /** Avatar names loaded at start-up (default: the first). */
  preloaded?: string[];
  /** How long the start-up preload takes; /status lists nothing until then. Default 0. */
  preloadDelayMs?: number;
  /** Default 5. */
  maxStreams?: number;
  /** How long POST /load_model takes. Default 300. */
  loadDelayMs?: number;
  faults?: Partial<FaultSettings>;
  log?: (line: string) => void;
}

export interface ReferenceServerStats {
  activeStreams: number;
  /** Video frames (speech and idle) written to sockets. */
  framesSent: number;
  /** start_of_stream markers received. */
  utterances: number;
  /** PCM bytes received, markers excluded, before resampling. */
  audioBytesReceived: number;
}

export interface ReferenceServer {
  /** http://HOST:PORT */
  readonly url: string;
  readonly port: number;
  setFaults(faults: Partial<FaultSettings>): void;
  stats(): ReferenceServerStats;
  /** Closes every socket (final end_speech, then 1012) and the listener. */
  close(): Promise<void>;
}

const count = z.number().int().nonnegative();
const faultsSchema = z
  .object({
    firstFrameDelayMs: count,
    stallAfterFrames: count.nullable(),
    stallMs: count,
    burstFps: z.number().min(50).max(1000),
    dropAfterFrames: z.number().int().positive().nullable(),
    rejectAdmission: z
      .enum(['capacity', 'no-model', 'unknown-avatar', 'not-loaded', 'not-initialised'])
      .nullable(),
    closeWithErrorAfterFrames: z.number().int().positive().nullable(),
    generatorStopsAtEndOfStream: z.boolean(),
    markerCrash: z.boolean(),
    markerCrashCleanupMs: count,
    endSpeechBeforeTail: z.boolean(),
    shortUtteranceNoVideo: z.boolean(),
    staleStartSpeech: z.boolean(),
    generationFps: z.number().positive().max(1000).nullable(),
    serverKeying: z.boolean(),
    defaultBackgroundUrl: z.string().min(1).nullable(),
    loadModelUnknown500: z.boolean(),
  })
  .partial()
  .strict();

const avatarSchema = z.object({
  name: z.string().min(1),
  width: z.number().int().min(8).max(4096),
  height: z.number().int().min(8).max(4096),
  keyColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'key colour must look like #089831'),
  folderName: z.string().min(1).optional(),
});

const optionsSchema = z.object({
  port: z.number().int().min(0).max(65535).default(8000),
  host: z.string().min(1).default('127.0.0.1'),
  avatars: z.array(avatarSchema).min(1),
  preloaded: z.array(z.string()).optional(),
  preloadDelayMs: count.default(0),
  maxStreams: z.number().int().positive().default(5),
  loadDelayMs: count.default(300),
  faults: faultsSchema.optional(),
});

/** uvicorn's default ws_max_size. */
const maxMessageBytes = 16 * 1024 * 1024;
const shutdownGraceMs = 500;

export async function startReferenceServer(
  options: ReferenceServerOptions,
): Promise<ReferenceServer> {
  const { faults: initialFaults, ...rest } = options;
  const config = optionsSchema.parse({ ...rest, faults: initialFaults });
  const log = options.log ?? (() => undefined);
  const avatars = config.avatars;
  const names = new Set(avatars.map((avatar) => avatar.name));
  if (names.size !== avatars.length) throw new RangeError('avatar names must be unique');
  const preloadNames = config.preloaded ?? avatars.slice(0, 1).map((avatar) => avatar.name);
  for (const name of preloadNames) {
    if (!names.has(name)) throw new RangeError(`preloaded avatar "${name}" is not configured`);
  }
  const state = new ServerState(avatars, config, { ...defaultFaults, ...config.faults }, log);

  const websocketServer = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: maxMessageBytes,
  });
  const httpServer = createServer((req, res) => {
    handleRequest(state, req, res);
  });
  httpServer.on('upgrade', upgradeHandler(state, websocketServer));
  const { port, url } = await listenLocal(httpServer, config.port, config.host);

  if (config.preloadDelayMs === 0) state.preload(preloadNames);
  else state.later(config.preloadDelayMs, () => state.preload(preloadNames));

  let closing: Promise<void> | null = null;
  async function close(): Promise<void> {
    state.cancelTimers();
    await closeSessions(state);
    websocketServer.close();
    await closeNow(httpServer);
  }

  return {
    url,
    port,
    setFaults(update: Partial<FaultSettings>): void {
      state.faults = { ...state.faults, ...faultsSchema.parse(update) };
    },
    stats(): ReferenceServerStats {
      return { activeStreams: state.sessions.size, ...state.totals };
    },
    close(): Promise<void> {
      closing ??= close();
      return closing;
    },
  };
}

/** Asks every open session to close (final end_speech, then 1012); terminates stragglers. */
async function closeSessions(state: ServerState): Promise<void> {
  const open = [...state.sessions.values()];
  await new Promise<void>((resolve) => {
    if (open.length === 0) {
      resolve();
      return;
    }
    const grace = setTimeout(() => {
      for (const session of state.sessions.values()) session.terminate();
      resolve();
    }, shutdownGraceMs);
    let remaining = open.length;
    for (const session of open) {
      const done = (): void => {
        remaining--;
        if (remaining === 0) {
          clearTimeout(grace);
          resolve();
        }
      };
      state.closeWaiters.set(session.info.streamId, done);
      session.shutdown();
    }
  });
}
