import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The page's Content-Security-Policy (index.html): the page may open connections only where the
 * app really connects (issue 17, item 7). An arbitrary https: or http: host would let a
 * compromised page post what it holds anywhere.
 */

function policy(): Map<string, string[]> {
  const html = readFileSync(new URL('../../renderer/index.html', import.meta.url), 'utf8');
  const start = html.indexOf('content="', html.indexOf('http-equiv="Content-Security-Policy"'));
  const content = html.slice(
    start + 'content="'.length,
    html.indexOf('"', start + 'content="'.length),
  );
  return new Map(
    content
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name = '', ...sources]) => [name, sources]),
  );
}

describe('the renderer CSP', () => {
  const directives = policy();

  it('allows no connection to an arbitrary http(s) host or any host at all', () => {
    const connect = directives.get('connect-src') ?? [];
    expect(connect).toContain("'self'");
    for (const wide of ['https:', 'http:', '*', 'ws:', 'data:', 'blob:', 'https://*', 'http://*'])
      expect(connect).not.toContain(wide);
  });

  it('allows only what LiveKit, the headless host and the dev server need', () => {
    const connect = directives.get('connect-src') ?? [];
    const allowed = [
      /^'self'$/,
      // A user-configured LiveKit server: any host, secure WebSocket only.
      /^wss:$/,
      /^https:\/\/\*\.livekit\.(cloud|run)$/,
      /^(ws|http):\/\/(127\.0\.0\.1|localhost):\*$/,
    ];
    for (const source of connect)
      expect(allowed.some((pattern) => pattern.test(source))).toBe(true);
  });

  it('keeps the rest locked down', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
  });
});
