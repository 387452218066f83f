import { createHash } from 'node:crypto';
import PDFDocumentCtor from 'pdfkit';
import type { DocumentOptions, FontkitFont, OutlineItem, PdfFont, PdfImage, RawDocument, StructContent, StructElement, StructOptions } from './pdfkit-api.ts';
import { addDestination, batchPageContent, canResumeDocument, captureOutput, CompactOutline, decodePngsAtOnce, type DeflateMemo, type DocumentMark, escapeXmp, fasterObjects, markDocument, type OutlineMark, type PageContent, PdfLiteral, compactStructElement, referenceTo, releaseLastAnnotation, releaseWrittenPages, resumeDocument, type SealRecording, type SettledPage } from './pdfkit-patches.ts';
import { ByteSink, type SinkMark, type SpareBlocks } from './byte-sink.ts';
import { forEachWord, glyphText, WordShapes } from './word-shapes.ts';
import type { VectorOutlines } from './math-outlines.ts';
import { fasterXref } from './pdfkit-xref.ts';

export type { FontkitFont, OutlineItem, PdfFont, StructContent, StructElement, StructOptions } from './pdfkit-api.ts';

/** A bookmark (outline item) as the document keeps it: a number, the root's `Pdf.outline` (see CompactOutline). */
export type OutlineEntry = number;

/**
 * The PDF being written: what the writer draws with. Text is drawn Colophon's own way (see
 * `drawText`), from words shaped once (word-shapes.ts); pdfkit's internals it relies on are
 * typed in pdfkit-api.ts and patched in pdfkit-patches.ts.
 */
export class Pdf {
  readonly raw: RawDocument;
  private readonly sink: ByteSink;
  private readonly done: Promise<void>;
  /** Images opened, by their bytes (see `opened`). */
  private readonly images = new Map<Uint8Array, PdfImage>();
  /** The same, by the digest of their bytes: a file read again for each place it is used (an icon in every row) is one image. */
  private readonly imagesByDigest = new Map<string, PdfImage>();
  /** Colour → the operators pdfkit's `fillColor` writes for it. */
  private readonly fillOperatorsByColor = new Map<string, string>();
  /** Shaped words: the build's or the watch session's when given, else this document's own. */
  private readonly shapes: WordShapes;
  /** Text drawn before (in this build or the last of a watch session), by the op drawn: see `drawText`. */
  private readonly drawn: WeakMap<object, DrawnText> | undefined;
  /** pdfkit's PDFAnnotationReference (not exported), taken from the first link made through pdfkit under a structure element. */
  private annotationReference: object | undefined;
  /** pdfkit's PDFStructureContent (not exported), taken from the first marked content made through pdfkit. */
  private structContent: StructContentType | undefined;
  /** PDF text strings by their text (link annotations). */
  private readonly literals = new Map<string, PdfLiteral>();
  /** Registered faces by id (see `fontById`). */
  private readonly fontsById = new Map<string, PdfFont>();
  /** Per font, copies of glyphs that stand for more than one text (see `glyphFor`). */
  private readonly glyphCopies = new Map<PdfFont, Map<string, number>>();

  /** The document claims PDF/A-2b: what that forbids is an error, not a warning. */
  readonly pdfa: boolean;
  /** The current page's content, held until the page ends (pdfkit-patches.ts). */
  private readonly content: PageContent;
  private readonly bookmarks: CompactOutline;
  /** What drawing the current page did besides its content, while it is recorded (see `record`). */
  private recording: { fonts: Map<PdfFont, number>; spoiled: boolean } | undefined;

  /** A watch session's build, whose output is kept for the next (Reuse.resumable). */
  private readonly resumable: boolean;

  constructor(options: DocumentOptions, reuse: Reuse = {}) {
    this.pdfa = options.pdfa;
    this.resumable = reuse.resumable === true;
    this.shapes = reuse.shapes ?? new WordShapes();
    this.drawn = reuse.drawn;
    const Ctor = PDFDocumentCtor as unknown as new (options: object) => RawDocument;
    this.raw = new Ctor({
      size: options.size,
      margin: 0,
      autoFirstPage: false,
      // No default font: pdfkit would otherwise register Helvetica, which cannot be embedded.
      font: null,
      // Words are shaped and cached by WordShapes instead.
      fontLayoutCache: false,
      lang: options.lang,
      tagged: options.tagged,
      displayTitle: true,
      pdfVersion: '1.7',
      subset: options.pdfa ? 'PDF/A-2b' : undefined,
      // pdfkit derives the file /ID from every Info value and fails on undefined ones.
      info: Object.fromEntries(Object.entries(options.info).filter(([, value]) => value !== undefined)),
    });
    escapeXmp(this.raw);
    this.sink = new ByteSink(options.output, reuse.resumable, reuse.resumable ? reuse.spareBlocks : undefined);
    this.done = captureOutput(this.raw, this.sink);
    fasterObjects(this.raw);
    fasterXref(this.raw);
    decodePngsAtOnce(this.raw);
    this.content = batchPageContent(this.raw, reuse.deflated);
    releaseWrittenPages(this.raw);
    this.bookmarks = new CompactOutline(this.raw);
  }

  /**
   * While set, drawing writes no content and includes no glyphs: a page a watch session replays
   * (draw-pages.ts `PageMemo`) is drawn so for what it does besides its content (structure
   * elements, marked-content ids, links, destinations, bookmarks, its fonts' resources, all in
   * the order a drawing makes them), and its content and glyphs come from the last build.
   */
  get muted(): boolean {
    return this.content.muted;
  }

  set muted(muted: boolean) {
    this.content.muted = muted;
  }

  /** Start recording what drawing the current page adds to the fonts' subsets. */
  record(): void {
    this.recording = { fonts: new Map(), spoiled: false };
  }

  /**
   * Stop recording: the page's content so far, the faces it drew with (their subsets' sizes
   * before) and the glyphs it added to them; undefined when the page did what a replay cannot
   * repeat (an image embedded, an SVG drawn).
   */
  endRecording(): PageDrawing | undefined {
    const recording = this.recording;
    this.recording = undefined;
    if (!recording || recording.spoiled) return undefined;
    const fonts: PageDrawing['fonts'] = [];
    for (const [font, before] of recording.fonts) {
      const gids = font.subset.glyphs.length;
      const added: FontGlyphs = { ids: font.subset.glyphs.slice(before), unicode: font.unicode.slice(before, gids), widths: font.widths.slice(before, gids) };
      fonts.push({ id: font.id, before, added });
    }
    return { text: this.content.sofar(), fonts };
  }

  /** The current page cannot be replayed (something was drawn that a replay would not repeat). */
  spoil(): void {
    if (this.recording) this.recording.spoiled = true;
  }

  /**
   * The glyphs a page drew first in the last build, included again in the same order (the subsets
   * are as they were then: see PageMemo), copies of glyphs for another text (`glyphFor`) made again
   * as they were made: a glyph the subset already holds that comes again is such a copy.
   */
  includeGlyphs(drawing: PageDrawing): void {
    for (const { id, before, added } of drawing.fonts) {
      const font = this.fontById(id)!;
      const mapping = (font.subset as PdfFont['subset'] & { mapping: Record<number, number> }).mapping;
      for (let index = 0; index < added.ids.length; index++) {
        const glyph = added.ids[index]!;
        let gid: number;
        if (mapping[glyph] != null && font.subset.glyphs.length === before + index) {
          gid = this.copyGlyph(font, glyph, added.unicode[index]!);
        } else gid = font.subset.includeGlyph(glyph);
        if (gid !== before + index) throw new Error(`page replay: glyph ${glyph} of ${id} came out as ${gid}, not ${before + index}`);
        font.widths[gid] = added.widths[index]!;
        font.unicode[gid] = added.unicode[index]!;
      }
    }
  }

  /** A replayed page's faces in its resources, in the order first drawn (each has its object already: see PageMemo.replayable). */
  useFonts(drawing: PageDrawing): void {
    const fonts = this.raw.page.fonts;
    for (const { id } of drawing.fonts) fonts[id] ??= this.fontById(id)!.ref();
  }

  /** The page's content so far (what pdfkit writes as it begins a page) replaced by a replayed page's, which begins with the same. */
  replaceContent(text: string): void {
    this.content.replace(text);
  }

  /** The page is drawn: its stream's text, the last build's when the same (see PageContent.settle). */
  settlePage(last: SettledPage | undefined): SettledPage {
    return this.content.settle(last);
  }

  /** A registered face by its id (FC1, …). */
  fontById(id: string): PdfFont | undefined {
    let font = this.fontsById.get(id);
    if (!font) {
      // Faces are registered as the layout first asks for them: look again.
      for (const registered of Object.values(this.raw._fontFamilies)) this.fontsById.set(registered.id, registered);
      font = this.fontsById.get(id);
    }
    return font;
  }

  /** Every face's subset as it stands: its glyphs and their text, by face id. */
  subsets(): Map<string, FontGlyphs> {
    const out = new Map<string, FontGlyphs>();
    for (const font of Object.values(this.raw._fontFamilies)) out.set(font.id, { ids: font.subset.glyphs.slice(), unicode: font.unicode.slice(), widths: [] });
    return out;
  }

  /** Register a face from its bytes, or from a font fontkit parsed already (pdfkit takes either). */
  registerFont(name: string, source: Uint8Array | FontkitFont, id: string): PdfFont {
    this.raw.registerFont(name, source);
    this.raw.font(name);
    const font = this.raw._font;
    // pdfkit hands back a font already open under another name when this one equals it (same
    // PostScript name and tables), without keeping it under this name: it stays one font, with its
    // own id (renaming it would rename the pages drawn with it so far).
    if (this.raw._fontFamilies[name] !== font) {
      this.raw._fontFamilies[name] = font;
      return font;
    }
    // Named by the caller, not by pdfkit's count of fonts opened so far (the subset tag derives from it too).
    font.id = id;
    return font;
  }

  /**
   * The document as it stands between two pages, the last one written (a watch session keeps it
   * at each chapter's first page: see PageMemo); undefined when it cannot be taken up again (an
   * image embedded, the output not kept).
   */
  mark<Block>(documentElement: StructElement, blockOf: (element: object) => Block | undefined): PdfMark<Block> | undefined {
    if (!this.resumable || this.recording) return undefined;
    for (const image of this.images.values()) if ((image as { obj?: unknown }).obj) return undefined;
    this.raw.flushPages();
    const document = markDocument(this.raw, documentElement, blockOf);
    if (!document) return undefined;
    const fonts: FaceMark[] = [];
    for (const [key, font] of Object.entries(this.raw._fontFamilies)) {
      fonts.push({ key, id: font.id, font, glyphs: font.subset.glyphs.length, dictionary: (font.dictionary as { id?: number } | undefined)?.id, copies: this.glyphCopies.get(font) });
    }
    return { document, sink: this.sink.mark(), fonts, outline: this.bookmarks.mark(), bookmarks: this.bookmarks, annotationReference: this.annotationReference, structContent: this.structContent };
  }

  /**
   * This document (of a later build, between two pages) made to stand where the mark's stood:
   * what it wrote so far replaced by what the mark's had (the pages before are the same). False,
   * with nothing changed, when a face drawn before the mark is not registered here under the same id.
   */
  resume<Block>(mark: PdfMark<Block>, documentElement: StructElement, sealed: (block: Block) => SealRecording | undefined): boolean {
    if (!this.canResume(mark, sealed)) return false;
    const families = this.raw._fontFamilies;
    this.raw.flushPages();
    if (!resumeDocument(this.raw, documentElement, mark.document, sealed)) return false;
    this.sink.restore(mark.sink);
    for (const face of mark.fonts) {
      const font = families[face.key];
      if (!font) continue;
      const glyphs = face.font.subset.glyphs.slice(0, face.glyphs);
      const subset = font.subset as PdfFont['subset'] & { mapping: Record<number, number> };
      subset.glyphs = glyphs;
      subset.mapping = {};
      for (let gid = 0; gid < glyphs.length; gid++) subset.mapping[glyphs[gid]!] ??= gid;
      font.widths = face.font.widths.slice(0, face.glyphs);
      font.unicode = face.font.unicode.slice(0, face.glyphs);
      font.dictionary = face.dictionary === undefined ? undefined : referenceTo(this.raw, face.dictionary);
      const copies = new Map<string, number>();
      if (face.copies) for (const [text, gid] of face.copies) if (gid < face.glyphs) copies.set(text, gid);
      if (copies.size > 0) this.glyphCopies.set(font, copies);
      else this.glyphCopies.delete(font);
    }
    this.bookmarks.takeFrom(mark.bookmarks, mark.outline);
    this.annotationReference ??= mark.annotationReference;
    this.structContent ??= mark.structContent;
    return true;
  }

  /** Whether `resume` would take the mark up now: each face drawn before it registered here under the same id, and the same lazily made catalog entries. */
  canResume<Block>(mark: PdfMark<Block>, sealed: (block: Block) => SealRecording | undefined): boolean {
    const families = this.raw._fontFamilies;
    for (const face of mark.fonts) {
      const font = families[face.key];
      if ((face.glyphs > 1 || face.dictionary !== undefined) && font?.id !== face.id) return false;
    }
    return canResumeDocument(this.raw, mark.document, sealed);
  }

  addPage(size: [number, number]): void {
    this.raw.addPage({ size, margin: 0 });
  }

  /**
   * Draw one run of text whose top-left baseline origin is (x, baseline) in page coordinates
   * (y down). The text keeps its real space characters (so extraction gives words); justified
   * spacing is added to each space as a TJ adjustment instead of pdfkit's `wordSpacing`, which
   * drops the spaces from the text layer.
   *
   * Right-to-left text comes in logical order: its words are drawn last first, each shaped
   * right to left by fontkit. A word whose glyphs do not spell it in order (Devanagari's
   * reordered vowel signs and reph) carries its text as /ActualText, so extraction gives the word.
   */
  drawText(fontName: string, size: number, x: number, baseline: number, text: string, extraPerSpace: number, color: string, rtl = false, key?: object): void {
    const doc = this.raw;
    doc.font(fontName);
    const font = doc._font;
    if (doc.page.fonts[font.id] == null) doc.page.fonts[font.id] = font.ref();
    if (this.content.muted) return;
    if (this.recording && !this.recording.fonts.has(font)) this.recording.fonts.set(font, font.subset.glyphs.length);
    // The same text op drawn before (boxes a watch session reused): its operands stand if the
    // face is the same and its glyphs have the same numbers in this document's subset.
    const before = key ? this.drawn?.get(key) : undefined;
    const shows = before && before.font === font.font && this.includeAgain(font, before) ? before.shows : this.textOperands(font, size, text, extraPerSpace, rtl, key);
    if (shows === '') return;
    const y = doc.page.height - baseline;
    // pdfkit's pages have a y-down CTM; text needs it flipped back, as pdfkit's own _fragment does.
    // The colour goes in the same write: one piece of page content instead of three.
    doc.addContent(`${this.fillOperators(color)}q 1 0 0 -1 0 ${num(doc.page.height)} cm BT 1 0 0 1 ${num(x)} ${num(y)} Tm /${font.id} ${num(size)} Tf ${shows} ET Q`);
  }

  /**
   * Include a text's glyphs in the subset again, in order, as drawing it would: true when each
   * has the number it had when the text was drawn before.
   */
  private includeAgain(font: PdfFont, before: DrawnText): boolean {
    const { glyphs } = before;
    let texts: number[][] | undefined;
    // Where this glyph's characters begin in before.texts (a count, then each code in two units).
    let textAt = 0;
    for (let at = 0; at < glyphs.length; at += 2) {
      const id = glyphs.charCodeAt(at);
      const gid = font.subset.includeGlyph(id);
      if (gid !== glyphs.charCodeAt(at + 1)) return false;
      font.widths[gid] ??= font.font.getGlyph(id).advanceWidth * font.scale;
      // The characters are read back only for a glyph the subset did not hold yet. One it holds
      // must already stand for the same characters: else this build gives the word a copy of the
      // glyph (textOperands), as a cold build does.
      const meant = font.unicode[gid];
      if (meant == null) font.unicode[gid] = (texts ??= glyphTexts(before.texts))[at / 2]!;
      else if (!sameTextAt(before.texts, textAt, meant)) return false;
      textAt += 1 + 2 * before.texts.charCodeAt(textAt);
    }
    return true;
  }

  /** The TJ operators that show `text` (empty when nothing shows), kept for `key` when given. */
  private textOperands(font: PdfFont, size: number, text: string, extraPerSpace: number, rtl: boolean, key: object | undefined): string {
    const shows: string[] = [];
    let parts: string[] = [];
    let hex = '';
    const toPoints = size / 1000;
    const endShow = () => {
      if (hex) parts.push(`<${hex}>`);
      hex = '';
      // Joined, not concatenated: one flat string, not a tree of pieces, kept with the op (DrawnText).
      if (parts.length > 0) shows.push(['[', parts.join(' '), '] TJ'].join(''));
      parts = [];
    };
    const words: string[] = [];
    forEachWord(text, (word) => words.push(word));
    if (rtl) words.reverse();
    // The glyphs drawn and their numbers in the subset, to keep (none when a glyph has a copy of its own).
    let kept: { glyphs: number[]; texts: number[] } | undefined = key && this.drawn ? { glyphs: [], texts: [] } : undefined;
    for (const word of words) {
      const shaped = this.shapes.shape(font, word, rtl);
      const { glyphs, kerning, offsets, unicodes, actual } = shaped;
      if (actual) endShow();
      if (unicodes) kept = undefined;
      const firstShow = shows.length;
      for (let i = 0; i < glyphs.length; i++) {
        const id = glyphs.charCodeAt(i);
        // The characters the glyph stands for in this word, never those of the text that first
        // made fontkit's glyph object (word-shapes.ts `shapeAfresh`): the text map depends on the document alone.
        const own = glyphText(shaped, word, i);
        let gid = unicodes ? this.glyphFor(font, id, own, unicodes[i]!) : font.subset.includeGlyph(id);
        // A glyph that already stands for other characters (Devanagari's आ, drawn as the body of an
        // ओ met first) gets a copy for these, or extraction reads "ओप" for "आप". A word that
        // carries its text as /ActualText needs none.
        const meant = font.unicode[gid];
        if (!unicodes && !actual && meant != null && !sameNumbers(meant, own)) {
          gid = this.glyphFor(font, id, own, own);
          kept = undefined;
        }
        if (kept) {
          kept.glyphs.push(id, gid);
          kept.texts.push(own.length);
          for (const code of own) kept.texts.push(code >> 16, code & 0xffff);
        }
        const code = `0000${gid.toString(16)}`.slice(-4);
        // fontkit returns one glyph object per id: its advance is the run's.
        font.widths[gid] ??= font.font.getGlyph(id).advanceWidth * font.scale;
        font.unicode[gid] ??= own;
        let adjust = kerning?.[i] ?? 0;
        if (extraPerSpace !== 0 && own.length === 1 && own[0] === 32) adjust += (extraPerSpace * 1000) / size;
        // A glyph that shaping moves off the pen (Arabic dots and vowels, Thai tone marks,
        // Devanagari signs): sideways by TJ adjustments, up or down by text rise, so the text
        // stays one flow for extraction.
        const dx = offsets?.[2 * i] ?? 0;
        const dy = offsets?.[2 * i + 1] ?? 0;
        if (dy !== 0) {
          endShow();
          shows.push(`${num(dy * toPoints)} Ts`);
        }
        if (dx !== 0) {
          parts.push(hex ? `<${hex}> ${num(-dx)}` : num(-dx));
          hex = '';
        }
        hex += code;
        if (adjust - dx !== 0) {
          parts.push(`<${hex}> ${num(dx - adjust)}`);
          hex = '';
        }
        if (dy !== 0) {
          endShow();
          shows.push('0 Ts');
        }
      }
      if (actual) {
        endShow();
        const wordShows = shows.splice(firstShow);
        if (wordShows.length > 0) shows.push(['/Span <</ActualText <FEFF', utf16Hex(word), '>>> BDC ', wordShows.join(' '), ' EMC'].join(''));
      }
    }
    endShow();
    const operands = shows.join(' ');
    if (kept && key) this.drawn?.set(key, { font: font.font, glyphs: codeUnits(kept.glyphs), texts: codeUnits(kept.texts), shows: operands });
    return operands;
  }

  /**
   * The subset glyph to draw glyph `id` as, for the characters it stands for here. A glyph
   * drawn for different characters (Arabic's dotless letter bodies, whose dots are glyphs of
   * their own) gets a copy per meaning, so that each copy maps to its own text.
   */
  private glyphFor(font: PdfFont, id: number, own: number[], codePoints: number[]): number {
    const gid = font.subset.includeGlyph(id);
    // The glyph itself keeps its own characters (`own`, as fontkit shaped it), as left-to-right
    // text maps it: a right-to-left word that uses it for another (a mirrored bracket, a dotless
    // body) gets a copy, whichever comes first.
    font.unicode[gid] ??= own;
    font.widths[gid] ??= font.font.getGlyph(id).advanceWidth * font.scale;
    if (sameNumbers(font.unicode[gid], codePoints)) return gid;
    // A page that makes a copy is replayed as any other: the copy is among the glyphs it adds (includeGlyphs).
    return this.glyphCopies.get(font)?.get(copyKey(id, codePoints)) ?? this.copyGlyph(font, id, codePoints);
  }

  /** A new copy of glyph `id` at the end of the subset, standing for `codePoints`. */
  private copyGlyph(font: PdfFont, id: number, codePoints: number[]): number {
    let copies = this.glyphCopies.get(font);
    if (!copies) this.glyphCopies.set(font, (copies = new Map()));
    font.subset.glyphs.push(id);
    const copy = font.subset.glyphs.length - 1;
    font.unicode[copy] = codePoints;
    font.widths[copy] ??= font.font.getGlyph(id).advanceWidth * font.scale;
    copies.set(copyKey(id, codePoints), copy);
    return copy;
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
    return this.shapes.advanceOf(font, text);
  }

  fillRect(x: number, y: number, w: number, h: number, color: string): void {
    if (this.content.muted) return;
    this.raw.save().rect(x, y, w, h).fillColor(color).fill().restore();
  }

  strokeRect(x: number, y: number, w: number, h: number, width: number, color: string): void {
    if (this.content.muted) return;
    this.raw.save().lineWidth(width).strokeColor(color).rect(x, y, w, h).stroke().restore();
  }

  line(x1: number, y1: number, x2: number, y2: number, width: number, color: string): void {
    if (this.content.muted) return;
    this.raw.save().lineWidth(width).strokeColor(color).moveTo(x1, y1).lineTo(x2, y2).stroke().restore();
  }

  polyline(points: [number, number][], width: number, color: string): void {
    if (this.content.muted) return;
    const doc = this.raw.save().lineWidth(width).strokeColor(color);
    points.forEach(([x, y], index) => (index === 0 ? doc.moveTo(x, y) : doc.lineTo(x, y)));
    doc.stroke().restore();
  }

  /** Filled outlines in their viewBox, fitted into the box at (x, y) of the given size, centred as SVG's `xMidYMid meet` does. */
  outlines(outlines: VectorOutlines, x: number, y: number, width: number, height: number): void {
    const [minX, minY, boxWidth, boxHeight] = outlines.viewBox;
    if (this.content.muted || boxWidth <= 0 || boxHeight <= 0) return;
    const scale = Math.min(width / boxWidth, height / boxHeight);
    const left = x + (width - boxWidth * scale) / 2 - minX * scale;
    const top = y + (height - boxHeight * scale) / 2 - minY * scale;
    this.raw.save().transform(scale, 0, 0, scale, left, top).fillColor(outlines.color).strokeColor(outlines.color);
    this.raw.addContent(outlines.operators);
    this.raw.restore();
  }

  image(bytes: Uint8Array, x: number, y: number, width: number, height: number): void {
    if (this.content.muted) throw new Error('an image drawn on a replayed page');
    this.spoil();
    this.raw.image(this.opened(bytes), x, y, { width, height });
  }

  imageSize(bytes: Uint8Array): { width: number; height: number } {
    const image = this.opened(bytes);
    return { width: image.width, height: image.height };
  }

  /**
   * The image pdfkit opened from these bytes, opened once: pdfkit names images as it opens
   * them (I1, I2, …), so each is named where the layout first measures it, whenever it is
   * drawn, and an image drawn twice is embedded once.
   */
  private opened(bytes: Uint8Array): PdfImage {
    let image = this.images.get(bytes);
    if (!image) {
      const digest = createHash('sha256').update(bytes).digest('base64');
      image = this.imagesByDigest.get(digest);
      if (!image) this.imagesByDigest.set(digest, (image = this.raw.openImage(bytes)));
      this.images.set(bytes, image);
    }
    return image;
  }

  /**
   * pdfkit's `link` (an action object, then the annotation), with its strings written once per
   * text (PdfLiteral). Contents describes the link to assistive technology (PDF/UA asks for it).
   */
  linkUri(x: number, y: number, w: number, h: number, url: string, parent?: StructElement, memo?: LinkMemo): void {
    const literal = this.literal(url);
    this.link(x, y, w, h, `u${url}`, { S: 'URI', URI: literal }, () => literal, parent, memo);
  }

  /**
   * A link to another PDF (a GoToR action): the file by its path relative to this one, opened at
   * a named destination, else at its first page.
   */
  linkFile(x: number, y: number, w: number, h: number, path: string, destination: string | undefined, parent?: StructElement, memo?: LinkMemo): void {
    const written = destination === undefined ? path : `${path}#${destination}`;
    this.link(x, y, w, h, `f${written}`, { S: 'GoToR', F: this.literal(path), D: destination === undefined ? [0, 'Fit'] : this.literal(destination) }, () => this.literal(written), parent, memo);
  }

  /**
   * pdfkit's `goTo`, likewise; it passes options through to annotate, which joins the annotation
   * to the structure tree (an OBJR under the Link element) when given a structParent.
   */
  linkInternal(x: number, y: number, w: number, h: number, name: string, parent?: StructElement, memo?: LinkMemo): void {
    this.link(x, y, w, h, `i${name}`, { S: 'GoTo', D: this.literal(name) }, () => this.literal(describe(name)), parent, memo);
  }

  /**
   * A link's action object, then its annotation (`contents` describes it, under a structure
   * element); in a watch session (`memo`), written from the last build's recording when the same
   * link (`target`) is made at the same place again.
   */
  private link(x: number, y: number, w: number, h: number, target: string, actionData: object, contents: () => PdfLiteral, parent: StructElement | undefined, memo: LinkMemo | undefined): void {
    const place = memo && this.linkPlace(x, y, w, h, parent, target);
    if (memo?.last && samePlace(memo.last.place, place!) && this.writeRecordedLink(memo.last, parent)) {
      memo.reused();
      return;
    }
    this.recordLink(place, memo, parent, () => {
      const action = this.raw.ref(actionData);
      action.end();
      this.raw.annotate(x, y, w, h, parent ? { structParent: parent, Contents: contents(), Subtype: 'Link', A: action } : { Subtype: 'Link', A: action });
    });
    releaseLastAnnotation(this.raw);
  }

  /** What a link's annotation is made of: its target, its Rect's (pdfkit's _convertRect: the area, the transformation, the page's height), whether it joins the structure. */
  private linkPlace(x: number, y: number, w: number, h: number, parent: StructElement | undefined, target: string): LinkPlace {
    return { target, area: [x, y, w, h, ...(this.raw as unknown as { _ctm: number[] })._ctm, this.raw.page.height, parent ? 1 : 0] };
  }

  /**
   * A link made through pdfkit (`write`), and, for a watch session (`memo`), what it wrote kept:
   * the action's text and the annotation's, without their object numbers and the annotation's
   * parent-tree key, which are all that differ when the same link is made again in a later build.
   */
  private recordLink(place: LinkPlace | undefined, memo: LinkMemo | undefined, parent: StructElement | undefined, write: () => void): void {
    const raw = this.raw as unknown as LinkInternals;
    if (!memo || raw._security) {
      write();
      return;
    }
    const own = Object.getOwnPropertyDescriptor(raw, '_write');
    const texts: unknown[] = [];
    const original = raw._write;
    raw._write = (data) => {
      texts.push(data);
      original.call(raw, data);
    };
    try {
      write();
    } finally {
      if (own) Object.defineProperty(raw, '_write', own);
      else delete (raw as Partial<LinkInternals>)._write;
    }
    const annotations = raw.page.annotations;
    const annotation = annotations[annotations.length - 1] as { id: number; data: { StructParent?: number } } | undefined;
    if (parent) this.annotationReference ??= Object.getPrototypeOf((parent as unknown as { _children: unknown[] })._children.at(-1)) as object;
    const [action, written] = texts;
    if (texts.length !== 2 || typeof action !== 'string' || typeof written !== 'string' || !annotation) return;
    const recording = linkRecording(place!, action, written, annotation.id - 1, annotation.id, parent ? annotation.data.StructParent : undefined);
    if (recording) memo.keep(recording);
  }

  /**
   * A link the last build made at the same place on the same page, written from its recording
   * with this build's numbers: what pdfkit's ref, end and annotate do, without their objects.
   * False when it cannot be (nothing written then).
   */
  private writeRecordedLink(recording: LinkRecording, parent: StructElement | undefined): boolean {
    const raw = this.raw as unknown as LinkInternals;
    if (raw._security || (parent && !this.annotationReference)) return false;
    const actionId = raw._offsets.length + 1;
    raw._offsets.push(raw._offset);
    raw._write(`${actionId} 0 obj\n${recording.action}`);
    const annotation = new WrittenAnnotation(actionId + 1);
    raw._offsets.push(null);
    raw.page.annotations.push(annotation);
    if (parent) {
      const reference = Object.create(this.annotationReference!) as { annotationRef: WrittenAnnotation };
      reference.annotationRef = annotation;
      parent.add(reference as unknown as Parameters<StructElement['add']>[0]);
    }
    raw._offsets[annotation.id - 1] = raw._offset;
    raw._write(`${annotation.id} 0 obj\n${recording.annotation.replace(ACTION_HOLE, String(actionId)).replace(KEY_HOLE, String(annotation.data.StructParent))}`);
    return true;
  }

  private literal(text: string): PdfLiteral {
    let literal = this.literals.get(text);
    if (!literal) this.literals.set(text, (literal = new PdfLiteral(text)));
    return literal;
  }

  destination(name: string, x: number, y: number): void {
    addDestination(this.raw, name, x, y);
  }

  /** pdfkit's `parent.addItem(title, options)` on the current page, the item kept compact (see CompactOutline). */
  addOutlineItem(parent: OutlineEntry, title: string, options: Parameters<OutlineItem['addItem']>[1] & object): OutlineEntry {
    return this.bookmarks.add(parent, title, options);
  }

  /** The outline's root, the parent of top-level items. */
  get outline(): OutlineEntry {
    return this.bookmarks.root;
  }

  struct(tag: string, options?: StructOptions): StructElement {
    const element = this.raw.struct(tag, options ?? {});
    if (options?.colSpan || options?.rowSpan) {
      const data = (element as unknown as { dictionary: { data: { A?: Record<string, unknown> } } }).dictionary.data;
      data.A = { ...data.A, O: 'Table', ...(options.colSpan ? { ColSpan: options.colSpan } : {}), ...(options.rowSpan ? { RowSpan: options.rowSpan } : {}) };
    }
    return compactStructElement(element);
  }

  addStructure(element: StructElement): void {
    this.raw.addStructure(element);
  }

  beginContent(tag: string): StructContent {
    const raw = this.raw as unknown as MarkingInternals;
    // Muted (a replayed page), only what pdfkit's markStructureContent does that outlives the
    // drawing: the MCID taken in the page's parent-tree entry, the marking endContent closes, the
    // content the element is given; not the operator it writes (dropped when muted). A page's
    // replayed boxes open no marking that is still open: pdfkit would close those first.
    if (this.content.muted && this.structContent && raw.page.markings.length === 0) {
      const parents = raw.getStructParentTree().get(raw.page.structParentTreeKey);
      const mcid = parents.length;
      parents.push(null);
      const content = new this.structContent(raw.page.dictionary, mcid);
      raw.page.markings.push({ tag, options: { mcid }, structContent: content });
      return content;
    }
    const content = this.raw.markStructureContent(tag);
    this.structContent ??= content.constructor as StructContentType;
    return content;
  }

  beginArtifact(type: 'Pagination' | 'Layout'): void {
    this.raw.markContent('Artifact', { type });
  }

  endContent(): void {
    this.raw.endMarkedContent();
  }

  /** Ends the document; its bytes (a document made with `output` gives them to that file instead: see finishToFile). */
  async finish(): Promise<Uint8Array> {
    await this.end();
    return this.sink.bytes();
  }

  /** Ends a document made with `output`; the size of the file written. */
  async finishToFile(): Promise<number> {
    await this.end();
    return this.sink.end();
  }

  private async end(): Promise<void> {
    // pdfkit embeds the fonts in the order they were opened; in the order of their names
    // instead, the file does not depend on when the layout first asked for each face.
    const families = Object.entries(this.raw._fontFamilies);
    const order = (font: PdfFont) => Number(/^FC(\d+)$/.exec(font.id)?.[1] ?? Number.POSITIVE_INFINITY);
    families.sort(([, a], [, b]) => order(a) - order(b));
    this.raw._fontFamilies = Object.fromEntries(families);
    this.raw.end();
    await this.done;
  }
}

/** What a Pdf may take from the build or the watch session instead of making its own. */
export interface Reuse {
  /** Shaped words (word-shapes.ts). */
  shapes?: WordShapes;
  /** Deflated page streams of the last build (pdfkit-patches.ts). */
  deflated?: DeflateMemo;
  /** Text ops drawn in the last build: their TJ operands (see `drawText`). */
  drawn?: WeakMap<object, DrawnText>;
  /** A watch session's build: its output is kept as it is written, so that the next may resume from a mark (`Pdf.mark`). */
  resumable?: boolean;
  /** The output blocks of the session's earlier builds that no mark holds any more (a resumable document's output is written into them). */
  spareBlocks?: SpareBlocks;
}

/** A Pdf between two pages, kept for a later build of the same watch session (Pdf.mark, Pdf.resume). */
export interface PdfMark<Block> {
  document: DocumentMark<Block>;
  sink: SinkMark;
  fonts: FaceMark[];
  outline: OutlineMark;
  bookmarks: CompactOutline;
  annotationReference: object | undefined;
  structContent: StructContentType | undefined;
}

/** A registered face at a mark: its subset's size then, and its object number once it had one. */
interface FaceMark {
  key: string;
  id: string;
  font: PdfFont;
  glyphs: number;
  dictionary: number | undefined;
  copies: Map<string, number> | undefined;
}

/** A face's glyphs in subset order from some point on: their original ids, text and widths. */
export interface FontGlyphs {
  ids: number[];
  unicode: number[][];
  widths: number[];
}

/** What drawing a page did that its content shows: see Pdf.endRecording. */
export interface PageDrawing {
  /** The page's content up to where it was recorded. */
  text: string;
  /** Each face drawn with, in the order first drawn: its subset's size before the page, and the glyphs the page added. */
  fonts: { id: string; before: number; added: FontGlyphs }[];
}

/**
 * A text op's TJ operands as drawn, with the face, glyphs and subset numbers they depend on. A
 * watch session keeps one per text op of its kept boxes (millions in a long book): the glyphs
 * and their characters are kept as flat strings, one object each, not arrays of arrays that
 * every collection of the session's heap would walk.
 */
export interface DrawnText {
  font: FontkitFont;
  /** Per glyph, its id and its number in the subset (both below 65,536): two code units. */
  glyphs: string;
  /** Per glyph, the characters it stood for (its text map entry when first drawn): their count, then each as two code units (see `glyphTexts`). */
  texts: string;
  shows: string;
}

/** Numbers below 65,536 as the code units of one flat string. */
function codeUnits(values: number[]): string {
  let out = '';
  for (let from = 0; from < values.length; from += 4096) out += String.fromCharCode(...values.slice(from, from + 4096));
  return out;
}

/** A glyph copy's key in Pdf.glyphCopies: the glyph and the characters the copy stands for. */
function copyKey(id: number, codePoints: number[]): string {
  return `${id}:${codePoints.join(',')}`;
}

/** Whether the glyph text encoded at `at` in `texts` (as glyphTexts reads it) is `codes`. */
function sameTextAt(texts: string, at: number, codes: number[]): boolean {
  const count = texts.charCodeAt(at);
  if (count !== codes.length) return false;
  for (let index = 0; index < count; index++) if (texts.charCodeAt(at + 1 + 2 * index) * 0x10000 + texts.charCodeAt(at + 2 + 2 * index) !== codes[index]) return false;
  return true;
}

/** The characters of each glyph, read back from DrawnText.texts. */
function glyphTexts(texts: string): number[][] {
  const out: number[][] = [];
  for (let at = 0; at < texts.length; ) {
    const count = texts.charCodeAt(at++);
    const codes: number[] = [];
    for (let index = 0; index < count; index++, at += 2) codes.push(texts.charCodeAt(at) * 0x10000 + texts.charCodeAt(at + 1));
    out.push(codes);
  }
  return out;
}

function describe(name: string): string {
  const note = /^fn(ref)?-(\d+)$/.exec(name);
  if (note) return note[1] ? `Back to the citation of note ${note[2]}` : `Note ${note[2]}`;
  return `Go to section ${name}`;
}

function num(value: number): string {
  return (Math.round(value * 1000) / 1000).toString();
}

function sameNumbers(a: number[], b: number[]): boolean {
  return a === b || (a.length === b.length && a.every((value, index) => value === b[index]));
}

/** A PDF text string's UTF-16BE code units, in hex. */
function utf16Hex(text: string): string {
  let out = '';
  for (let index = 0; index < text.length; index++) out += text.charCodeAt(index).toString(16).padStart(4, '0');
  return out;
}

/** A link as a watch session keeps it for the next build (draw-pages.ts PageMemo): the last build's, and where this build's goes. */
export interface LinkMemo {
  last: LinkRecording | undefined;
  keep(recording: LinkRecording): void;
  /** The last build's recording was written (renumbered). */
  reused(): void;
}

/**
 * A link's two objects as written (Pdf.recordLink): the action's text after its `N 0 obj` line,
 * the annotation's with the action's number and its parent-tree key as holes; `place` says
 * which link at which place on which page size (the Rect) they were written for.
 */
export interface LinkRecording {
  place: LinkPlace;
  action: string;
  annotation: string;
}

/** The holes of a recorded annotation: control characters (a link whose text holds one is not recorded). */
const ACTION_HOLE = '\u0001';
const KEY_HOLE = '\u0002';

/** A link's target (its kind and URL or name) and the numbers its annotation's Rect and structure depend on (Pdf.linkPlace). */
interface LinkPlace {
  target: string;
  area: number[];
}

function samePlace(a: LinkPlace, b: LinkPlace): boolean {
  if (a.target !== b.target || a.area.length !== b.area.length) return false;
  for (let index = 0; index < a.area.length; index++) if (a.area[index] !== b.area[index]) return false;
  return true;
}

/** The recording of a link written as `action` and `annotation` (the strings pdfkit wrote), or undefined when they are not as expected. */
function linkRecording(place: LinkPlace, action: string, annotation: string, actionId: number, annotationId: number, key: number | undefined): LinkRecording | undefined {
  const actionHead = `${actionId} 0 obj\n`;
  const annotationHead = `${annotationId} 0 obj\n`;
  if (!action.startsWith(actionHead) || !annotation.startsWith(annotationHead)) return undefined;
  const body = annotation.slice(annotationHead.length);
  if (body.includes(ACTION_HOLE) || body.includes(KEY_HOLE)) return undefined;
  // A dictionary's key begins a line; a string's line breaks are escaped: each is found once.
  const actionLine = `\n/A ${actionId} 0 R\n`;
  const keyLine = `\n/StructParent ${key}\n`;
  if (body.split(actionLine).length !== 2 || (key !== undefined ? body.split(keyLine).length !== 2 : body.includes('\n/StructParent '))) return undefined;
  let holed = body.replace(actionLine, `\n/A ${ACTION_HOLE} 0 R\n`);
  if (key !== undefined) holed = holed.replace(keyLine, `\n/StructParent ${KEY_HOLE}\n`);
  return { place, action: action.slice(actionHead.length), annotation: holed };
}

/**
 * A link annotation written from its recording: its number as pdfkit's references print it, and
 * the `data` that pdfkit's structure element gives its parent-tree key (`StructParent`).
 */
class WrittenAnnotation {
  readonly data: { StructParent?: number } = {};
  constructor(readonly id: number) {}
  get [Symbol.toStringTag](): string {
    return 'WrittenAnnotation';
  }
  toString(): string {
    return `${this.id} 0 R`;
  }
}

/** pdfkit's document as recordLink and writeRecordedLink use it. */
interface LinkInternals {
  _security?: unknown;
  _offsets: (number | null)[];
  _offset: number;
  _write(data: string | Uint8Array): void;
  page: { annotations: unknown[] };
}

/** pdfkit's PDFStructureContent's constructor: a marked content of a page, by its MCID. */
type StructContentType = new (pageDictionary: unknown, mcid: number) => StructContent;

/** pdfkit's document as Pdf.beginContent uses it on a replayed page. */
interface MarkingInternals {
  getStructParentTree(): { get(key: number | undefined): unknown[] };
  page: { markings: unknown[]; dictionary: unknown; structParentTreeKey?: number };
}
