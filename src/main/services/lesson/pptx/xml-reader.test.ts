import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeXml } from '../../../../../testing/support/pptx-test-deck.ts';
import {
  attribute,
  childElements,
  parseXml,
  XmlFormatError,
  type XmlElement,
} from './xml-reader.ts';

const a = 'http://schemas.openxmlformats.org/drawingml/2006/main';

function textOf(element: XmlElement): string {
  return element.children
    .map((child) => (typeof child === 'string' ? child : textOf(child)))
    .join('');
}

function failure(xml: string): XmlFormatError {
  try {
    parseXml(xml);
  } catch (error) {
    if (error instanceof XmlFormatError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(xml)} to be refused`);
}

/** XML 1.0 Char, less the controls a text editor would not write (tab, LF and CR stay). */
const xmlChar = fc
  .oneof(
    fc.constantFrom('\t', '\n', ' ', '&', '<', '>', '"', "'", ']]>', '\u00a0', '’', '–', '😀'),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }),
  )
  .filter(
    (s) =>
      !Array.from(s).some(
        (c) => (c < ' ' && c !== '\t' && c !== '\n') || c === '\ufffe' || c === '\uffff',
      ),
  );

describe('parseXml', () => {
  it('resolves namespaces by URI, not by prefix', () => {
    const root = parseXml(
      `<?xml version="1.0"?>\n<x:root xmlns:x="urn:one" xmlns:q="${a}"><q:t q:k="v" k="w">hi</q:t><t xmlns="${a}">yo</t></x:root>`,
    );
    expect(root).toMatchObject({ ns: 'urn:one', local: 'root', name: 'x:root', line: 2 });
    const ts = childElements(root, a, 't');
    expect(ts.map(textOf)).toEqual(['hi', 'yo']);
    const first = ts[0];
    if (!first) throw new Error('no t');
    expect(attribute(first, 'k')).toBe('w');
    expect(attribute(first, 'k', a)).toBe('v');
  });

  it('decodes the predefined entities and character references, and keeps CDATA as written', () => {
    const root = parseXml('<r>&lt;&gt;&amp;&quot;&apos;&#65;&#x1F600;<![CDATA[<&amp;>]]></r>');
    expect(textOf(root)).toBe(`<>&"'A😀<&amp;>`);
  });

  it('keeps the spaces of a:t but drops whitespace between elements', () => {
    const root = parseXml(`<p xmlns:a="${a}">\n  <a:t> </a:t>\n  <a:r/>\n</p>`);
    expect(root.children).toHaveLength(2);
    expect(textOf(root)).toBe(' ');
  });

  it('any text, escaped, comes back exactly (property)', () => {
    fc.assert(
      fc.property(fc.array(xmlChar, { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        const root = parseXml(`<a:t xmlns:a="${a}">${escapeXml(text)}</a:t>`);
        expect(textOf(root)).toBe(text);
      }),
    );
  });

  it('any attribute value, escaped, comes back (tabs and newlines normalised to spaces)', () => {
    fc.assert(
      fc.property(fc.array(xmlChar, { maxLength: 20 }), (parts) => {
        const value = parts.join('');
        const root = parseXml(`<e k="${escapeXml(value)}"/>`);
        expect(attribute(root, 'k')).toBe(value.replace(/[\t\n]/gu, ' '));
      }),
    );
  });

  it('arbitrary input either parses or fails with an XmlFormatError, never anything else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc
            .array(
              fc.constantFrom(
                '<a>',
                '</a>',
                '<b/>',
                '<!--',
                '-->',
                '&amp;',
                '&',
                'x="1"',
                '<',
                '>',
                '"',
                '<![CDATA[',
                ']]>',
                '<?x ?>',
                '\n',
              ),
              { maxLength: 30 },
            )
            .map((parts) => parts.join('')),
        ),
        (text) => {
          try {
            parseXml(text);
          } catch (error) {
            expect(error).toBeInstanceOf(XmlFormatError);
            expect((error as XmlFormatError).line).toBeGreaterThanOrEqual(1);
          }
        },
      ),
    );
  });

  it.each([
    ['<a>\n<b>\n</a>', 3, '</a> does not close <b>'],
    ['<a>\n\n<b>', 3, '<b> is not closed'],
    ['<a>x &nbsp; y</a>', 1, 'unknown entity "&nbsp;"'],
    ['<a>\nAT&T</a>', 2, '"&" must start a reference'],
    ['<a>&#0;</a>', 1, 'not a valid character reference'],
    ['<a>&#xD800;</a>', 1, 'not a valid character reference'],
    ['<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', 1, 'DOCTYPE'],
    ['<a k="1" k="2"/>', 1, 'k is given twice'],
    ['<a k="<"/>', 1, 'holds "<"'],
    ['<a k=1/>', 1, 'name="value"'],
    ['<a/><b/>', 1, 'a second root element'],
    ['<a/>\ntext', 2, 'text outside the root element'],
    ['<p:a/>', 1, 'prefix "p" of <p:a> is not declared'],
    ['', 1, 'there is no root element'],
    ['<a><!-- never closed</a>', 1, 'comment is not closed'],
  ])('refuses %j at line %i: %s', (xml, line, reason) => {
    const error = failure(xml);
    expect(error.line).toBe(line);
    expect(error.reason).toContain(reason);
  });

  it('limits nesting depth and element count', () => {
    expect(failure('<a>'.repeat(300) + '</a>'.repeat(300)).reason).toContain('deeper than 256');
    expect(() =>
      parseXml(`<r>${'<e/>'.repeat(20)}</r>`, { maxDepth: 10, maxElements: 10 }),
    ).toThrow(/more than 10 elements/u);
  });
});
