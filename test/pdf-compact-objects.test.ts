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

/**
 * Many named destinations and parent-tree entries, written by pdfkit alone (its own references,
 * convert and PDFTree.toString, destinations by addNamedDestination) or by Colophon's patches
 * (fasterObjects, addDestination), which write a tree's object a megabyte at a time: both trees
 * print as several megabytes here.
 */
async function manyTrees(patched: boolean): Promise<string> {
  const Ctor = PDFDocumentCtor as unknown as new (options: object) => RawDocument;
  const raw = new Ctor({ size: SIZE, margin: 0, autoFirstPage: false, font: null, tagged: true, compress: false, pdfVersion: '1.7', info: { Title: 'Trees', CreationDate: DATE, ModDate: DATE } });
  const output = new ByteSink();
  const done = captureOutput(raw, output);
  if (patched) fasterObjects(raw);
  const tree = raw as unknown as { getStructParentTree(): { add(key: number, value: unknown): void }; createStructParentTreeNextKey(): number; page: { dictionary: unknown } };
  // Array indices ("12", "4294967294") and names that only look like numbers ("007", "4294967295",
  // "-1", "1e3"), names that collate equal to an index added after them (with a zero-width
  // joiner or space), non-ASCII (one decomposed, which collates equal to its composed form),
  // characters pdfkit escapes, names that differ only in case; each added again later.
  const special = ['1\u200d2', '\u200b3', '12', '007', '0', '4294967294', '4294967295', '-1', '1e3', '3', 'caf\u00e9', 'cafe\u0301', '\u00c9t\u00e9', '\u65e5\u672c', 'a (b) \\ c', 'Intro', 'intro', 'INTRO', '_proxy', 'zeta'];
  const words = ['installing', 'usage', 'options', 'api', 'configuration', 'license', 'contributing', 'examples', '\u00fcber-uns'];
  for (let page = 0; page < 40; page++) {
    raw.addPage({ size: SIZE, margin: 0 });
    for (let index = 0; index < 1500; index++) {
      const serial = page * 1500 + index;
      const name = index < special.length && page % 10 === 0 ? special[index]! : serial % 7 === 0 ? `fn-${serial % 9000}` : `${words[serial % words.length]}-of-the-package-${serial % 20000}`;
      const [x, y] = [10 + (index % 50), 0.1234567 * index + page];
      if (patched) addDestination(raw, name, x, y);
      else raw.addNamedDestination(name, 'XYZ', x, y, null);
      if (index % 10 === 0) tree.getStructParentTree().add(tree.createStructParentTreeNextKey(), [tree.page.dictionary, null, tree.page.dictionary]);
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

  it("write many destinations and parent-tree entries with pdfkit's bytes, a piece at a time", async () => {
    const patched = await manyTrees(true);
    expect(patched).toBe(await manyTrees(false));
    const names = /\/Dests <<\n {2}\/Limits \[\(_proxy\) .*\]\n {2}\/Names \[\n([\s\S]*?)\n\]\n>>/.exec(patched)![1]!;
    expect(names.length).toBeGreaterThan(2 << 20);
    // Each name once (its last destination); an index before the name added before it that collates equal.
    expect(names.split('\n').length).toBe(new Set(names.split('\n').map((line) => line.slice(0, line.lastIndexOf(' [')))).size);
    expect(names.indexOf('\n    (12) [')).toBeLessThan(names.indexOf('\n    (\u00fe\u00ff\u00001 \\r\u00002) ['));
    expect(names.indexOf('\n    (12) [')).toBeGreaterThan(0);
    expect(patched).toMatch(/\/ParentTree <<\n {2}\/Limits \[0 5999\]/);
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
