import PDFDocumentCtor from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { ByteSink } from '../pipeline/writers/pdf/byte-sink.ts';
import { Pdf } from '../pipeline/writers/pdf/pdf-document.ts';
import type { RawDocument, StructElement } from '../pipeline/writers/pdf/pdfkit-api.ts';
import { captureOutput, compactStructElement, finishStructure, type SealRecording } from '../pipeline/writers/pdf/pdfkit-patches.ts';
import { struct, type Box, type StructNode } from '../pipeline/writers/pdf/boxes.ts';
import { pageDrawer, type Frame } from '../pipeline/writers/pdf/draw-pages.ts';
import { pageStream, type Page } from '../pipeline/writers/pdf/paginate.ts';

/**
 * A sealed structure element (finishStructure: its subtree's objects recorded when its block is
 * drawn, written at pdfkit's end) gives the bytes pdfkit itself writes at its end: the same
 * objects, numbers, offsets and OBJR page references. Each document below is built twice, with
 * its finished blocks sealed page by page as draw-pages.ts seals them, and without.
 */

interface Surface {
  raw: RawDocument;
  addPage(): void;
  struct(tag: string, options?: { alt?: string; lang?: string; scope?: 'Row' | 'Column'; expanded?: string }): StructElement;
  /** Marked content of the element (a filled rectangle), added to it. */
  content(element: StructElement, tag: string): void;
  /** A link annotation under the element (an OBJR in its K). */
  link(element: StructElement, kind: 'uri' | 'internal', target: string): void;
  destination(name: string): void;
  finish(): Promise<Uint8Array>;
}

const SIZE: [number, number] = [300, 400];
const DATE = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));

/** Colophon's Pdf, with all its patches (fasterObjects' references and convert among them). */
function colophonPdf(): Surface {
  const pdf = new Pdf({ size: SIZE, lang: 'en', tagged: true, pdfa: false, info: { Title: 'Sealed (tree) \u00e9', Creator: 'test', Producer: 'test', CreationDate: DATE, ModDate: DATE } });
  let y = 10;
  return {
    raw: pdf.raw,
    addPage: () => {
      pdf.addPage(SIZE);
      y = 10;
    },
    struct: (tag, options) => pdf.struct(tag, options),
    content: (element, tag) => {
      const content = pdf.beginContent(tag);
      pdf.fillRect(10, (y += 12), 100, 8, '#336699');
      pdf.endContent();
      element.add(content);
    },
    link: (element, kind, target) => (kind === 'uri' ? pdf.linkUri(10, y, 50, 8, target, element) : pdf.linkInternal(10, y, 50, 8, target, element)),
    destination: (name) => pdf.destination(name, 10, y),
    finish: () => pdf.finish(),
  };
}

/** pdfkit alone, uncompressed, with pdfkit's own references and convert: only the structure elements compacted. */
function plainPdfkit(): Surface {
  const Ctor = PDFDocumentCtor as unknown as new (options: object) => RawDocument;
  const raw = new Ctor({ size: SIZE, margin: 0, autoFirstPage: false, font: null, tagged: true, compress: false, pdfVersion: '1.7', info: { Title: 'Plain', CreationDate: DATE, ModDate: DATE } });
  const output = new ByteSink();
  const done = captureOutput(raw, output);
  let y = 10;
  const doc = raw as unknown as RawDocument & { link(x: number, y: number, w: number, h: number, url: string, options: object): void; goTo(x: number, y: number, w: number, h: number, name: string, options: object): void };
  return {
    raw,
    addPage: () => {
      raw.addPage({ size: SIZE, margin: 0 });
      y = 10;
    },
    struct: (tag, options) => compactStructElement(raw.struct(tag, options ?? {})),
    content: (element, tag) => {
      const content = raw.markStructureContent(tag);
      raw.rect(10, (y += 12), 100, 8).fill();
      raw.endMarkedContent();
      element.add(content);
    },
    link: (element, kind, target) => (kind === 'uri' ? doc.link(10, y, 50, 8, target, { structParent: element }) : doc.goTo(10, y, 50, 8, target, { structParent: element })),
    destination: (name) => raw.addNamedDestination(name, 'XYZ', 10, y, null),
    finish: async () => {
      raw.end();
      await done;
      return output.bytes();
    },
  };
}

/**
 * A tagged document of six pages: paragraphs with links (internal and external, one block's
 * links on two pages), a heading, a nested list, a figure with alternative text, a table with
 * header cells spanning three pages (its header repeated), notes with labels and back-links
 * continuing over a page break, and a paragraph with a link on the last page. Blocks are the
 * root's children; `seal` seals each block drawn on one page and not on the next, as draw-pages does.
 */
async function build(surface: Surface, seal: boolean, memo?: Map<number, SealRecording>, kept?: { count: number; relocated?: number }, grown = false): Promise<{ bytes: Uint8Array; sealed: number }> {
  const root = surface.struct('Document', { lang: 'en' });
  surface.raw.addStructure(root);
  let drawnBefore = new Set<StructElement>();
  let drawnOnPage = new Set<StructElement>();
  let sealed = 0;
  const block = (tag: string, options?: object) => {
    const element = surface.struct(tag, options);
    root.add(element);
    return element;
  };
  const child = (parent: StructElement, tag: string, options?: object) => {
    const element = surface.struct(tag, options);
    parent.add(element);
    return element;
  };
  const on = (element: StructElement) => drawnOnPage.add(element);
  const endPage = () => {
    if (seal) {
      for (const element of drawnBefore) {
        if (drawnOnPage.has(element)) continue;
        // A watch session's memo, here by the order blocks are sealed in (draw-pages: by their node).
        const order = sealed;
        const sealMemo = memo && {
          last: memo.get(order),
          keep: (recording: SealRecording) => {
            memo.set(order, recording);
            if (kept) kept.count++;
            // A recording with a template is the last build's text with its numbers moved.
            if (kept && recording.template) kept.relocated = (kept.relocated ?? 0) + 1;
          },
        };
        finishStructure(surface.raw, element, root, sealMemo);
        // Sealed: the element is gone from the root's children, into a stand-in (consecutive sealed blocks share one).
        const children = (root as unknown as { _children: { _sealed?: unknown }[] })._children;
        expect(children.includes(element as unknown as { _sealed?: unknown })).toBe(false);
        expect(children.some((child) => child._sealed)).toBe(true);
        sealed++;
      }
    }
    drawnBefore = drawnOnPage;
    drawnOnPage = new Set();
  };

  // Page 1: a heading, a paragraph with two links and a formula, the first lines of a list.
  surface.addPage();
  const heading = block('H1');
  surface.destination('intro');
  surface.content(heading, 'H1');
  on(heading);
  const paragraph = block('P');
  surface.content(paragraph, 'P');
  const link = child(paragraph, 'Link');
  surface.content(link, 'Link');
  surface.link(link, 'uri', 'https://example.com/a(b)');
  const formula = child(paragraph, 'Formula', { alt: 'x squared' });
  surface.content(formula, 'Formula');
  const back = child(paragraph, 'Link');
  surface.content(back, 'Link');
  surface.link(back, 'internal', 'intro');
  if (grown) {
    // An edit: one more link, and every object after it numbered two higher (its element and its annotation).
    const added = child(paragraph, 'Link');
    surface.content(added, 'Link');
    surface.link(added, 'uri', 'https://example.com/added');
  }
  on(paragraph);
  const list = block('L');
  const item = child(list, 'LI');
  surface.content(child(item, 'Lbl'), 'Lbl');
  const body = child(item, 'LBody');
  surface.content(body, 'LBody');
  on(list);
  endPage();

  // Page 2: the list goes on (a nested list), a figure, a paragraph whose link spans the break.
  surface.addPage();
  const nested = child(body, 'L');
  const inner = child(nested, 'LI');
  surface.content(child(inner, 'LBody'), 'LBody');
  on(list);
  const figure = block('Figure', { alt: 'A chart of \u00fcber-long (runs)' });
  surface.content(figure, 'Figure');
  surface.content(child(figure, 'Caption'), 'Caption');
  on(figure);
  const spanning = block('P', { lang: 'fr' });
  surface.content(spanning, 'P');
  const wrapped = child(spanning, 'Link');
  surface.content(wrapped, 'Link');
  surface.link(wrapped, 'uri', 'https://example.com/long');
  on(spanning);
  endPage();

  // Page 3: the link's rest, a table's header and first rows; a note cited here starts in the note area.
  surface.addPage();
  surface.content(wrapped, 'Link');
  surface.link(wrapped, 'uri', 'https://example.com/long');
  surface.content(spanning, 'P');
  on(spanning);
  const table = block('Table');
  const head = child(table, 'THead');
  const headRow = child(head, 'TR');
  const headers = [child(headRow, 'TH', { scope: 'Column' }), child(headRow, 'TH', { scope: 'Column' })];
  const tbody = child(table, 'TBody');
  const cells = (n: number) => {
    const row = child(tbody, 'TR');
    surface.content(child(row, 'TH', { scope: 'Row' }), 'TH');
    const cell = child(row, 'TD');
    surface.content(cell, 'TD');
    if (n % 2 === 0) {
      const abbr = child(cell, 'Span', { expanded: `row ${n}` });
      surface.content(abbr, 'Span');
    }
  };
  for (const header of headers) surface.content(header, 'TH');
  for (let n = 0; n < 3; n++) cells(n);
  on(table);
  const note = block('Note');
  surface.content(child(note, 'Lbl'), 'Lbl');
  surface.content(note, 'Note');
  on(note);
  endPage();

  // Page 4: the table goes on under its repeated header; the note goes on and ends with its back-link.
  surface.addPage();
  for (const header of headers) surface.content(header, 'TH');
  for (let n = 3; n < 8; n++) cells(n);
  on(table);
  surface.content(note, 'Note');
  const noteBack = child(note, 'Link');
  surface.content(noteBack, 'Link');
  surface.link(noteBack, 'internal', 'intro');
  on(note);
  endPage();

  // Page 5: the table's last row; many short paragraphs (object numbers past the page's, and
  // more digits; their texts more than one 64 KB chunk, deflated while held).
  surface.addPage();
  cells(8);
  on(table);
  for (let n = 0; n < 700; n++) {
    const short = block('P');
    surface.content(short, 'P');
    surface.content(child(short, 'Span', { lang: 'de' }), 'Span');
    on(short);
  }
  endPage();

  // Page 6: a paragraph with a link, on the last page, left to pdfkit's end; the page before's sealed at the last page's end.
  surface.addPage();
  const last = block('P');
  surface.content(last, 'P');
  const lastLink = child(last, 'Link');
  surface.content(lastLink, 'Link');
  surface.link(lastLink, 'internal', 'intro');
  on(last);
  endPage();

  return { bytes: await surface.finish(), sealed };
}

describe('sealed structure elements', () => {
  it("write the bytes pdfkit's end writes (Colophon's Pdf)", async () => {
    const plain = await build(colophonPdf(), false);
    const sealed = await build(colophonPdf(), true);
    expect(sealed.sealed).toBe(707);
    expect(Buffer.from(sealed.bytes).equals(Buffer.from(plain.bytes))).toBe(true);
    // The OBJRs' /Pg is the last page's, in the sealed blocks too.
    const text = Buffer.from(sealed.bytes).toString('latin1');
    expect(text).toMatch(/\/Type \/OBJR\n\/Obj \d+ 0 R\n\/Pg \d+ 0 R/);
  });

  it("write the bytes pdfkit's end writes (pdfkit's own references, uncompressed)", async () => {
    const plain = await build(plainPdfkit(), false);
    const sealed = await build(plainPdfkit(), true);
    expect(sealed.sealed).toBe(707);
    const text = Buffer.from(sealed.bytes).toString('latin1');
    expect(text).toBe(Buffer.from(plain.bytes).toString('latin1'));
    const pages = [...text.matchAll(/(\d+) 0 obj\n<<\n\/Type \/Page\n/g)].map((match) => match[1]);
    const objr = [...text.matchAll(/\/Type \/OBJR\n\/Obj \d+ 0 R\n\/Pg (\d+) 0 R/g)].map((match) => match[1]);
    expect(objr.length).toBe(6);
    expect(new Set(objr)).toEqual(new Set([pages.at(-1)]));
  });

  it("write the last build's recording of a block whose print is unchanged, with the same bytes", async () => {
    const plain = await build(colophonPdf(), false);
    const memo = new Map<number, SealRecording>();
    const first = { count: 0 };
    const recorded = await build(colophonPdf(), true, memo, first);
    expect(first.count).toBe(707);
    const second = { count: 0 };
    const replayed = await build(colophonPdf(), true, memo, second);
    // Every block's recording taken from the memo: none made again.
    expect(second.count).toBe(0);
    expect(Buffer.from(recorded.bytes).equals(Buffer.from(plain.bytes))).toBe(true);
    expect(Buffer.from(replayed.bytes).equals(Buffer.from(plain.bytes))).toBe(true);
    // Recordings of other blocks (shifted by one) are not taken: their prints differ.
    const shifted = new Map([...memo].map(([order, recording]) => [order + 1, recording]));
    const third = { count: 0 };
    const other = await build(colophonPdf(), true, shifted, third);
    expect(third.count).toBeGreaterThan(700);
    expect(Buffer.from(other.bytes).equals(Buffer.from(plain.bytes))).toBe(true);
  });

  it("write a long run of sealed blocks' references (the root element's K, in pieces) with the bytes of blocks never sealed", async () => {
    const blocks = async (seal: boolean) => {
      const surface = colophonPdf();
      const root = surface.struct('Document');
      surface.raw.addStructure(root);
      let drawn: StructElement[] = [];
      for (let page = 0; page < 30; page++) {
        surface.addPage();
        if (seal) for (const element of drawn) finishStructure(surface.raw, element, root);
        drawn = [];
        for (let index = 0; index < 200; index++) {
          const paragraph = surface.struct('P');
          root.add(paragraph);
          surface.content(paragraph, 'P');
          drawn.push(paragraph);
        }
      }
      return Buffer.from(await surface.finish()).toString('latin1');
    };
    const sealed = await blocks(true);
    expect(sealed).toBe(await blocks(false));
    // One run of 5,800 sealed blocks and the last page's 200: more than one piece of references.
    expect(/\/S \/Document\n\/P \d+ 0 R\n\/K \[(.*)\]/.exec(sealed)![1]!.split(' 0 R').length).toBe(6001);
  });

  it("write the last build's recording of a block whose object numbers moved, renumbered, with the bytes of a cold build", async () => {
    const memo = new Map<number, SealRecording>();
    await build(colophonPdf(), true, memo);
    const plain = await build(colophonPdf(), false, undefined, undefined, true);
    const kept = { count: 0, relocated: 0 };
    const grown = await build(colophonPdf(), true, memo, kept, true);
    expect(Buffer.from(grown.bytes).equals(Buffer.from(plain.bytes))).toBe(true);
    // The heading before the edit as it was (not kept again); the edited paragraph and the list
    // after it (its marked-content ids on page 1 moved) recorded again; the 704 blocks after them
    // (their object numbers moved) renumbered, not recorded again.
    expect(kept.count).toBe(706);
    expect(kept.relocated).toBe(704);
    // Built again unchanged: every recording as it is.
    const again = { count: 0 };
    const same = await build(colophonPdf(), true, memo, again, true);
    expect(again.count).toBe(0);
    expect(Buffer.from(same.bytes).equals(Buffer.from(plain.bytes))).toBe(true);
  });

  it('refuse content added to a sealed block', async () => {
    const surface = colophonPdf();
    const root = surface.struct('Document');
    surface.raw.addStructure(root);
    surface.addPage();
    const paragraph = surface.struct('P');
    root.add(paragraph);
    surface.content(paragraph, 'P');
    finishStructure(surface.raw, paragraph, root);
    expect(() => surface.content(paragraph, 'P')).toThrow(/already-ended/);
  });
});

/** A box of one filled outline (content of `node` without a font), `height` tall. */
function outlineBox(node: StructNode | undefined, height = 20): Box {
  return { height, keep: false, notes: [], struct: node, ops: [{ op: 'image', x: 0, y: 0, w: 10, h: 10, outlines: { operators: '0 0 m 10 0 l 10 10 l h f', viewBox: [0, 0, 10, 10], color: '#000000' } }] };
}

const FRAME: Frame = { size: SIZE, top: 20, left: 20, width: 260, height: 360 };

/** Pages drawn by draw-pages' drawer (tagged, no memo), the document's bytes. */
async function drawn(pages: Page[], root: StructNode): Promise<Uint8Array> {
  const pdf = new Pdf({ size: SIZE, lang: 'en', tagged: true, pdfa: false, info: { Title: 'Drawn', Creator: 'test', Producer: 'test', CreationDate: DATE, ModDate: DATE } });
  const draw = pageDrawer(pdf, FRAME, () => [], root, true, { render: undefined, fonts: () => 'Helvetica' });
  for (const page of pages) draw(page);
  return pdf.finish();
}

describe('sealing in the drawer', () => {
  const root: StructNode = { tag: 'Document', lang: 'en' };
  const a = struct('P', root);
  const b = struct('P', root);
  const link = struct('Link', a);
  const page = (boxes: Box[], finished?: StructNode[]): Page => ({ body: boxes.map((box, index) => ({ box, y: index * 20 })), notes: [], noteHeight: 0, finished });

  it('leaves unsealed a block drawn again after a page without it, with the bytes of a document never sealed', async () => {
    // Block a on pages 1 and 3, b on page 2 (no pagination does this today): a stays whole.
    const pages = (finished: boolean) => [
      page([outlineBox(a), outlineBox(link)], finished ? [] : undefined),
      page([outlineBox(b)], finished ? [b] : undefined),
      page([outlineBox(a), outlineBox(b, 10)], finished ? [a] : undefined),
      page([outlineBox(undefined)], finished ? [] : undefined),
    ];
    const sealing = await drawn(pages(true), root);
    const never = await drawn(pages(false), root);
    expect(Buffer.from(sealing).equals(Buffer.from(never))).toBe(true);
  });

  it('does not fail when a page claims a block finished that is drawn again', async () => {
    const pages = [page([outlineBox(a)], [a]), page([outlineBox(b)], [b]), page([outlineBox(a)], [a]), page([outlineBox(undefined)], [])];
    const bytes = Buffer.from(await drawn(pages, root)).toString('latin1');
    expect(bytes.startsWith('%PDF-')).toBe(true);
  });
});

describe('pageStream', () => {
  it('marks a block finished on the page of its last box, a note once its rest is placed', () => {
    const root: StructNode = { tag: 'Document' };
    const long = struct('P', root);
    const short = struct('P', root);
    const boxes = [...Array.from({ length: 30 }, () => outlineBox(struct('Span', long))), outlineBox(short)];
    const pages = [...pageStream([boxes][Symbol.iterator](), new Map(), { height: 360, separator: 10, gap: 4, maxNoteFraction: 0.5 })];
    expect(pages.length).toBe(2);
    expect(pages[0]!.finished).toEqual([]);
    expect(pages[1]!.finished).toEqual([long, short]);
  });
});
