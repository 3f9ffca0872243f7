import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { awkwardText, fuzz } from '../../../../testing/fuzz.ts';
import { folderName, slugify } from './lesson-from-pages.ts';

const name = fc.oneof(
  awkwardText(20),
  fc.string({
    unit: fc.constantFrom('-', '_', 'a', 'B', ' ', 'é', '/', '\\', '.', '9'),
    maxLength: 20,
  }),
);

describe('lesson ids from names (properties)', () => {
  fuzz('slugs: edges trimmed as /^[-_]+|[-_]+$/gu did', name, (text) => {
    const expected = text
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/gu, '-')
      .replace(/-{2,}/gu, '-')
      .replace(/^[-_]+|[-_]+$/gu, '')
      .slice(0, 100);
    expect(slugify(text)).toBe(expected);
  });

  fuzz('folder names: trailing separators dropped as /[\\\\/]+$/u did', name, (dir) => {
    expect(folderName(dir)).toBe(
      dir
        .replace(/[\\/]+$/u, '')
        .split(/[\\/]/u)
        .at(-1) ?? '',
    );
  });
});
