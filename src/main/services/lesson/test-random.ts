/**
 * Seeded generators for the property tests of this folder's parsers (fast-check is not installed
 * in this tree). Seeded so a failure names the input that caused it on every run.
 */

export type Random = () => number;

/** mulberry32: small, fast and good enough to spread test inputs. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pickFrom<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pickFrom: no items');
  return item;
}

/** A string from an alphabet that includes what breaks parsers: quotes, escapes, controls. */
export function randomText(random: Random, maxLength: number, alphabet?: string): string {
  const chars = alphabet ?? 'ab1 .-_"\\/\n\t\u0000\u00e9\u2028%px\uD83D\uDE00';
  let out = '';
  const length = Math.floor(random() * (maxLength + 1));
  // By UTF-16 unit on purpose: a lone surrogate is an input parsers must survive too.
  for (let index = 0; index < length; index += 1) {
    out += chars.charAt(Math.floor(random() * chars.length));
  }
  return out;
}

const keys = ['id', 'image', 'slides', 'a b', '0', '', 'k\\"', 'sl\u0069des', 'constructor'];

/** A JSON value up to `depth` deep (objects built with own properties only). */
export function randomJson(random: Random, depth: number): unknown {
  const kind = Math.floor(random() * (depth > 0 ? 7 : 5));
  switch (kind) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return pickFrom(random, [0, -1, 1.5, 1e21, -2.5e-7, Math.floor(random() * 1e6)]);
    case 3:
    case 4:
      return randomText(random, 8);
    case 5:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(random, depth - 1));
    default: {
      const object: Record<string, unknown> = {};
      const count = Math.floor(random() * 4);
      for (let index = 0; index < count; index += 1) {
        Object.defineProperty(object, pickFrom(random, keys), {
          value: randomJson(random, depth - 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return object;
    }
  }
}
