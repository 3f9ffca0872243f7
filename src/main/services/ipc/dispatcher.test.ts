import { describe, expect, it, vi } from 'vitest';
import { createMemoryLogger } from '../logging/logger.ts';
import { createDispatcher, type InvokeHandlers, type SendHandlers } from './dispatcher.ts';
import { isTrustedSender } from './sender-policy.ts';
import { ok } from '../../../shared/result.ts';

const context = { transport: 'websocket' as const, clientId: 't' };

function setup(overrides: Partial<InvokeHandlers> = {}) {
  const logger = createMemoryLogger();
  const openSample = vi.fn<InvokeHandlers['lesson:open-sample']>();
  const handlers = new Proxy(
    { 'lesson:open-sample': openSample, ...overrides },
    {
      get(target, key: string) {
        return (target as Record<string, unknown>)[key] ?? (() => Promise.resolve(ok({})));
      },
    },
  ) as unknown as InvokeHandlers;
  const writeLog = vi.fn();
  const sendHandlers = {
    'log:write': writeLog,
    'render:progress': vi.fn(),
  } as unknown as SendHandlers;
  return {
    dispatcher: createDispatcher(handlers, sendHandlers, logger),
    logger,
    openSample,
    writeLog,
  };
}

describe('dispatcher', () => {
  it('rejects unknown channels without calling anything', async () => {
    const { dispatcher, openSample, logger } = setup();
    const answer = await dispatcher.invoke('fs:delete-everything', {}, context);
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(openSample).not.toHaveBeenCalled();
    expect(logger.lines.some((l) => l.record.event_type === 'ipc_rejected')).toBe(true);
  });

  it('rejects payloads that fail the schema and names the field', async () => {
    const { dispatcher } = setup();
    const answer = await dispatcher.invoke('lesson:open', { dir: 42 }, context);
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(JSON.stringify(answer)).toContain('dir');
  });

  it('turns a throwing handler into an internal error value', async () => {
    const { dispatcher, logger } = setup({
      'lesson:open': () => Promise.reject(new Error('boom')),
    });
    const answer = await dispatcher.invoke('lesson:open', { dir: '/x' }, context);
    expect(answer).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(
      logger.lines.find((l) => l.record.event_type === 'ipc_handler_bug')?.record.error,
    ).toMatchObject({ message: 'boom' });
  });

  it('drops invalid fire-and-forget messages', () => {
    const { dispatcher, writeLog } = setup();
    dispatcher.send('log:write', { level: 'loud' }, context);
    dispatcher.send('nope', {}, context);
    expect(writeLog).not.toHaveBeenCalled();
    dispatcher.send(
      'log:write',
      { level: 'info', logger: 'x', message: 'm', lessonId: null, eventType: null },
      context,
    );
    expect(writeLog).toHaveBeenCalledOnce();
  });
});

describe('sender policy', () => {
  const policy = {
    appFileUrl: 'file:///opt/rapido/out/renderer/index.html',
    devServerOrigin: null,
  };
  it('accepts only the app page in the top frame', () => {
    expect(
      isTrustedSender(
        { url: 'file:///opt/rapido/out/renderer/index.html', isTopFrame: true },
        policy,
      ),
    ).toBe(true);
    expect(
      isTrustedSender(
        { url: 'file:///opt/rapido/out/renderer/index.html', isTopFrame: false },
        policy,
      ),
    ).toBe(false);
    expect(isTrustedSender({ url: 'file:///tmp/evil.html', isTopFrame: true }, policy)).toBe(false);
    expect(isTrustedSender({ url: 'https://example.com/', isTopFrame: true }, policy)).toBe(false);
    expect(isTrustedSender(null, policy)).toBe(false);
    expect(isTrustedSender({ url: 'not a url', isTopFrame: true }, policy)).toBe(false);
  });
  it('accepts the dev server origin only when configured', () => {
    const dev = { appFileUrl: null, devServerOrigin: 'http://localhost:5173' };
    expect(
      isTrustedSender({ url: 'http://localhost:5173/index.html', isTopFrame: true }, dev),
    ).toBe(true);
    expect(
      isTrustedSender({ url: 'http://localhost:5174/index.html', isTopFrame: true }, dev),
    ).toBe(false);
  });
});
