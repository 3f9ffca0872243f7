import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { editText, fuzz, jsonValue, lineCount, textEdit } from '../../../../testing/fuzz.ts';
import { scanJson } from './json-locator.ts';

/** Every path to a value in `value`. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(value)) {
    value.forEach((item, index) => out.push(...pathsOf(item, [...prefix, index])));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) out.push(...pathsOf(item, [...prefix, key]));
  }
  return out;
}

const indented = fc
  .tuple(jsonValue(4), fc.nat(2))
  .map(([value, indent]) => JSON.stringify(value, null, indent));

/** Valid JSON half the time, one edit away from it the other half. */
const text = fc.oneof(
  indented,
  fc.tuple(indented, textEdit).map(([valid, edit]) => editText(valid, edit)),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

describe('scanJson (properties)', () => {
  fuzz(
    'JSON locator: agrees with JSON.parse on valid and broken texts, never throws',
    text,
    (source) => {
      const result = scanJson(source);
      let parsed: unknown;
      let parses = true;
      try {
        parsed = JSON.parse(source);
      } catch {
        parses = false;
      }
      expect(result.ok, source).toBe(parses);
      if (result.ok) {
        expect(result.document.value).toEqual(parsed);
        return;
      }
      // A syntax error names a line and column inside the text.
      const { line, column, message } = result.error;
      expect(message.length).toBeGreaterThan(0);
      expect(line).toBeGreaterThanOrEqual(1);
      expect(line).toBeLessThanOrEqual(lineCount(source));
      expect(column).toBeGreaterThanOrEqual(1);
    },
  );

  fuzz(
    'JSON locator: locates every existing path exactly, at its key or its value',
    fc.tuple(jsonValue(4), fc.integer({ min: 1, max: 2 })),
    ([value, indent]) => {
      const source = JSON.stringify(value, null, indent);
      const result = scanJson(source);
      if (!result.ok) throw new Error(result.error.message);
      const paths = pathsOf(result.document.value);
      const located = result.document.locateAll(paths);
      paths.forEach((path, index) => {
        const location = located[index];
        expect(location?.exact).toBe(true);
        const last = path.at(-1);
        const at = source.slice(location?.offset ?? 0);
        if (typeof last === 'string') expect(at.startsWith(JSON.stringify(last))).toBe(true);
        const before = source.slice(0, location?.offset ?? 0);
        expect(location?.line).toBe(before.split('\n').length);
      });
    },
  );
});
