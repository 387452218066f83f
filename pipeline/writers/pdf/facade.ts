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
  layout(text: string, features?: unknown, onlyWidth?: boolean): { glyphs: FontkitGlyph[]; positions: GlyphPosition[]; advanceWidth: number };
  widthOfString(text: string, size: number): number;
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
  addContent(data: string): RawDocument;
  fillColor(color: string): RawDocument;
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
  on(event: 'data', listener: (chunk: Uint8Array) => void): RawDocument;
  on(event: 'end', listener: () => void): RawDocument;
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
  private readonly chunks: Uint8Array[] = [];
  private readonly done: Promise<Uint8Array>;

  constructor(options: DocumentOptions) {
    const Ctor = PDFDocumentCtor as unknown as new (options: object) => RawDocument;
    this.raw = new Ctor({
      size: options.size,
      margin: 0,
      autoFirstPage: false,
      // No default font: pdfkit would otherwise register Helvetica, which cannot be embedded.
      font: null,
      lang: options.lang,
      tagged: options.tagged,
      displayTitle: true,
      pdfVersion: options.pdfa ? '1.7' : '1.7',
      subset: options.pdfa ? 'PDF/A-2b' : undefined,
      // pdfkit derives the file /ID from every Info value and fails on undefined ones.
      info: Object.fromEntries(Object.entries(options.info).filter(([, value]) => value !== undefined)),
    });
    escapeXmp(this.raw);
    this.done = new Promise((resolve, reject) => {
      this.raw.on('data', (chunk) => this.chunks.push(chunk));
      this.raw.on('end', () => resolve(concat(this.chunks)));
      this.raw.on('error', reject);
    });
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
    const { glyphs, positions } = font.layout(text);
    const parts: string[] = [];
    let hex = '';
    for (let i = 0; i < glyphs.length; i++) {
      const glyph = glyphs[i]!;
      const position = positions[i]!;
      const gid = font.subset.includeGlyph(glyph.id);
      hex += `0000${gid.toString(16)}`.slice(-4);
      if (font.widths[gid] == null) font.widths[gid] = position.advanceWidth;
      if (font.unicode[gid] == null) font.unicode[gid] = glyph.codePoints;
      let adjust = position.xAdvance - position.advanceWidth;
      if (extraPerSpace !== 0 && glyph.codePoints.length === 1 && glyph.codePoints[0] === 32) adjust += (extraPerSpace * 1000) / size;
      if (adjust !== 0) {
        parts.push(`<${hex}> ${num(-adjust)}`);
        hex = '';
      }
    }
    if (hex) parts.push(`<${hex}>`);
    if (parts.length === 0) return;
    doc.fillColor(color);
    const y = doc.page.height - baseline;
    // pdfkit's pages have a y-down CTM; text needs it flipped back, as pdfkit's own _fragment does.
    doc.addContent(`q 1 0 0 -1 0 ${num(doc.page.height)} cm BT 1 0 0 1 ${num(x)} ${num(y)} Tm /${font.id} ${num(size)} Tf [${parts.join(' ')}] TJ ET Q`);
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

function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
