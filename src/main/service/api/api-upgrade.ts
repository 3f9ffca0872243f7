import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { matchPath, type ApiServices } from './api-context.ts';
import { refuseOnSocket, requestUrl, type ApiGate } from './api-gate.ts';
import { ApiError } from './api-http.ts';
import { jobIdSchema } from './api-schemas.ts';
import { serveJobEvents, serveLessonUpdates } from './job-sockets.ts';

/**
 * WebSocket upgrades: `/ws/lesson/{lesson_id}` and `/v1/jobs/{id}/events`, through the same
 * gate as requests (scope jobs:read). A browser cannot set an Authorization header on a
 * WebSocket, so the token comes as `?access_token=` or in Sec-WebSocket-Protocol as
 * `rapido-jwt, <token>` (the server then answers the `rapido-jwt` protocol, never the token).
 * Clients send nothing the server reads, so messages are capped small.
 */
export const tokenProtocol = 'rapido-jwt';

/** The token of a WebSocket upgrade: `?access_token=` or Sec-WebSocket-Protocol. */
function socketToken(request: IncomingMessage, url: URL): string | null {
  const fromQuery = url.searchParams.get('access_token');
  if (fromQuery !== null) return fromQuery;
  const offered = (request.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((item) => item.trim());
  const at = offered.indexOf(tokenProtocol);
  return at >= 0 ? (offered[at + 1] ?? null) : null;
}

export function createUpgradeHandler(gate: ApiGate, services: ApiServices) {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4096,
    handleProtocols: (protocols) => (protocols.has(tokenProtocol) ? tokenProtocol : false),
  });

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    try {
      const url = requestUrl(request);
      const lesson = matchPath('/ws/lesson/:lesson_id', url.pathname);
      const job = matchPath('/v1/jobs/:id/events', url.pathname);
      if (lesson === null && job === null) {
        await gate.admit(request, null, null, false);
        throw new ApiError(404, 'not-found', 'There is no such WebSocket route.');
      }
      await gate.admit(request, 'jobs:read', socketToken(request, url), false);
      if (lesson !== null) {
        const lessonId = lesson.lesson_id ?? '';
        if (!/^[A-Za-z0-9_.-]{1,100}$/.test(lessonId)) {
          throw new ApiError(
            400,
            'invalid-request',
            'lesson_id: use letters, digits, ".", "_" and "-" only',
          );
        }
        wss.handleUpgrade(request, socket, head, (ws) => {
          void serveLessonUpdates(ws, services, lessonId).catch((error: unknown) => {
            gate.failure(error, 'ws lesson');
            ws.close(1011, 'internal error');
          });
        });
        return;
      }
      const id = jobIdSchema.safeParse(job?.id);
      if (!id.success || (await services.queue.get(id.data)) === null) {
        throw new ApiError(404, 'job-not-found', 'There is no such job.');
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        void serveJobEvents(ws, services, id.data).catch((error: unknown) => {
          gate.failure(error, 'ws job');
          ws.close(1011, 'internal error');
        });
      });
    } catch (error) {
      refuseOnSocket(socket, gate.failure(error, 'ws upgrade'));
    }
  }

  return {
    upgrade,
    close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
