import type { Position } from 'unist';
import type { VFile } from 'vfile';
import { report } from '../../messages.ts';
import * as fontkit from 'fontkit';
import type { AssetResolver, SharedResources } from '../../types.ts';
import type { FontkitFont, Pdf, PdfFont } from './pdf-document.ts';
import type { Theme } from './theme.ts';

/** The styles a run of text can ask for; each maps to a chain of faces tried in order. */
export type FontStyle = 'regular' | 'italic' | 'bold' | 'boldItalic' | 'mono' | 'monoBold';

/** A face registered with pdfkit under `name`. */
export interface Face {
  name: string;
  font: PdfFont;
}

/** One stretch of text drawable in one face. */
export interface Segment {
  text: string;
  face: Face;
}

type FaceKey = 'regular' | 'italic' | 'bold' | 'boldItalic' | 'mono' | 'monoBold' | 'cjk' | 'cjkBold';

/**
 * The fonts of one PDF: the theme's faces, embedded and subset by pdfkit, with a fallback
 * chain per style (serif covers Latin, Greek and Cyrillic; mono adds symbols; the CJK face,
 * 15 MB, is loaded only when a character needs it). Characters no face has are reported once
 * each, with their place, and drawn in the primary face.
 */
export class Fonts {
  private readonly faces = new Map<FaceKey, Face>();
  private readonly missing = new Set<number>();
  private cjkLoaded = false;

  constructor(
    private readonly pdf: Pdf,
    private readonly theme: Theme,
    private readonly assets: AssetResolver,
    private readonly file: VFile,
    private readonly shared?: SharedResources,
  ) {}

  face(key: FaceKey): Face {
    let face = this.faces.get(key);
    if (!face) {
      const path = this.pathOf(key);
      const bytes = this.assets.own(path);
      // fontkit parses a face's tables lazily and keeps them: a face shared with the documents
      // built before this one (same bytes) costs nothing to lay out again. pdfkit's subset of
      // it stays per document.
      const parsed = this.shared ? this.shared.parsed(`pdf-font:${path}`, bytes, (data) => fontkit.create(Buffer.from(data.buffer, data.byteOffset, data.byteLength)) as FontkitFont) : bytes;
      const font = this.pdf.registerFont(key, parsed);
      face = { name: key, font };
      this.faces.set(key, face);
      if (key === 'cjk' || key === 'cjkBold') this.cjkLoaded = true;
    }
    return face;
  }

  private pathOf(key: FaceKey): string {
    const fonts = this.theme.fonts;
    switch (key) {
      case 'regular':
      case 'italic':
      case 'bold':
      case 'boldItalic':
        return fonts.serif[key];
      case 'mono':
        return fonts.mono.regular;
      case 'monoBold':
        return fonts.mono.bold;
      case 'cjk':
        return fonts.cjk.regular;
      case 'cjkBold':
        return fonts.cjk.bold;
    }
  }

  private chain(style: FontStyle): FaceKey[] {
    switch (style) {
      case 'regular':
        return ['regular', 'mono', 'cjk'];
      case 'italic':
        return ['italic', 'regular', 'mono', 'cjk'];
      case 'bold':
        return ['bold', 'regular', 'monoBold', 'cjkBold'];
      case 'boldItalic':
        return ['boldItalic', 'bold', 'regular', 'monoBold', 'cjkBold'];
      case 'mono':
        return ['mono', 'regular', 'cjk'];
      case 'monoBold':
        return ['monoBold', 'bold', 'cjkBold'];
    }
  }

  /** Split text into stretches each drawable by one face of the style's chain. */
  segments(text: string, style: FontStyle, place?: Position): Segment[] {
    const chain = this.chain(style);
    const primary = this.face(chain[0]!);
    const out: Segment[] = [];
    let current: Face | undefined;
    let buffer = '';
    let offset = 0;
    for (const char of text) {
      const codePoint = char.codePointAt(0)!;
      let face = primary;
      if (codePoint > 0x7e && !isIgnorable(codePoint) && !primary.font.font.hasGlyphForCodePoint(codePoint)) {
        face = this.fallback(chain, codePoint) ?? primary;
        if (face === primary) this.reportMissing(codePoint, text, offset, place);
      }
      if (face !== current && buffer) {
        out.push({ text: buffer, face: current! });
        buffer = '';
      }
      current = face;
      buffer += char;
      offset += char.length;
    }
    if (buffer) out.push({ text: buffer, face: current! });
    return out;
  }

  private fallback(chain: FaceKey[], codePoint: number): Face | undefined {
    for (const key of chain.slice(1)) {
      // The CJK face is parsed only when a character really needs it (15 MB).
      if ((key === 'cjk' || key === 'cjkBold') && !this.cjkLoaded && !mayBeCjk(codePoint)) continue;
      const face = this.face(key);
      if (face.font.font.hasGlyphForCodePoint(codePoint)) return face;
    }
    return undefined;
  }

  private reportMissing(codePoint: number, text: string, offset: number, place?: Position): void {
    if (this.missing.has(codePoint)) return;
    this.missing.add(codePoint);
    const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
    report(this.file, 'warning', `no font has a glyph for U+${hex} "${String.fromCodePoint(codePoint)}"; it will show as a blank box in the PDF`, pointIn(text, offset, place), 'pdf-missing-glyph');
  }

  /** Width in points of text drawn in one face (the words' shapes are cached by the Pdf). */
  width(face: Face, text: string, size: number): number {
    return (this.pdf.advanceOf(face.font, text) / 1000) * size;
  }
}

/** Best guess at the source point of a character inside a text node (exact unless escapes precede it). */
function pointIn(text: string, offset: number, place?: Position): Position | undefined {
  if (!place) return undefined;
  let { line, column } = place.start;
  for (let i = 0; i < offset; i++) {
    if (text[i] === '\n') {
      line++;
      column = 1;
    } else column++;
  }
  return { start: { line, column }, end: { line, column: column + 1 } };
}

function isIgnorable(codePoint: number): boolean {
  return codePoint === 0xad || (codePoint >= 0x200b && codePoint <= 0x200f) || codePoint === 0xfeff || codePoint === 0x2060;
}

/** Ranges where the CJK face is worth loading. */
export function mayBeCjk(codePoint: number): boolean {
  return (
    (codePoint >= 0x2e80 && codePoint <= 0x9fff) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7af) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xffef) ||
    (codePoint >= 0x20000 && codePoint <= 0x3134f)
  );
}

/** Characters between which a line may break without a space (CJK ideographs, kana, fullwidth forms). */
export function isCjkBreakable(codePoint: number): boolean {
  return mayBeCjk(codePoint) && !(codePoint >= 0xac00 && codePoint <= 0xd7af);
}
