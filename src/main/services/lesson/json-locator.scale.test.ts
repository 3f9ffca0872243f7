import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, test } from 'vitest';
import { scanJson } from './json-locator.ts';

// Heap growth is only meaningful after a full collection: expose V8's gc to this test alone.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

function retainedBytes(make: () => unknown): { kept: unknown; bytes: number } {
  collect();
  const before = process.memoryUsage().heapUsed;
  const kept = make();
  collect();
  return { kept, bytes: process.memoryUsage().heapUsed - before };
}

/** A lesson.json-shaped text of about `slides` × 110 bytes, one slide per line. */
function bigLesson(slides: number): string {
  const lines = ['{', '  "title": "Big",', '  "slides": ['];
  for (let index = 0; index < slides; index += 1) {
    const comma = index === slides - 1 ? '' : ',';
    lines.push(
      `    {"id": "s${index}", "image": "${index}.png", "marks": [1, 2, 3, 4, 5, 6, 7, 8], "n": ${index}}${comma}`,
    );
  }
  lines.push('  ]', '}');
  return lines.join('\n');
}

function timed(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

describe('scanJson on a large lesson.json', () => {
  test('keeps no per-value state: retained heap is that of the parsed value, not more', () => {
    const text = bigLesson(70_000); // ≈ 6.3 MB, under the 16 MB lesson cap
    expect(text.length).toBeGreaterThan(6_000_000);
    const parsedOnly = retainedBytes(() => JSON.parse(text) as unknown);
    const scanned = retainedBytes(() => scanJson(text));
    // The document holds JSON.parse's value and a closure; a position per value (the old
    // design) kept hundreds of megabytes more here.
    expect(scanned.bytes).toBeLessThan(parsedOnly.bytes + 8_000_000);
    expect(parsedOnly.kept).toBeDefined();

    const result = scanned.kept as ReturnType<typeof scanJson>;
    if (!result.ok) throw new Error(result.error.message);
    // The header is 3 lines; slide i is on line i + 4.
    const asked = [
      ['slides', 0, 'image'],
      ['slides', 69_999, 'marks', 7],
      ['slides', 31_337, 'nope'],
      ['title'],
      ['slides', 80_000],
    ];
    const located = retainedBytes(() => result.document.locateAll(asked));
    expect(located.bytes).toBeLessThan(1_000_000);
    expect(located.kept).toMatchObject([
      { line: 4, exact: true },
      { line: 70_003, exact: true },
      { line: 31_341, exact: false, path: ['slides', 31_337] },
      { line: 2, exact: true },
      { line: 3, exact: false, path: ['slides'] },
    ]);
  });

  test('time grows linearly with the text', () => {
    const small = bigLesson(6_000);
    const large = bigLesson(60_000);
    const paths = [['slides', 5_999, 'n']];
    const run = (text: string) => () => {
      const result = scanJson(text);
      if (!result.ok) throw new Error(result.error.message);
      result.document.locateAll(paths);
    };
    run(small)(); // warm up the JIT so the small run is not dominated by compilation
    const smallTime = Math.min(timed(run(small)), timed(run(small)));
    const largeTime = timed(run(large));
    // Ten times the text: linear is ≈ 10×; allow for a busy machine, but not for a blow-up.
    expect(largeTime).toBeLessThan(25 * smallTime + 500);
  });
});

// Generated texts (10,000+ under `npm run test:fuzz`): json-locator.fuzz.test.ts.
