import fc from 'fast-check';
import { expect, test } from 'vitest';

/**
 * Property tests of the parsers of outside input (`*.fuzz.test.ts`). The plain unit run keeps
 * them small (200 cases); `npm run test:fuzz` sets RAPIDO_FUZZ_RUNS (10,000) and prints the case
 * count and seed of every property. A failure names its seed and path: rerun with
 * RAPIDO_FUZZ_SEED and RAPIDO_FUZZ_PATH set to those to replay that very case.
 *
 * Kept free of Node types: shared and renderer tests (type-checked without them) use it too.
 */

type Env = Record<string, string | undefined>;
const env: Env = (globalThis as { process?: { env?: Env } }).process?.env ?? {};

const defaultRuns = 200;

function integerFrom(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,9}$/.test(text)) return null;
  return Number(text);
}

/** Cases per property in this run. */
export function fuzzRuns(): number {
  return integerFrom(env.RAPIDO_FUZZ_RUNS) ?? defaultRuns;
}

/**
 * The slowest one case may be. The parsers used to freeze main for 30 s on one crafted input;
 * a second is far above any honest case yet far below that, even on a loaded machine.
 */
export const maxCaseMs = 1000;

/**
 * The same bound for properties that write and read files (lesson.json, slide data): a loaded CI
 * machine's disk and GC add pauses a pure parser never sees (one case of 10,000 took just over
 * a second at a load average of 19 on two cores), still far below a freeze.
 */
export const maxFileCaseMs = 5000;

function replaySettings(): { seed: number; path?: string } {
  const seed = env.RAPIDO_FUZZ_SEED;
  const replay = seed !== undefined && /^-?\d{1,10}$/.test(seed) ? Number(seed) : null;
  if (replay === null) return { seed: (Math.random() * 0x1_0000_0000) | 0 };
  const path = env.RAPIDO_FUZZ_PATH;
  return path === undefined || path === '' ? { seed: replay } : { seed: replay, path };
}

function prototypeShape(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((proto) => Object.getOwnPropertyNames(proto).length)
    .join(',');
}

const untouchedPrototypes = prototypeShape();

/** The "escape" check: no case may add a property to a built-in prototype. */
export function expectPrototypesUntouched(): void {
  expect(prototypeShape(), 'a built-in prototype gained a property').toBe(untouchedPrototypes);
}

/** Objects in a parser's answer are plain data: their prototype is Object's (or none). */
export function expectPlainData(value: unknown, depth = 0): void {
  if (depth > 64 || value === null || typeof value !== 'object') return;
  if (ArrayBuffer.isView(value)) return;
  if (!Array.isArray(value)) {
    const proto: unknown = Object.getPrototypeOf(value);
    expect(proto === Object.prototype || proto === null, 'an object with a foreign prototype').toBe(
      true,
    );
  }
  for (const item of Object.values(value)) expectPlainData(item, depth + 1);
}

function report<T>(name: string, details: fc.RunDetails<T>, seed: number): void {
  if (details.failed) {
    const replay = `Replay: RAPIDO_FUZZ_SEED=${details.seed} RAPIDO_FUZZ_PATH=${details.counterexamplePath ?? ''}`;
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : '';
    throw new Error(
      `${name}: ${fc.defaultReportMessage(details) ?? 'failed'}\n${replay}\nFailure: ${cause}`,
      { cause: details.errorInstance },
    );
  }
  // One line per property under test:fuzz: the count the issue asks for, and the seed that
  // reproduces the run (the plain unit run stays quiet).
  if (env.RAPIDO_FUZZ_RUNS !== undefined)
    console.log(`[fuzz] ${name}: ${details.numRuns} cases, seed ${seed}`);
  // A replay (RAPIDO_FUZZ_PATH) starts at the failing case; a normal run does every case.
  if (env.RAPIDO_FUZZ_PATH === undefined) expect(details.numRuns).toBe(fuzzRuns());
}

function timedCase<A extends unknown[]>(check: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    const start = performance.now();
    check(...args);
    const spentMs = performance.now() - start;
    expect(spentMs, `one case took ${Math.round(spentMs)} ms`).toBeLessThan(maxCaseMs);
    expectPrototypesUntouched();
  };
}

function timedAsyncCase<A extends unknown[]>(
  check: (...args: A) => Promise<void>,
  limitMs: number,
): (...args: A) => Promise<void> {
  return async (...args) => {
    const start = performance.now();
    await check(...args);
    const spentMs = performance.now() - start;
    expect(spentMs, `one case took ${Math.round(spentMs)} ms`).toBeLessThan(limitMs);
    expectPrototypesUntouched();
  };
}

/**
 * One property as one vitest test, named with its case count: `check` must hold for every
 * generated input, each case within `maxCaseMs`, leaving the built-in prototypes as they were.
 */
export function fuzz<A>(name: string, input: fc.Arbitrary<A>, check: (value: A) => void): void {
  const runs = fuzzRuns();
  test(`${name} (${runs} cases)`, () => {
    const settings = replaySettings();
    const details = fc.check(fc.property(input, timedCase(check)), {
      numRuns: runs,
      ...settings,
    });
    report(name, details, settings.seed);
  });
}

/**
 * `fuzz` for parsers that answer with a promise (they read files or fetch); `caseLimitMs` is
 * `maxCaseMs` unless they touch the disk (`maxFileCaseMs`).
 */
export function fuzzAsync<A>(
  name: string,
  input: fc.Arbitrary<A>,
  check: (value: A) => Promise<void>,
  caseLimitMs = maxCaseMs,
): void {
  const runs = fuzzRuns();
  test(
    `${name} (${runs} cases)`,
    async () => {
      const settings = replaySettings();
      const details = await fc.check(fc.asyncProperty(input, timedAsyncCase(check, caseLimitMs)), {
        numRuns: runs,
        // A case whose promise never settles fails (with its seed) instead of stalling the run.
        timeout: 2 * caseLimitMs,
        ...settings,
      });
      report(name, details, settings.seed);
    },
    // 10,000 file-reading cases take minutes on a loaded machine; the config's limit applies too.
    600_000,
  );
}

/** Runs `parse`; a throw must be an instance of `errorType` with a message matching `names`. */
export function expectOnlyOwnError<T>(
  parse: () => T,
  errorType: abstract new (...args: never[]) => Error,
  names: RegExp,
): T | null {
  try {
    return parse();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(errorType);
    expect((error as Error).message).toMatch(names);
    return null;
  }
}

/** Text that breaks parsers: quotes, escapes, controls, separators, a lone surrogate. */
export const awkwardChars = [
  'a',
  'b',
  '1',
  '0',
  ' ',
  '.',
  '-',
  '_',
  '"',
  "'",
  '\\',
  '/',
  ':',
  ',',
  '{',
  '}',
  '[',
  ']',
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\u0001',
  '\u00a0',
  '\u00e9',
  '\u2028',
  '\u202e',
  '\uD83D',
  '\uD83D\uDE00',
  '%',
  'e',
] as const;

export function awkwardText(maxLength = 16): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: fc.constantFrom(...awkwardChars), maxLength }),
    fc.string({ unit: 'binary', maxLength }),
  );
}

/** Keys that have a special meaning to JavaScript objects, mixed with ordinary ones. */
export const awkwardKeys = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '',
  '0',
  'a b',
] as const;

/** Any JSON value, with keys that probe prototype handling among the generated ones. */
export function jsonValue(maxDepth = 4): fc.Arbitrary<unknown> {
  const key = fc.oneof(fc.constantFrom(...awkwardKeys), fc.string({ maxLength: 6 }));
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth },
      fc.constant(null),
      fc.boolean(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      awkwardText(12),
      fc.array(tie('value'), { maxLength: 4 }),
      fc
        .array(fc.tuple(key, tie('value')), { maxLength: 4 })
        .map((entries) => JSON.parse(jsonObjectText(entries)) as unknown),
    ),
  })).value;
}

/** JSON text of an object with these entries in order; `__proto__` stays an own key in it. */
function jsonObjectText(entries: readonly (readonly [string, unknown])[]): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
}

/** A path into a JSON value and a replacement; applied with `mutateJson`. */
export interface JsonMutation {
  at: number[];
  kind: 'replace' | 'delete' | 'proto';
  value: unknown;
}

export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.record({
  at: fc.array(fc.nat(40), { maxLength: 6 }),
  kind: fc.constantFrom('replace', 'delete', 'proto'),
  value: jsonValue(2),
});

/**
 * A copy of `base` with one node changed: the walk picks a child by index (modulo the children)
 * at each step of `at`, then replaces or deletes the node there or gives its object a
 * `__proto__` key. Targets every field of a real document, which random JSON almost never hits.
 */
export function mutateJson(base: unknown, mutation: JsonMutation): unknown {
  const copy = JSON.parse(JSON.stringify(base)) as unknown;
  let parent: unknown = null;
  let key: string | number | null = null;
  let node: unknown = copy;
  for (const step of mutation.at) {
    if (node === null || typeof node !== 'object') break;
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const chosen = keys[step % keys.length] ?? '';
    parent = node;
    key = Array.isArray(node) ? Number(chosen) : chosen;
    node = (node as Record<string, unknown>)[chosen];
  }
  if (mutation.kind === 'proto' && node !== null && typeof node === 'object') {
    Object.defineProperty(node, '__proto__', {
      value: mutation.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    return copy;
  }
  if (parent === null || key === null) return mutation.kind === 'delete' ? {} : mutation.value;
  if (mutation.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else Reflect.deleteProperty(parent as Record<string, unknown>, key);
  } else {
    (parent as Record<string, unknown>)[key] = mutation.value;
  }
  return copy;
}

/** One character inserted or deleted in JSON text: the syntax error side of a parser. */
export const textEdit = fc.record({
  at: fc.nat(),
  cut: fc.nat(3),
  insert: fc.constantFrom('', ',', '"', '{', '}', '[', ']', '\\', '\n', '0', '-', 'e', ' ', 'tru'),
});

export function editText(text: string, edit: { at: number; cut: number; insert: string }): string {
  const at = edit.at % (text.length + 1);
  return text.slice(0, at) + edit.insert + text.slice(at + edit.cut);
}

/**
 * JSON text near `base`: mostly one node mutated (still JSON), sometimes a text edit on top
 * (broken JSON), sometimes unrelated JSON.
 */
export function documentNear(base: unknown): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: jsonMutation.map((m) => JSON.stringify(mutateJson(base, m), null, 2)) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(jsonMutation, textEdit)
        .map(([m, edit]) => editText(JSON.stringify(mutateJson(base, m), null, 2), edit)),
    },
    { weight: 1, arbitrary: jsonValue(3).map((value) => JSON.stringify(value)) },
  );
}

/** Lines of a text as editors (and the JSON locator) count them: \r\n, \n and a lone \r. */
export function lineCount(text: string): number {
  return text.split(/\r\n|\r|\n/).length;
}
