import { describe, expect, test } from 'vitest';
import { createMemoryLogger } from '../services/logging/logger.ts';
import { createOutputDestinations } from '../services/outputs/output-destinations.ts';
import { createAppHandlers } from './app-handlers.ts';

function handlersWithClock() {
  const logger = createMemoryLogger('debug');
  let nowMs = 0;
  const handlers = createAppHandlers({
    launch: {} as Parameters<typeof createAppHandlers>[0]['launch'],
    slideFramesPath: undefined,
    paths: {
      resourcesDir: '/r',
      cacheDir: '/c',
      secretsDir: '/s',
      configDir: '/g',
      defaultRecordingDir: '/d',
    },
    destinations: createOutputDestinations({ configDir: '/g', defaultFolder: '/d', logger }),
    abilities: { host: 'headless', chooseFolder: null, showFile: null, emit: () => undefined },
    processMetrics: { sample: () => Promise.reject(new Error('not used')) },
    logger,
    rendererLogLimit: { burst: 50, perSecond: 10, now: () => nowMs },
  });
  const write = (client: string, message: string) => {
    handlers.send['log:write'](
      { level: 'info', logger: 'page', message, lessonId: null, eventType: null },
      { transport: 'websocket', clientId: client },
    );
  };
  const advance = (ms: number) => {
    nowMs += ms;
  };
  return { logger, write, advance };
}

describe('log:write', () => {
  test('a flooding page is rate limited, the loss is summarised, other pages are not affected', () => {
    const { logger, write, advance } = handlersWithClock();
    for (let line = 0; line < 10_000; line += 1) write('flood', `line ${line}`);
    write('quiet', 'hello');
    const messages = () => logger.lines.map((line) => String(line.record.message));
    const fromFlood = messages().filter((message) => message.startsWith('line '));
    // The burst, and nothing more: 10,000 lines at once must not reach the disk.
    expect(fromFlood).toHaveLength(50);
    expect(messages()).toContain('hello');
    expect(messages().filter((message) => /dropping/.test(message))).toHaveLength(1);

    advance(1_000); // ten more lines' worth of tokens
    write('flood', 'after the pause');
    const summary = logger.lines.find((line) => line.record.event_type === 'renderer_log_dropped');
    expect(summary?.record).toMatchObject({
      message: '9950 renderer log lines dropped (rate limit)',
      dropped: 9950,
      client: 'flood',
    });
    expect(messages().at(-1)).toBe('after the pause');
  });

  test('a steady page under the rate loses nothing', () => {
    const { logger, write, advance } = handlersWithClock();
    for (let line = 0; line < 1_000; line += 1) {
      write('steady', `line ${line}`);
      advance(100);
    }
    expect(logger.lines).toHaveLength(1_000);
  });
});
