import fc from 'fast-check';
import { describe, expect } from 'vitest';
import {
  awkwardKeys,
  awkwardText,
  expectPlainData,
  fuzzAsync,
  jsonValue,
} from '../../../../testing/fuzz.ts';
import { invokeChannels, sendChannels } from '../../../shared/ipc/contract.ts';
import { ok, rapidoErrorSchema } from '../../../shared/result.ts';
import { createMemoryLogger } from '../logging/logger.ts';
import { createDispatcher, type InvokeHandlers, type SendHandlers } from './dispatcher.ts';

const context = { transport: 'websocket' as const, clientId: 'fuzz' };

/** What each handler was given: it must be what the channel's schema accepts, as plain data. */
const received: { channel: string; payload: unknown }[] = [];

const recordAll = (kind: 'invoke' | 'send') =>
  new Proxy(
    {},
    {
      get(_target, channel: string) {
        return (payload: unknown) => {
          received.push({ channel, payload });
          return kind === 'invoke' ? Promise.resolve(ok(null)) : undefined;
        };
      },
    },
  );

const dispatcher = createDispatcher(
  recordAll('invoke') as InvokeHandlers,
  recordAll('send') as SendHandlers,
  createMemoryLogger(),
);

interface Validator {
  safeParse(value: unknown): { success: boolean };
}

const invokeNames = Object.keys(invokeChannels);
const sendNames = Object.keys(sendChannels);

/** A page's call: a real or made-up channel, with JSON, binaries or prototype-named keys. */
const call = fc.record({
  channel: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...invokeNames, ...sendNames) },
    { weight: 1, arbitrary: fc.constantFrom(...awkwardKeys) },
    { weight: 1, arbitrary: awkwardText(20) },
  ),
  payload: fc.oneof(
    jsonValue(4),
    fc.uint8Array({ maxLength: 16 }),
    fc.dictionary(
      fc.constantFrom('path', 'lessonDir', 'text', 'id', 'lesson', 'kind', 'slideIndex'),
      jsonValue(2),
      {
        maxKeys: 4,
      },
    ),
  ),
  send: fc.boolean(),
});

describe('IPC dispatcher (properties)', () => {
  fuzzAsync(
    'IPC guard: any channel and payload from a page is refused with a value or reaches its handler valid',
    call,
    async ({ channel, payload, send }) => {
      received.length = 0;
      if (send) {
        dispatcher.send(channel, payload, context);
      } else {
        const answer = await dispatcher.invoke(channel, payload, context);
        expectPlainData(answer);
        const refused = answer as { ok: boolean; error?: unknown };
        if (!refused.ok) {
          expect(rapidoErrorSchema.safeParse(refused.error).success).toBe(true);
        }
      }
      for (const got of received) {
        const schema = send
          ? (sendChannels as Record<string, Validator>)[got.channel]
          : (invokeChannels as Record<string, { request: Validator }>)[got.channel]?.request;
        expect(schema, got.channel).toBeDefined();
        expect(schema?.safeParse(got.payload).success).toBe(true);
        expectPlainData(got.payload);
      }
    },
  );
});
