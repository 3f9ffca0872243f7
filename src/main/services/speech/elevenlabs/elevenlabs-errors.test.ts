import { describe, expect, test } from 'vitest';
import { failureFromStatus, parseRetryAfterMs, readErrorBody } from './elevenlabs-errors.ts';

// Found by elevenlabs-answers.fuzz.test.ts: each threw or gave an unusable value before.
describe('ElevenLabs error answers from a hostile service or proxy', () => {
  test('a retry-after of hundreds of digits is no wait at all, not an Infinity ms sleep', () => {
    expect(parseRetryAfterMs('9'.repeat(400), 0)).toBeNull();
    expect(parseRetryAfterMs('1.5', 0)).toBe(1500);
  });

  test('a validation error whose loc holds an object is read, not thrown', () => {
    const body = { detail: [{ loc: [{ toString: null }, 'text', 0], msg: 'bad' }] };
    expect(readErrorBody(body)).toEqual({
      status: 'validation_error',
      message: '{"toString":null}.text.0: bad',
    });
    const failure = failureFromStatus(422, body, null, { baseUrl: 'https://x' });
    expect(failure.kind).toBe('invalid');
  });
});
