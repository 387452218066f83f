/**
 * The pdfkit 0.20 API Colophon uses, typed here once: @types/pdfkit lags 0.20, and Colophon
 * reaches a few internals (`_font`, `addContent`, `flushPages`, `push`, `endMetadata`, …)
 * that no declaration names. Only types: the code that touches them is pdfkit-patches.ts
 * and pdf-document.ts.
 */

import type { PngFacts } from './png-pixels.ts';

export interface FontkitGlyph {
  id: number;
  advanceWidth: number;
  codePoints: number[];
}
export interface GlyphPosition {
  xAdvance: number;
  yAdvance: number;
  xOffset: number;
  yOffset: number;
  advanceWidth: number;
}
export interface FontkitFont {
  hasGlyphForCodePoint(codePoint: number): boolean;
  /** Shape text; `direction` overrides the one fontkit infers from the script. */
  layout(text: string, features?: unknown, script?: string, language?: string, direction?: 'ltr' | 'rtl'): { glyphs: FontkitGlyph[]; positions: GlyphPosition[]; advanceWidth: number };
  unitsPerEm: number;
  /** The OS/2 table: sub- and superscript sizes and offsets in font units (offsets: subscript down, superscript up). */
  'OS/2'?: { ySubscriptYSize: number; ySubscriptYOffset: number; ySuperscriptYSize: number; ySuperscriptYOffset: number };
  /** fontkit's glyph objects by id (see word-shapes.ts `shapeAfresh`). */
  _glyphs: Record<number, FontkitGlyph>;
  /** The glyph object fontkit keeps per id: the very one its layouts return. */
  getGlyph(id: number, codePoints?: number[]): FontkitGlyph;
}
/** pdfkit's EmbeddedFont (positions in 1/1000 em). */
export interface PdfFont {
  id: string;
  font: FontkitFont;
  ascender: number;
  descender: number;
  /** fontkit's subset: `glyphs` lists the original ids, in subset order. */
  subset: { includeGlyph(id: number): number; glyphs: number[] };
  widths: number[];
  unicode: number[][];
  /** 1000 / units per em. */
  scale: number;
  /** Shape text with fontkit, uncached; positions scaled to 1/1000 em, plus each glyph's own advanceWidth. */
  layoutRun(text: string): { glyphs: FontkitGlyph[]; positions: GlyphPosition[]; advanceWidth: number };
  ref(): unknown;
  /** The font's object, made by the first `ref()`. */
  dictionary?: unknown;
}

/** An image pdfkit opened (embedded when first drawn). */
export interface PdfImage {
  width: number;
  height: number;
  label: string;
  /** A PNG's reader (png-js), until the image is embedded; a JPEG has none. */
  image?: (PngFacts & { decodePixels(done: (pixels: Uint8Array) => unknown): unknown }) | null;
}

export interface StructElement {
  add(child: StructElement | StructContent | AnnotationRef): StructElement;
  end(): void;
}
export type StructContent = { readonly __content: true };
type AnnotationRef = { readonly __annotation: true };

export interface StructOptions {
  alt?: string;
  lang?: string;
  actual?: string;
  title?: string;
  /** `/E`: the expansion of an abbreviation. */
  expanded?: string;
  scope?: 'Row' | 'Column' | 'Both';
  /** A table cell's spans (Colophon's: pdfkit has no option for them), added to its `/A` with `/O /Table`. */
  colSpan?: number;
  rowSpan?: number;
}

export interface OutlineItem {
  /** pdfkit's quirk: the destination's left is `page width - left`, its top `page height - top`. */
  addItem(title: string, options?: { expanded?: boolean; fit?: boolean; top?: number; left?: number; zoom?: number }): OutlineItem;
}

/** pdfkit's PDFReference of a stream (a page's content): written in chunks, deflated at its end when `compress`. */
export interface StreamRef {
  compress: boolean;
  buffer: Uint8Array[];
  data: { Length?: number; Filter?: string };
  write(chunk: Uint8Array): void;
}

/** pdfkit's PDFPage, as far as Colophon reaches into it. */
export interface RawPage {
  width: number;
  height: number;
  fonts: Record<string, unknown>;
  content: StreamRef;
  markings: unknown[];
  /** The page's dictionary object (written by flushPages). */
  dictionary: { data: { StructParents?: number } & Record<string, unknown> };
  /** The page's annotation objects (each written by annotate). */
  annotations: { data: object }[];
}

export interface RawDocument {
  registerFont(name: string, src: Uint8Array | FontkitFont): RawDocument;
  font(name: string): RawDocument;
  fontSize(size: number): RawDocument;
  _font: PdfFont;
  /** The fonts opened, by name (each under one or two names), finalized and embedded in this order at the end. */
  _fontFamilies: Record<string, PdfFont>;
  page: RawPage;
  /** Pages drawn and not yet written (flushPages writes and empties it). */
  _pageBuffer: RawPage[];
  /** Whether streams are compressed (pdfkit's `compress` option, on by default). */
  compress: boolean;
  addPage(options: object): RawDocument;
  /** Ends the pages drawn so far (called by addPage and end). */
  flushPages(): void;
  addContent(data: string): RawDocument;
  fillColor(color: string): RawDocument;
  /** pdfkit's colour parsing ("#rrggbb" → components 0–1) and the colour space they are in. */
  _normalizeColor(color: string): number[] | object | null;
  _getColorSpace(color: number[]): string;
  strokeColor(color: string): RawDocument;
  lineWidth(width: number): RawDocument;
  rect(x: number, y: number, w: number, h: number): RawDocument;
  moveTo(x: number, y: number): RawDocument;
  lineTo(x: number, y: number): RawDocument;
  fill(): RawDocument;
  stroke(): RawDocument;
  save(): RawDocument;
  /** Concatenates a matrix to the current transformation (`cm`), keeping pdfkit's own record of it. */
  transform(m11: number, m12: number, m21: number, m22: number, dx: number, dy: number): RawDocument;
  restore(): RawDocument;
  image(src: Uint8Array | PdfImage, x: number, y: number, options: { width: number; height: number }): RawDocument;
  openImage(src: Uint8Array): PdfImage;
  link(x: number, y: number, w: number, h: number, url: string, options?: object): RawDocument;
  goTo(x: number, y: number, w: number, h: number, name: string, options?: object): RawDocument;
  annotate(x: number, y: number, w: number, h: number, options: object): RawDocument;
  ref(data?: object): { end(): void };
  addNamedDestination(name: string, type: 'XYZ', x: number, y: number, zoom: null): void;
  outline: OutlineItem;
  struct(tag: string, options?: StructOptions): StructElement;
  addStructure(element: StructElement): RawDocument;
  markStructureContent(tag: string, options?: object): StructContent;
  markContent(tag: string, options?: object): RawDocument;
  endMarkedContent(): RawDocument;
  /** Writes a piece of output (a string is one line, as bytes), then counts it in `_offset`. */
  _write(data: string | Uint8Array): void;
  /** Bytes written so far (object offsets for the cross-reference table). */
  _offset: number;
  /** Readable.push: pdfkit hands every piece of output to it, then null at the end. */
  push(chunk: Uint8Array | null): boolean;
  /** Readable.read: what was pushed so far and not yet read. */
  read(): Uint8Array | null;
  on(event: 'error', listener: (error: Error) => void): RawDocument;
  end(): void;
  info: Record<string, string | Date | undefined>;
  endMetadata(): void;
  appendXML(xml: string): void;
}

export interface DocumentOptions {
  size: [number, number];
  lang: string;
  tagged: boolean;
  pdfa: boolean;
  info: { Title: string; Author?: string; Subject?: string; Keywords?: string; Creator: string; Producer: string; CreationDate: Date; ModDate: Date };
  /** A file descriptor the PDF is written into as it is made (Pdf.finishToFile); without one it is held, for Pdf.finish. */
  output?: number;
}
