import PDFDocumentCtor from 'pdfkit';

/**
 * A small typed facade over pdfkit 0.20: @types/pdfkit lags 0.20, and Colophon draws text
 * its own way (see `drawText`), so the few internals we rely on are named here, once.
 */

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
  /** The glyph object fontkit keeps per id: the very one its layouts return. */
  getGlyph(id: number): FontkitGlyph;
}
/** pdfkit's EmbeddedFont (positions in 1/1000 em). */
export interface PdfFont {
  id: string;
  font: FontkitFont;
  ascender: number;
  descender: number;
  subset: { includeGlyph(id: number): number };
  widths: number[];
  unicode: number[][];
  /** 1000 / units per em. */
  scale: number;
  /** Shape text with fontkit, uncached; positions scaled to 1/1000 em, plus each glyph's own advanceWidth. */
  layoutRun(text: string): { glyphs: FontkitGlyph[]; positions: GlyphPosition[]; advanceWidth: number };
  ref(): unknown;
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
  scope?: 'Row' | 'Column' | 'Both';
}

export interface OutlineItem {
  /** pdfkit's quirk: the destination's left is `page width - left`, its top `page height - top`. */
  addItem(title: string, options?: { expanded?: boolean; fit?: boolean; top?: number; left?: number; zoom?: number }): OutlineItem;
}

interface RawDocument {
  registerFont(name: string, src: Uint8Array | FontkitFont): RawDocument;
  font(name: string): RawDocument;
  fontSize(size: number): RawDocument;
  _font: PdfFont;
  page: { width: number; height: number; fonts: Record<string, unknown> };
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
  restore(): RawDocument;
  image(src: Uint8Array | object, x: number, y: number, options: { width: number; height: number }): RawDocument;
  openImage(src: Uint8Array): { width: number; height: number };
  link(x: number, y: number, w: number, h: number, url: string, options?: object): RawDocument;
  goTo(x: number, y: number, w: number, h: number, name: string, options?: object): RawDocument;
  addNamedDestination(name: string, type: 'XYZ', x: number, y: number, zoom: null): void;
  outline: OutlineItem;
  struct(tag: string, options?: StructOptions): StructElement;
  addStructure(element: StructElement): RawDocument;
  markStructureContent(tag: string, options?: object): StructContent;
  markContent(tag: string, options?: object): RawDocument;
  endMarkedContent(): RawDocument;
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
}

export class Pdf {
  readonly raw: RawDocument;
  private readonly output = new ByteSink();
  private readonly done: Promise<Uint8Array>;
  /** Colour → the operators pdfkit's `fillColor` writes for it. */
  private readonly fillOperatorsByColor = new Map<string, string>();
  /** Shaped words per font, compact: pdfkit's own cache keeps fontkit's whole glyph runs. */
  private readonly shapes = new Map<PdfFont, Map<string, ShapedWord>>();
  /** The current page's content operators, handed to pdfkit in one piece when the page ends. */
  private readonly pageContent: string[] = [];

  constructor(options: DocumentOptions) {
    const Ctor = PDFDocumentCtor as unknown as new (options: object) => RawDocument;
    this.raw = new Ctor({
      size: options.size,
      margin: 0,
      autoFirstPage: false,
      // No default font: pdfkit would otherwise register Helvetica, which cannot be embedded.
      font: null,
      // Words are shaped and cached here instead (see `shape`).
      fontLayoutCache: false,
      lang: options.lang,
      tagged: options.tagged,
      displayTitle: true,
      pdfVersion: options.pdfa ? '1.7' : '1.7',
      subset: options.pdfa ? 'PDF/A-2b' : undefined,
      // pdfkit derives the file /ID from every Info value and fails on undefined ones.
      info: Object.fromEntries(Object.entries(options.info).filter(([, value]) => value !== undefined)),
    });
    escapeXmp(this.raw);
    // pdfkit writes each keyword and dictionary as its own small array, and a Readable keeps
    // them all until it flows, after drawing: over a hundred thousand arrays (35 MB of heap for
    // a 5 MB PDF). Taking them as they are pushed, into large blocks, lets each one go at once.
    // The header, written by the constructor, is already waiting in the stream.
    const header = this.raw.read();
    if (header) this.output.write(header);
    this.done = new Promise((resolve, reject) => {
      this.raw.push = (chunk) => {
        if (chunk === null) resolve(this.output.bytes());
        else this.output.write(chunk);
        return true;
      };
      this.raw.on('error', reject);
    });
    // Likewise each operator drawn (ours, pdfkit's and svg-to-pdfkit's all go through
    // addContent) becomes a small array held until the page ends, and a long document's
    // hundreds of thousands of them reach the old generation as garbage. Kept as strings
    // instead, they are written as one just before pdfkit ends the page (flushPages, from
    // addPage and end): the same bytes, since pdfkit ends each piece with a newline.
    const addContent = this.raw.addContent.bind(this.raw);
    const flushPages = this.raw.flushPages.bind(this.raw);
    this.raw.addContent = (data) => {
      this.pageContent.push(data);
      return this.raw;
    };
    this.raw.flushPages = () => {
      if (this.pageContent.length > 0) addContent(this.pageContent.join('\n'));
      this.pageContent.length = 0;
      flushPages();
    };
  }

  /** Register a face from its bytes, or from a font fontkit parsed already (pdfkit takes either). */
  registerFont(name: string, source: Uint8Array | FontkitFont): PdfFont {
    this.raw.registerFont(name, source);
    this.raw.font(name);
    return this.raw._font;
  }

  addPage(size: [number, number]): void {
    this.raw.addPage({ size, margin: 0 });
  }

  /**
   * Draw one run of text whose top-left baseline origin is (x, baseline) in page coordinates
   * (y down). The text keeps its real space characters (so extraction gives words); justified
   * spacing is added to each space as a TJ adjustment instead of pdfkit's `wordSpacing`, which
   * drops the spaces from the text layer.
   */
  drawText(fontName: string, size: number, x: number, baseline: number, text: string, extraPerSpace: number, color: string): void {
    const doc = this.raw;
    doc.font(fontName);
    const font = doc._font;
    if (doc.page.fonts[font.id] == null) doc.page.fonts[font.id] = font.ref();
    const parts: string[] = [];
    let hex = '';
    forEachWord(text, (word) => {
      const { glyphs, kerning } = this.shape(font, word);
      for (let i = 0; i < glyphs.length; i++) {
        const id = glyphs.charCodeAt(i);
        // fontkit returns one glyph object per id, so its codePoints and advance are the run's.
        const glyph = font.font.getGlyph(id);
        const gid = font.subset.includeGlyph(id);
        hex += `0000${gid.toString(16)}`.slice(-4);
        if (font.widths[gid] == null) font.widths[gid] = glyph.advanceWidth * font.scale;
        if (font.unicode[gid] == null) font.unicode[gid] = glyph.codePoints;
        let adjust = kerning?.[i] ?? 0;
        if (extraPerSpace !== 0 && glyph.codePoints.length === 1 && glyph.codePoints[0] === 32) adjust += (extraPerSpace * 1000) / size;
        if (adjust !== 0) {
          parts.push(`<${hex}> ${num(-adjust)}`);
          hex = '';
        }
      }
    });
    if (hex) parts.push(`<${hex}>`);
    if (parts.length === 0) return;
    const y = doc.page.height - baseline;
    // pdfkit's pages have a y-down CTM; text needs it flipped back, as pdfkit's own _fragment does.
    // The colour goes in the same write: one piece of page content instead of three.
    doc.addContent(`${this.fillOperators(color)}q 1 0 0 -1 0 ${num(doc.page.height)} cm BT 1 0 0 1 ${num(x)} ${num(y)} Tm /${font.id} ${num(size)} Tf [${parts.join(' ')}] TJ ET Q`);
  }

  /**
   * What `fillColor(color)` would write, each line ended, made once per colour: pdfkit builds it
   * anew on every call, and text sets its colour once per run. Only plain colours are ever
   * drawn (no spot colours, gradients or patterns); one pdfkit cannot parse sets nothing, as there.
   */
  private fillOperators(color: string): string {
    let operators = this.fillOperatorsByColor.get(color);
    if (operators === undefined) {
      const components = this.raw._normalizeColor(color);
      operators = Array.isArray(components) ? `/${this.raw._getColorSpace(components)} cs\n${components.join(' ')} scn\n` : '';
      this.fillOperatorsByColor.set(color, operators);
    }
    return operators;
  }

  /** Advance of text in 1/1000 em, exactly as pdfkit's `widthOfString(text, 1000)` adds it up. */
  advanceOf(font: PdfFont, text: string): number {
    let advance = 0;
    forEachWord(text, (word) => {
      advance += this.shape(font, word).advance;
    });
    return advance;
  }

  /** One word shaped as pdfkit's layout shapes it, cached per font. */
  private shape(font: PdfFont, word: string): ShapedWord {
    let words = this.shapes.get(font);
    if (!words) this.shapes.set(font, (words = new Map()));
    let shaped = words.get(word);
    if (!shaped) {
      const run = font.layoutRun(word);
      const kerning = run.positions.map((position) => position.xAdvance - position.advanceWidth);
      shaped = {
        advance: run.advanceWidth,
        glyphs: codeUnits(run.glyphs.map((glyph) => glyph.id)),
        kerning: kerning.some((adjust) => adjust !== 0) ? kerning : undefined,
      };
      words.set(word, shaped);
    }
    return shaped;
  }

  fillRect(x: number, y: number, w: number, h: number, color: string): void {
    this.raw.save().rect(x, y, w, h).fillColor(color).fill().restore();
  }

  strokeRect(x: number, y: number, w: number, h: number, width: number, color: string): void {
    this.raw.save().lineWidth(width).strokeColor(color).rect(x, y, w, h).stroke().restore();
  }

  line(x1: number, y1: number, x2: number, y2: number, width: number, color: string): void {
    this.raw.save().lineWidth(width).strokeColor(color).moveTo(x1, y1).lineTo(x2, y2).stroke().restore();
  }

  polyline(points: [number, number][], width: number, color: string): void {
    const doc = this.raw.save().lineWidth(width).strokeColor(color);
    points.forEach(([x, y], index) => (index === 0 ? doc.moveTo(x, y) : doc.lineTo(x, y)));
    doc.stroke().restore();
  }

  image(bytes: Uint8Array, x: number, y: number, width: number, height: number): void {
    this.raw.image(bytes, x, y, { width, height });
  }

  imageSize(bytes: Uint8Array): { width: number; height: number } {
    const image = this.raw.openImage(bytes);
    return { width: image.width, height: image.height };
  }

  linkUri(x: number, y: number, w: number, h: number, url: string, parent?: StructElement): void {
    // Contents describes the link to assistive technology (PDF/UA asks for it).
    this.raw.link(x, y, w, h, url, parent ? { structParent: parent, Contents: new String(url) } : {});
  }

  linkInternal(x: number, y: number, w: number, h: number, name: string, parent?: StructElement): void {
    // pdfkit's goTo passes options through to annotate, which joins the annotation to the
    // structure tree (an OBJR under the Link element) when given a structParent.
    this.raw.goTo(x, y, w, h, name, parent ? { structParent: parent, Contents: new String(describe(name)) } : {});
  }

  destination(name: string, x: number, y: number): void {
    this.raw.addNamedDestination(name, 'XYZ', x, y, null);
  }

  get outline(): OutlineItem {
    return this.raw.outline;
  }

  struct(tag: string, options?: StructOptions): StructElement {
    return this.raw.struct(tag, options ?? {});
  }

  addStructure(element: StructElement): void {
    this.raw.addStructure(element);
  }

  beginContent(tag: string): StructContent {
    return this.raw.markStructureContent(tag);
  }

  beginArtifact(type: 'Pagination' | 'Layout'): void {
    this.raw.markContent('Artifact', { type });
  }

  endContent(): void {
    this.raw.endMarkedContent();
  }

  async finish(): Promise<Uint8Array> {
    this.raw.end();
    return this.done;
  }
}

/**
 * pdfkit writes Info values into the XMP packet unescaped, so a title with `&` or `<` makes
 * malformed XML. Swap in escaped copies while the packet is written (the Info dictionary was
 * already written from the originals by then), then restore them.
 */
function escapeXmp(doc: RawDocument): void {
  const original = doc.endMetadata.bind(doc);
  doc.endMetadata = () => {
    const info = doc.info;
    const escaped: Record<string, string | Date | undefined> = {};
    for (const [key, value] of Object.entries(info)) escaped[key] = typeof value === 'string' ? escapeXml(value) : value;
    doc.info = escaped;
    // pdfkit writes no xmp:ModifyDate; PDF/A wants the XMP to agree with Info's ModDate.
    const modified = info.ModDate instanceof Date ? info.ModDate.toISOString().split('.')[0] + 'Z' : undefined;
    if (modified) {
      doc.appendXML(`<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"><xmp:ModifyDate>${modified}</xmp:ModifyDate><xmp:MetadataDate>${modified}</xmp:MetadataDate></rdf:Description>`);
    }
    try {
      original();
    } finally {
      doc.info = info;
    }
  };
}

function describe(name: string): string {
  const note = /^fn(ref)?-(\d+)$/.exec(name);
  if (note) return note[1] ? `Back to the citation of note ${note[2]}` : `Note ${note[2]}`;
  return `Go to section ${name}`;
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function num(value: number): string {
  return (Math.round(value * 1000) / 1000).toString();
}

/** A word as pdfkit shapes it, kept small: a book has tens of thousands of distinct words. */
interface ShapedWord {
  /** In 1/1000 em, added up as fontkit's GlyphRun does. */
  advance: number;
  /** Glyph ids, one UTF-16 code unit each (OpenType ids are 16-bit). */
  glyphs: string;
  /** Per glyph, its xAdvance minus its own advance (kerning), in 1/1000 em; absent when all are 0. */
  kerning: number[] | undefined;
}

/** Numbers below 65536 as a string of UTF-16 code units, flat, however many there are. */
function codeUnits(values: number[]): string {
  let out = '';
  for (let start = 0; start < values.length; start += 4096) out += String.fromCharCode(...values.slice(start, start + 4096));
  return out;
}

/**
 * The words pdfkit's layout shapes one by one: each ends after a space or tab (which it keeps),
 * so words shape and cache alike wherever they occur, and widths add up in the same order.
 */
function forEachWord(text: string, visit: (word: string) => void): void {
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === ' ' || char === '\t') {
      visit(text.slice(start, index + 1));
      start = index + 1;
    }
  }
  if (start < text.length) visit(text.slice(start));
}

/** Output bytes gathered into large blocks as they come (see the constructor). */
class ByteSink {
  private readonly blocks: Uint8Array[] = [];
  // Blocks double from 64 KiB to 1 MiB: a short document needs no megabyte.
  private current = new Uint8Array(1 << 16);
  private used = 0;

  write(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.used === this.current.length) {
        this.blocks.push(this.current);
        this.current = new Uint8Array(Math.max(Math.min(2 * this.current.length, 1 << 20), chunk.length - offset));
        this.used = 0;
      }
      const count = Math.min(chunk.length - offset, this.current.length - this.used);
      this.current.set(count === chunk.length ? chunk : chunk.subarray(offset, offset + count), this.used);
      this.used += count;
      offset += count;
    }
  }

  /** Everything written, in one array; the blocks are let go. */
  bytes(): Uint8Array {
    const filled = [...this.blocks, this.current.subarray(0, this.used)];
    const out = new Uint8Array(filled.reduce((sum, block) => sum + block.length, 0));
    let offset = 0;
    for (const block of filled) {
      out.set(block, offset);
      offset += block.length;
    }
    this.blocks.length = 0;
    this.current = new Uint8Array(0);
    this.used = 0;
    return out;
  }
}
