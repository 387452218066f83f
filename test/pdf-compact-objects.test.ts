import PDFDocumentCtor from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { ByteSink } from '../pipeline/writers/pdf/byte-sink.ts';
import { Pdf } from '../pipeline/writers/pdf/pdf-document.ts';
import type { RawDocument } from '../pipeline/writers/pdf/pdfkit-api.ts';
import { addDestination, captureOutput, CompactOutline, fasterObjects } from '../pipeline/writers/pdf/pdfkit-patches.ts';

/**
 * What the PDF writer keeps compact until pdfkit's end writes it (a long book holds one per
 * heading, one per page) is written with pdfkit's bytes: the outline (CompactOutline), the
 * named destinations (addDestination) and the written pages' parent-tree entries
 * (releaseWrittenPages).
 */

const SIZE: [number, number] = [300, 400];
const DATE = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));

/** Headings by page: depth and title (a skipped level, non-ASCII and escaped characters, levels going back up). */
const HEADINGS: [number, string][][] = [
  [
    [1, 'Intro \u00e9t\u00e9'],
    [2, 'A (first) \\ section'],
    [3, 'Deeper'],
  ],
  [],
  [
    [3, 'Deeper still'],
    [2, 'B'],
    [4, 'Skipped a level'],
    [1, 'Second part'],
  ],
  [[2, 'Last']],
];

/** pdfkit, uncompressed, with fasterObjects' references; the outline pdfkit's own, or CompactOutline. */
async function outlined(compact: boolean): Promise<string> {
  const Ctor = PDFDocumentCtor as unknown as new (options: object) => RawDocument;
  const raw = new Ctor({ size: SIZE, margin: 0, autoFirstPage: false, font: null, compress: false, pdfVersion: '1.7', info: { Title: 'Outline', CreationDate: DATE, ModDate: DATE } });
  const output = new ByteSink();
  const done = captureOutput(raw, output);
  fasterObjects(raw);
  type Item = { addItem(title: string, options: object): Item };
  const outline = compact ? new CompactOutline(raw) : undefined;
  const items: Item[] = [(raw as unknown as { outline: Item }).outline];
  const stack: { depth: number; item: number }[] = [];
  for (const [page, headings] of HEADINGS.entries()) {
    raw.addPage({ size: SIZE, margin: 0 });
    for (const [index, [depth, title]] of headings.entries()) {
      while (stack.length > 0 && stack.at(-1)!.depth >= depth) stack.pop();
      const parent = stack.at(-1)?.item ?? 0;
      const options = { fit: false, top: 10 + 33.3333333 * index + page, left: SIZE[0], zoom: 0, expanded: false };
      const item = outline ? outline.add(parent, title, options) : items.push(items[parent]!.addItem(title, options)) - 1;
      stack.push({ depth, item });
    }
  }
  raw.end();
  await done;
  return Buffer.from(output.bytes()).toString('latin1');
}

/** pdfkit, uncompressed, with fasterObjects' references; named destinations added by pdfkit or by addDestination. */
async function destined(compact: boolean): Promise<string> {
  const Ctor = PDFDocumentCtor as unknown as new (options: object) => RawDocument;
  const raw = new Ctor({ size: SIZE, margin: 0, autoFirstPage: false, font: null, compress: false, pdfVersion: '1.7', info: { Title: 'Destinations', CreationDate: DATE, ModDate: DATE } });
  const output = new ByteSink();
  const done = captureOutput(raw, output);
  fasterObjects(raw);
  // Names out of order, a number-like one, a non-ASCII one, and one added twice (the later one wins, in the earlier one's place).
  const names = [['intro', 'b', '10', '2'], ['caf\u00e9', 'intro', 'A', 'a'], ['fn-1', 'z']];
  for (const [page, onPage] of names.entries()) {
    raw.addPage({ size: SIZE, margin: 0 });
    for (const [index, name] of onPage.entries()) {
      const [x, y] = [10 + index, 20.1234567 * index + page];
      if (compact) addDestination(raw, name, x, y);
      else raw.addNamedDestination(name, 'XYZ', x, y, null);
    }
  }
  raw.end();
  await done;
  return Buffer.from(output.bytes()).toString('latin1');
}

describe('objects kept compact to the end', () => {
  it("write named destinations with pdfkit's bytes", async () => {
    const compact = await destined(true);
    expect(compact).toBe(await destined(false));
    expect(compact).toMatch(/\(intro\) \[\d+ 0 R \/XYZ 11 /);
  });

  it("write an outline with pdfkit's bytes", async () => {
    const compact = await outlined(true);
    expect(compact).toBe(await outlined(false));
    expect(compact).toMatch(/\/Title \(\u00fe\u00ff/);
    expect(compact).toMatch(/\/Outlines \d+ 0 R/);
  });

  it('refuse marked content added to its element after its page was written', () => {
    const pdf = new Pdf({ size: SIZE, lang: 'en', tagged: true, pdfa: false, info: { Title: 'Late content', Creator: 'test', Producer: 'test', CreationDate: DATE, ModDate: DATE } });
    const root = pdf.struct('Document');
    pdf.addStructure(root);
    pdf.addPage(SIZE);
    const paragraph = pdf.struct('P');
    root.add(paragraph);
    const content = pdf.beginContent('P');
    pdf.fillRect(10, 10, 100, 8, '#336699');
    pdf.endContent();
    pdf.addPage(SIZE);
    expect(() => paragraph.add(content)).toThrow(/after its page was written/);
  });
});
