import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Starts an HTTP server listening and says where a client reaches it: the port actually bound
 * (port 0 picks a free one) and a URL that works from this machine (a wildcard host becomes
 * 127.0.0.1; an IPv6 literal gets brackets). Rejects on a bind error (port in use).
 */
export async function listenLocal(
  server: Server,
  port: number,
  host: string,
): Promise<{ port: number; url: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { port: bound, url: `http://${urlHost}:${bound}` };
}

/** Stops accepting and drops every open connection (keep-alive and streaming ones included). */
export function closeNow(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
    server.closeAllConnections();
  });
}
