import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessToken } from 'livekit-server-sdk';
import { hasExited, stopChild, tail } from './child-process-stop.ts';

/**
 * A real LiveKit server (the Go binary scripts/install-livekit.sh builds) for end-to-end tests:
 * dev mode, bound to 127.0.0.1, on ports of its own so parallel runs never collide.
 */

export const liveKitServerVersion = 'v1.13.5';

const readyDeadlineMs = 20_000;
const readyPollMs = 50;
/**
 * With participants still connected LiveKit's graceful stop waits for them to leave: after the
 * grace the process is killed, which clients see as a lost server and reconnect.
 */
const stopGraceMs = 5_000;
const udpPortCount = 20;
const startAttempts = 3;

export interface LiveKitTokenGrants {
  readonly identity: string;
  readonly room: string;
  /** Defaults: true. */
  readonly canPublish?: boolean;
  readonly canSubscribe?: boolean;
  readonly canPublishData?: boolean;
  /** Default 3600. */
  readonly ttlSeconds?: number;
}

export interface LiveKitTestServer {
  /** Signal URL for clients, e.g. ws://127.0.0.1:41234 */
  readonly url: string;
  /** The same port over http (server API, health check). */
  readonly httpUrl: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly logPath: string;
  token(grants: LiveKitTokenGrants): Promise<string>;
  /** SIGTERM, wait for exit; SIGKILL when it has not exited after 5 s. */
  stop(): Promise<void>;
  /** stop(), then start again on the same ports and wait until it answers. */
  restart(): Promise<void>;
  /** Everything the server printed so far (all runs, restarts included). */
  logs(): string;
}

interface Ports {
  readonly signal: number;
  readonly rtcTcp: number;
  readonly udpStart: number;
  readonly udpEnd: number;
}

/** Where install-livekit.sh caches the binary (RAPIDO_TOOLS_DIR overrides the folder). */
function liveKitServerPath(): string {
  const toolsDir = process.env.RAPIDO_TOOLS_DIR ?? join(homedir(), '.cache', 'rapido', 'tools');
  return join(toolsDir, `livekit-${liveKitServerVersion}`, 'server');
}

export function liveKitServerBinary(): { path: string } | { skipReason: string } {
  const path = liveKitServerPath();
  if (existsSync(path) && statSync(path).isFile()) return { path };
  return {
    skipReason:
      `LiveKit server ${liveKitServerVersion} not found at ${path}. ` +
      'Build it once with `bash scripts/install-livekit.sh` (needs Go >= 1.26; ' +
      'RAPIDO_TOOLS_DIR changes where it is cached).',
  };
}

/** A TCP port nothing listens on right now (also: a URL that must fail to connect). */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolvePort, rejectPort) => {
    const server = createServer();
    server.once('error', rejectPort);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

function udpPortIsFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolveFree(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolveFree(true)));
  });
}

/** A run of `udpPortCount` consecutive UDP ports, all free now, below the ephemeral range. */
async function freeUdpRange(): Promise<{ start: number; end: number }> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const start = 20_000 + Math.floor(Math.random() * 12_000);
    let allFree = true;
    for (let port = start; port < start + udpPortCount && allFree; port += 1) {
      allFree = await udpPortIsFree(port);
    }
    if (allFree) return { start, end: start + udpPortCount - 1 };
  }
  throw new Error(`no ${udpPortCount} consecutive free UDP ports between 20000 and 32000`);
}

async function choosePorts(): Promise<Ports> {
  const signal = await freeTcpPort();
  let rtcTcp = await freeTcpPort();
  while (rtcTcp === signal) rtcTcp = await freeTcpPort();
  const udp = await freeUdpRange();
  return { signal, rtcTcp, udpStart: udp.start, udpEnd: udp.end };
}

function configYaml(ports: Ports, apiKey: string, apiSecret: string): string {
  // JSON is YAML: no YAML library needed, and no quoting surprises.
  return JSON.stringify({
    port: ports.signal,
    rtc: {
      tcp_port: ports.rtcTcp,
      port_range_start: ports.udpStart,
      port_range_end: ports.udpEnd,
      use_external_ip: false,
      // Candidates on loopback: the server listens on 127.0.0.1 only.
      node_ip: '127.0.0.1',
    },
    keys: { [apiKey]: apiSecret },
    logging: { level: 'info' },
  });
}

/** Polls the signal port's HTTP root until it answers 200, the process dies or time is up. */
async function waitUntilReady(
  child: ChildProcess,
  httpUrl: string,
  logs: () => string,
): Promise<void> {
  const deadline = Date.now() + readyDeadlineMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (hasExited(child)) {
      throw new Error(
        `livekit-server exited (code ${String(child.exitCode)}, signal ${String(child.signalCode)}) before it was ready:\n${tail(logs())}`,
      );
    }
    try {
      const response = await fetch(`${httpUrl}/`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, readyPollMs));
  }
  throw new Error(
    `livekit-server did not answer ${httpUrl}/ within ${readyDeadlineMs} ms (${lastProblem}):\n${tail(logs())}`,
  );
}

/**
 * Starts a LiveKit server and waits until it answers. Its output goes to livekit-server.log in
 * `logDir` (a fresh temporary folder when omitted).
 */
export async function startLiveKitServer(
  options: { logDir?: string } = {},
): Promise<LiveKitTestServer> {
  const binary = liveKitServerBinary();
  if ('skipReason' in binary) throw new Error(binary.skipReason);
  const binaryPath = binary.path;
  const logDir = options.logDir ?? mkdtempSync(join(tmpdir(), 'rapido-livekit-'));
  const logPath = join(logDir, 'livekit-server.log');
  const apiKey = 'devkey';
  // LiveKit wants secrets of 32 characters or more outside dev mode; this one is 48.
  const apiSecret = randomBytes(24).toString('hex');
  const logs = (): string => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');

  let child: ChildProcess | undefined;
  const killOnExit = (): void => {
    if (child && !hasExited(child)) child.kill('SIGKILL');
  };

  async function launch(ports: Ports): Promise<void> {
    if (!process.listeners('exit').includes(killOnExit)) process.on('exit', killOnExit);
    const logFd = openSync(logPath, 'a');
    try {
      child = spawn(
        binaryPath,
        ['--dev', '--bind', '127.0.0.1', '--config-body', configYaml(ports, apiKey, apiSecret)],
        { stdio: ['ignore', logFd, logFd] },
      );
    } finally {
      closeSync(logFd);
    }
    const launched = child;
    const spawnFailed = new Promise<never>((_resolve, rejectSpawn) => {
      launched.once('error', rejectSpawn);
    });
    try {
      await Promise.race([
        waitUntilReady(launched, `http://127.0.0.1:${ports.signal}`, logs),
        spawnFailed,
      ]);
    } catch (error) {
      await stopChild(launched, stopGraceMs);
      throw error;
    }
  }

  // Ports are free when chosen but another process may take one before the server binds it.
  let ports = await choosePorts();
  for (let attempt = 1; ; attempt += 1) {
    try {
      await launch(ports);
      break;
    } catch (error) {
      if (attempt >= startAttempts) {
        process.removeListener('exit', killOnExit);
        throw error;
      }
      ports = await choosePorts();
    }
  }

  const httpUrl = `http://127.0.0.1:${ports.signal}`;
  const chosen = ports;
  async function stop(): Promise<void> {
    if (child) await stopChild(child, stopGraceMs);
  }
  return {
    url: `ws://127.0.0.1:${chosen.signal}`,
    httpUrl,
    apiKey,
    apiSecret,
    logPath,
    async token(grants: LiveKitTokenGrants): Promise<string> {
      const token = new AccessToken(apiKey, apiSecret, {
        identity: grants.identity,
        ttl: grants.ttlSeconds ?? 3600,
      });
      token.addGrant({
        roomJoin: true,
        room: grants.room,
        canPublish: grants.canPublish ?? true,
        canSubscribe: grants.canSubscribe ?? true,
        canPublishData: grants.canPublishData ?? true,
      });
      return token.toJwt();
    },
    stop: async () => {
      await stop();
      process.removeListener('exit', killOnExit);
    },
    async restart(): Promise<void> {
      await stop();
      await launch(chosen);
    },
    logs,
  };
}
