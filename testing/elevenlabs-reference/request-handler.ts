import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  modelJson,
  referenceModels,
  referenceVoices,
  subscriptionJson,
  voiceJson,
} from './catalogue.ts';
import { readBody, sendJson } from './http-io.ts';
import { parseJson } from './request-body.ts';
import { detail, routeFor, voiceNotFound, type Route } from './routes.ts';
import { concurrencyHeaders, type RecordedRequest, type ReferenceState } from './server-state.ts';
import { handleSynthesis } from './synthesis.ts';

/** Records a request as it arrives, logging its outcome and timings when the response closes. */
function recordRequest(
  state: ReferenceState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  route: Route | null,
): RecordedRequest {
  const startedAtMs = performance.now();
  const method = req.method ?? 'GET';
  const keyHeader = req.headers['xi-api-key'];
  const record: RecordedRequest = {
    method,
    path: url.pathname,
    voiceId: route !== null && 'voiceId' in route ? route.voiceId : null,
    query: Object.fromEntries(url.searchParams),
    body: null,
    status: null,
    keyAccepted: typeof keyHeader === 'string' && keyHeader === state.apiKey,
    startedAtMs,
    firstByteAtMs: null,
  };
  state.requests.push(record);
  const requestId = randomBytes(16).toString('hex');
  // The API's own name, and the one the SDK's ElevenLabsError.requestId reads.
  res.setHeader('request-id', requestId);
  res.setHeader('x-request-id', requestId);
  res.once('close', () => {
    state.log.debug(`${method} ${url.pathname} -> ${record.status ?? 'no response'}`, {
      performance_data: {
        firstByteMs:
          record.firstByteAtMs === null ? null : Math.round(record.firstByteAtMs - startedAtMs),
        totalMs: Math.round(performance.now() - startedAtMs),
      },
    });
  });
  return record;
}

/** One HTTP request: recorded, checked (route, method, key), then answered by its route. */
export async function handleRequest(
  state: ReferenceState,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const route = routeFor(url.pathname);
  const record = recordRequest(state, req, res, url, route);

  // Read every body, even one we refuse, so the connection stays usable for the next request.
  const raw = await readBody(req);
  if (raw === null) {
    sendJson(record, res, 413, { detail: 'Request body too large' });
    return;
  }
  const json = parseJson(raw);
  record.body = json.ok ? json.value : null;

  if (route === null) {
    sendJson(record, res, 404, { detail: 'Not Found' });
    return;
  }
  if (record.method !== route.method) {
    sendJson(record, res, 405, { detail: 'Method Not Allowed' }, { allow: route.method });
    return;
  }
  if (!record.keyAccepted) {
    const headers = route.name === 'synthesis' ? concurrencyHeaders(state) : {};
    sendJson(record, res, 401, detail('invalid_api_key', 'Invalid API key'), headers);
    return;
  }
  if (route.name === 'synthesis') {
    await handleSynthesis(state, res, record, route, raw);
    return;
  }
  answerCatalogue(state, record, res, route);
}

/** The read-only routes: voices, one voice, models, the subscription. */
function answerCatalogue(
  state: ReferenceState,
  record: RecordedRequest,
  res: ServerResponse,
  route: Exclude<Route, { name: 'synthesis' }>,
): void {
  switch (route.name) {
    case 'voices':
      sendJson(record, res, 200, { voices: referenceVoices.map(voiceJson) });
      return;
    case 'voices-v2':
      sendJson(record, res, 200, {
        voices: referenceVoices.map(voiceJson),
        has_more: false,
        total_count: referenceVoices.length,
        next_page_token: null,
      });
      return;
    case 'voice': {
      const voice = referenceVoices.find((candidate) => candidate.voiceId === route.voiceId);
      if (voice) sendJson(record, res, 200, voiceJson(voice));
      else sendJson(record, res, 404, voiceNotFound(route.voiceId));
      return;
    }
    case 'models':
      sendJson(record, res, 200, referenceModels.map(modelJson));
      return;
    case 'subscription':
      sendJson(
        record,
        res,
        200,
        subscriptionJson({
          characterCount: state.characterCount,
          characterLimit: state.characterLimit,
          nextResetUnixSeconds: state.nextResetUnixSeconds,
        }),
      );
      return;
  }
}
