import { request as httpRequest } from 'node:http';

/**
 * What a page does with its one-time link, for tests: POST the fragment's nonce to the
 * session path from the server's own origin, and read back the session token.
 */
export function redeemLink(
  server: { origin: string },
  link: string,
  options: { origin?: string; method?: string } = {},
): Promise<{ status: number; token: string | null; headers: Record<string, unknown> }> {
  const nonce = new URLSearchParams(new URL(link).hash.slice(1)).get('boot') ?? '';
  const { port } = new URL(server.origin);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/rapido-session',
        method: options.method ?? 'POST',
        headers: { origin: options.origin ?? server.origin, 'x-rapido-bootstrap': nonce },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          const token =
            status === 200 ? ((JSON.parse(body) as { token?: string }).token ?? null) : null;
          resolve({ status, token, headers: { ...response.headers } });
        });
      },
    );
    request.on('error', reject);
    request.end();
  });
}
