import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { fuzz } from '../../../../testing/fuzz.ts';
import { printable, redact } from './logger.ts';

/** Secrets made of what JSON escapes: quotes, backslashes, controls, non-ASCII. */
const secret = fc.string({
  unit: fc.constantFrom('a', 'b', '"', '\\', '\n', '\t', '/', '\u0001', 'é', '€'),
  minLength: 4,
  maxLength: 12,
});

describe('log redaction and terminal output (properties)', () => {
  fuzz(
    'log redaction: a secret never survives in a logged JSON line, in any escaped form',
    fc.tuple(secret, fc.string({ maxLength: 8 })),
    ([key, around]) => {
      const line = JSON.stringify({ message: `x${key}${around}`, nested: JSON.stringify({ key }) });
      const redacted = redact(line, [key]);
      const parsed = JSON.parse(redacted) as { message: string; nested: string };
      expect(parsed.message).not.toContain(key);
      expect(parsed.nested).not.toContain(JSON.stringify(key).slice(1, -1));
    },
  );

  fuzz(
    'terminal output: no control or bidi character reaches the terminal raw',
    fc.string({ unit: 'binary', maxLength: 40 }),
    (text) => {
      expect(printable(text)).not.toMatch(
        // eslint-disable-next-line no-control-regex -- the property is about control characters
        /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/,
      );
    },
  );
});
