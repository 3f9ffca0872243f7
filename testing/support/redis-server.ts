import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { hasExited, stopChild, tail } from './child-process-stop.ts';

/**
 * A real `redis-server` for tests (issue 18: no mocked Redis anywhere). Each one runs on a free
 * loopback port in a temporary folder of its own, with the append-only file on and fsynced on
 * every write (as a farm should run it), so a restart keeps every queued job; nothing is written
 * outside that folder. Tests that only need *a* Redis use `RAPIDO_TEST_REDIS_URL` when set (.ci/run
 * starts one for the whole suite) and isolate themselves by key prefix.
 */

/** Generous: a loaded CI machine can take seconds to start a process. */
const readyDeadlineMs = 30_000;
const readyPollMs = 50;
/** SIGTERM is Redis's clean shutdown (the append-only file flushed and closed); then SIGKILL. */
const stopGraceMs = 10_000;
const startAttempts = 3;

export interface RedisTestServer {
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** Its working folder: the append-only files and the log. */
  readonly dataDir: string;
  readonly logPath: string;
  /** Stops it (SIGTERM, a clean shutdown) and starts it again on the same port and folder. */
  restart(): Promise<void>;
  /** SIGTERM and wait (SIGKILL after 10 s); removes the folder unless `keepData`. */
  stop(options?: { keepData?: boolean }): Promise<void>;
  logs(): string;
}

/** The first `name` on PATH that is an executable file. */
function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export function redisServerBinary(): { path: string } | { missing: string } {
  const path = onPath('redis-server');
  if (path !== null) return { path };
  return {
    missing:
      'redis-server is not installed (scripts/setup-system.sh installs Debian\'s "redis-server")',
  };
}

/**
 * Why a test that needs Redis cannot run here, or null when it can. Only outside CI: in CI a
 * missing Redis is a broken machine, and the test fails with this reason instead of skipping.
 * `ownServer`: the test starts its own server (a restart test), so RAPIDO_TEST_REDIS_URL is no help.
 */
export function redisSkipReason(options: { ownServer?: boolean } = {}): string | null {
  if (!options.ownServer && process.env.RAPIDO_TEST_REDIS_URL) return null;
  const binary = redisServerBinary();
  if ('path' in binary) return null;
  if (process.env.CI) {
    throw new Error(`${binary.missing}; CI must have it (tests need a real Redis)`);
  }
  return `${binary.missing}: the Redis tests are skipped outside CI`;
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolvePort, rejectPort) => {
    const server = createServer();
    server.once('error', rejectPort);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

/** One PING over a raw socket: true on +PONG (a loading server answers -LOADING, not ready). */
export function pingRedis(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolvePing) => {
    const socket = connect({ port, host });
    let answer = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolvePing(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}

/** The server's settings: loopback only, persistence only to the append-only file in `dir`. */
export function redisServerArguments(port: number, dir: string): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    // No RDB snapshots: the append-only file is the one record, and it stays in `dir`.
    '--save',
    '',
    '--daemonize',
    'no',
    '--loglevel',
    'notice',
  ];
}

export async function startRedisServer(
  options: { dataDir?: string } = {},
): Promise<RedisTestServer> {
  const binary = redisServerBinary();
  if ('missing' in binary) throw new Error(binary.missing);
  const binaryPath = binary.path;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'rapido-redis-')));
  const logPath = join(dataDir, 'redis-server.log');
  const logs = (): string => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');

  let child: ChildProcess | undefined;
  const killOnExit = (): void => {
    if (child && !hasExited(child)) child.kill('SIGKILL');
  };

  /** Starts it and polls PING until +PONG, the process dies or the deadline passes. */
  async function launch(port: number): Promise<void> {
    if (!process.listeners('exit').includes(killOnExit)) process.on('exit', killOnExit);
    const logFd = openSync(logPath, 'a');
    try {
      child = spawn(binaryPath, redisServerArguments(port, dataDir), {
        cwd: dataDir,
        stdio: ['ignore', logFd, logFd],
      });
    } finally {
      closeSync(logFd);
    }
    const launched = child;
    const spawnError: { error: Error | null } = { error: null };
    launched.once('error', (error) => (spawnError.error = error));
    const deadline = Date.now() + readyDeadlineMs;
    while (Date.now() < deadline) {
      if (spawnError.error !== null) throw spawnError.error;
      if (hasExited(launched)) {
        throw new Error(
          `redis-server exited (code ${String(launched.exitCode)}, signal ${String(launched.signalCode)}) before it answered PING on port ${port}:\n${tail(logs())}`,
        );
      }
      if (await pingRedis(port)) return;
      await new Promise((resolveWait) => setTimeout(resolveWait, readyPollMs));
    }
    await stopChild(launched, stopGraceMs);
    throw new Error(
      `redis-server did not answer PING on port ${port} within ${readyDeadlineMs} ms:\n${tail(logs())}`,
    );
  }

  // A port free when chosen can be taken before the server binds it: try another.
  let port = await freeTcpPort();
  for (let attempt = 1; ; attempt += 1) {
    try {
      await launch(port);
      break;
    } catch (error) {
      if (attempt >= startAttempts) {
        process.removeListener('exit', killOnExit);
        throw error;
      }
      port = await freeTcpPort();
    }
  }
  const chosenPort = port;

  return {
    url: `redis://127.0.0.1:${chosenPort}`,
    port: chosenPort,
    dataDir,
    logPath,
    async restart() {
      if (child) await stopChild(child, stopGraceMs);
      // The same port: clients reconnect to the address they know.
      await launch(chosenPort);
    },
    async stop(stopOptions = {}) {
      if (child) await stopChild(child, stopGraceMs);
      process.removeListener('exit', killOnExit);
      if (!stopOptions.keepData) await rm(dataDir, { recursive: true, force: true });
    },
    logs,
  };
}

/**
 * A Redis for a test that needs one but not its own: RAPIDO_TEST_REDIS_URL when set (the suite's),
 * else a server started for the caller. `release` stops only a server started here.
 */
export async function testRedis(): Promise<{ url: string; release: () => Promise<void> }> {
  const shared = process.env.RAPIDO_TEST_REDIS_URL;
  if (shared) return { url: shared, release: () => Promise.resolve() };
  const server = await startRedisServer();
  return { url: server.url, release: () => server.stop() };
}
