import { describe, expect, test } from 'vitest';
import { formatJsonPath, scanJson } from './json-locator.ts';

function scanOk(text: string) {
  const result = scanJson(text);
  if (!result.ok) throw new Error(`expected valid JSON, got ${result.error.message}`);
  return result.document;
}

function scanError(text: string) {
  const result = scanJson(text);
  if (result.ok) throw new Error('expected a syntax error');
  return result.error;
}

const sample = [
  '{', //                                  1
  '  "title": "Plants",', //                2
  '  "output": {', //                       3
  '    "fps": "25"', //                     4
  '  },', //                                5
  '  "slides": [', //                       6
  '    { "id": "a", "image": "1.png" },', // 7
  '    {', //                               8
  '      "id": "b",', //                    9
  '      "image":', //                      10
  '        "2.png"', //                     11
  '    }', //                               12
  '  ]', //                                 13
  '}', //                                   14
].join('\n');

describe('scanJson positions', () => {
  test('gives the value JSON.parse gives', () => {
    expect(scanOk(sample).value).toEqual(JSON.parse(sample));
  });

  test('locates object members at their key and array elements at their value', () => {
    const document = scanOk(sample);
    expect(document.locate(['title'])).toMatchObject({ line: 2, column: 3, exact: true });
    expect(document.locate(['output', 'fps'])).toMatchObject({ line: 4, column: 5 });
    expect(document.locate(['slides', 0])).toMatchObject({ line: 7, column: 5 });
    expect(document.locate(['slides', 0, 'image'])).toMatchObject({ line: 7, column: 18 });
    expect(document.locate(['slides', 1])).toMatchObject({ line: 8 });
    // A key and its value on different lines: the key's line is where the field is.
    expect(document.locate(['slides', 1, 'image'])).toMatchObject({ line: 10 });
  });

  test('falls back to the nearest existing parent', () => {
    const document = scanOk(sample);
    const missing = document.locate(['slides', 1, 'narration']);
    expect(missing).toMatchObject({ line: 8, exact: false, path: ['slides', 1] });
    expect(document.locate(['slides', 7, 'image'])).toMatchObject({ line: 6, path: ['slides'] });
    expect(document.locate(['nothing', 'here'])).toMatchObject({ line: 1, path: [] });
  });

  test('tells an array index from an object key that looks like one', () => {
    const document = scanOk('{\n"0": 1,\n"list": [\n2\n]\n}');
    expect(document.locate(['0'])).toMatchObject({ line: 2, exact: true });
    expect(document.locate([0])).toMatchObject({ exact: false });
    expect(document.locate(['list', 0])).toMatchObject({ line: 4, exact: true });
  });

  test('a repeated key is located where JSON.parse takes it from (the last one)', () => {
    const document = scanOk('{\n"a": 1,\n"a": 2\n}');
    expect(document.value).toEqual({ a: 2 });
    expect(document.locate(['a']).line).toBe(3);
  });

  test('counts CRLF and lone CR line endings once each, and ignores a byte-order mark', () => {
    const document = scanOk('\uFEFF{\r\n"a": 1,\r"b": 2\n}');
    expect(document.locate(['a'])).toMatchObject({ line: 2, column: 1 });
    expect(document.locate(['b'])).toMatchObject({ line: 3, column: 1 });
  });

  test('decodes escaped keys so paths use the real name', () => {
    const document = scanOk('{\n"sl\\u0069des": [1]\n}');
    expect(document.locate(['slides', 0])).toMatchObject({ line: 2, exact: true });
  });

  test('accepts every kind of JSON value', () => {
    const text = '[0, -1.5e3, 2E-2, true, false, null, "\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9", {}, []]';
    expect(scanOk(text).value).toEqual(JSON.parse(text));
  });
});

describe('scanJson syntax errors', () => {
  test.each([
    ['a trailing comma in an object', '{\n  "a": 1,\n}', 3, 1, /trailing comma/],
    ['a trailing comma in an array', '[1,\n 2,\n ]', 3, 2, /trailing comma/],
    [
      'a missing comma',
      '{\n  "a": 1\n  "b": 2\n}',
      3,
      3,
      /Unexpected token '"': expected ',' or '}'/,
    ],
    ['single quotes', "{\n    'a': 1}", 2, 5, /double quotes/],
    ['an unquoted key', '{ a: 1 }', 1, 3, /Unexpected token 'a': expected a property name/],
    ['a missing colon', '{ "a" 1 }', 1, 7, /expected ':' after property name "a"/],
    ['a missing value', '{ "a": }', 1, 8, /Unexpected token '}': expected a value/],
    ['a leading zero', '[01]', 1, 3, /Unexpected token '1' in a number/],
    ['a bare minus', '[-]', 1, 3, /expected a digit/],
    ['a bad literal', '[tru]', 1, 5, /expected 'true'/],
    ['a bad escape', '["a\\x"]', 1, 4, /Bad escape '\\x'/],
    ['a short unicode escape', '["\\u12"]', 1, 3, /four hex digits/],
    ['a raw newline in a string', '{"a": "one\ntwo"}', 1, 11, /end of line in a string/],
    ['content after the value', '{}\n{}', 2, 1, /after the end of the JSON value/],
    ['an empty file', '  \n ', 2, 2, /the file is empty/],
  ])('%s', (_name, text, line, column, message) => {
    const error = scanError(text);
    expect(error.message).toMatch(message);
    expect({ line: error.line, column: error.column }).toEqual({ line, column });
    // The scanner and JSON.parse must agree that this is invalid.
    expect(() => {
      JSON.parse(text);
    }).toThrow();
  });

  test('an unclosed object names where it opened', () => {
    const error = scanError('{\n  "slides": [\n    {"id": "a"}\n');
    expect(error.message).toMatch(/the array at 2:13 is not closed/);
    expect(error.line).toBe(4);
  });

  test('rejects absurd nesting instead of overflowing the stack', () => {
    const error = scanError('['.repeat(10_000));
    expect(error.message).toMatch(/Nesting deeper than/);
  });
});

describe('formatJsonPath', () => {
  test('writes paths the way a reader of lesson.json would', () => {
    expect(formatJsonPath(['slides', 2, 'image'])).toBe('slides[2].image');
    expect(formatJsonPath(['output', 'fps'])).toBe('output.fps');
    expect(formatJsonPath([])).toBe('(root)');
    expect(formatJsonPath(['a b', 0])).toBe('["a b"][0]');
  });
});
