import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  securityHeaders,
  strictContentSecurityPolicy,
} from '../../hosts/headless/headless-guard.ts';

/**
 * The API's answers and request bodies. Every answer is JSON and carries the headless server's
 * security headers (the same function, headless-guard.ts: nosniff, no framing, no referrer,
 * nothing cached, a CSP under which nothing loads). Errors are `{ error: { code, message } }`
 * with a message written here, never an exception's text, a stack or a header's value.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function apiHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { ...securityHeaders(strictContentSecurityPolicy), ...extra };
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...apiHeaders(extra),
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}

/**
 * An error answer. The predecessor's FastAPI answered `{ "detail": ... }`
 * (rapido/src/rapido_api_refactored.py:183, 534b6f6); its routes here carry `detail` too, so
 * its clients keep reading the reason where they did.
 */
export function sendError(
  response: ServerResponse,
  error: ApiError,
  options: { withDetail?: boolean } = {},
): void {
  const body = {
    error: { code: error.code, message: error.message },
    ...(options.withDetail ? { detail: error.message } : {}),
  };
  // The rest of an unread body is not worth reading: close the connection after this answer.
  sendJson(response, error.status, body, { ...error.headers, connection: 'close' });
}

/** The media type of a request, lowercase, without parameters (`application/json`). */
export function mediaType(request: IncomingMessage): string | null {
  const header = request.headers['content-type'];
  if (header === undefined) return null;
  return header.split(';')[0]?.trim().toLowerCase() ?? null;
}

/**
 * The whole body, refused (413) before reading when Content-Length is over the cap and as soon
 * as the bytes read pass it (a chunked body has no length to check first).
 */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    throw tooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request) {
    const bytes = chunk as Buffer;
    total += bytes.byteLength;
    if (total > maxBytes) throw tooLarge(maxBytes);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, total);
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(
    413,
    'body-too-large',
    `The request body is over ${describeBytes(maxBytes)}.`,
  );
}

export function describeBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
  return `${bytes} bytes`;
}

/** A JSON body: 415 for another media type, 413 over the cap, 400 when it is not JSON. */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = mediaType(request);
  if (type !== 'application/json') {
    throw new ApiError(415, 'unsupported-media-type', 'Send the body as application/json.');
  }
  const bytes = await readBody(request, maxBytes);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch {
    throw new ApiError(400, 'invalid-json', 'The request body is not valid JSON.');
  }
}

/** zod's issues as one line: each field's path and what is wrong, never the value sent. */
export function describeIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): string {
  const lines = issues.slice(0, 5).map((issue) => {
    const path = issue.path.map(String).join('.');
    return path.length > 0 ? `${path}: ${issue.message}` : issue.message;
  });
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  return `${lines.join('; ').slice(0, 1000)}${more}`;
}
