import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { awkwardText, fuzz } from '../../../../testing/fuzz.ts';
import { parseNarrationScript } from './narration-script.ts';

/** Script files: paragraphs, blank lines, dash separators, BOM, mixed line ends. */
const script = fc
  .array(
    fc.oneof(
      awkwardText(20),
      fc.constantFrom('', '---', '-----', ' --- ', '—', '\uFEFF', '- - -', '***'),
    ),
    { maxLength: 12 },
  )
  .chain((lines) => fc.constantFrom('\n', '\r\n', '\r').map((end) => lines.join(end)));

describe('narration scripts (properties)', () => {
  fuzz(
    'narration script: any text gives paragraphs without blank edges, never a throw',
    script,
    (text) => {
      const parsed = parseNarrationScript(text);
      expect(['blank-lines', 'dashes']).toContain(parsed.separator);
      for (const paragraph of parsed.paragraphs) expect(typeof paragraph).toBe('string');
      if (parsed.separator === 'dashes' && parsed.paragraphs.length > 0) {
        expect(parsed.paragraphs[0]).not.toBe('');
        expect(parsed.paragraphs.at(-1)).not.toBe('');
      }
    },
  );
});
