import { readFile, writeFile } from 'node:fs/promises';

/**
 * Pulls the largest embedded JPEG out of a PDF, byte for byte: a real slide picture for the
 * benchmark without a PDF renderer. Image XObjects with /Filter /DCTDecode hold a complete JPEG
 * file between `stream` and `endstream`.
 */
export async function extractLargestPdfJpeg(pdfPath: string, outPath: string): Promise<boolean> {
  const pdf = await readFile(pdfPath);
  const text = pdf.toString('latin1');
  const dictionary = /<<[^>]*?\/Subtype\s*\/Image[^>]*?\/DCTDecode[^>]*?>>\s*stream\r?\n/g;
  let best: Buffer | null = null;
  for (const match of text.matchAll(dictionary)) {
    const start = match.index + match[0].length;
    const end = text.indexOf('endstream', start);
    if (end < 0) continue;
    // The end-of-line before `endstream` belongs to the PDF syntax, not to the image.
    let stop = end;
    while (stop > start && (pdf[stop - 1] === 0x0a || pdf[stop - 1] === 0x0d)) stop -= 1;
    const jpeg = pdf.subarray(start, stop);
    if (jpeg[0] === 0xff && jpeg[1] === 0xd8 && (!best || jpeg.length > best.length)) best = jpeg;
  }
  if (!best) return false;
  await writeFile(outPath, best);
  return true;
}
