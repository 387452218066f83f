import type { Position } from 'unist';
import type { VFile } from 'vfile';
import { report } from '../../messages.ts';
import * as fontkit from 'fontkit';
import type { AssetResolver, SharedResources } from '../../types.ts';
import type { FontkitFont, Pdf, PdfFont } from './pdf-document.ts';
import { fontEmbeddingRefusal, type EmbeddingPermissions } from './pdfa.ts';
import { decodeMarkAnchorsLazily, decodePostHeaderLazily } from './fontkit-lazy.ts';
import type { LayoutWatch } from './layout-watch.ts';
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

/** A face parsed by fontkit, as pdfkit would parse its bytes, with its mark anchors and glyph names decoded only when used. */
function parseFace(bytes: Uint8Array): FontkitFont {
  const font = fontkit.create(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as FontkitFont;
  decodeMarkAnchorsLazily(font);
  decodePostHeaderLazily(font);
  return font;
}

/** Scripts whose faces are loaded only when a character of the text needs them. */
const SCRIPTS = ['cjk', 'japanese', 'korean', 'arabic', 'hebrew', 'devanagari', 'thai', 'emoji'] as const;
/** Scripts given faces later, loaded the same way; after the others in FACE_KEYS, so a PDF without them names its fonts as before. */
const LATER_SCRIPTS = ['georgian', 'armenian', 'bengali', 'gujarati', 'oriya', 'tamil', 'telugu', 'kannada', 'malayalam', 'sinhala', 'lao', 'khmer', 'myanmar', 'ethiopic', 'thaana'] as const;
/** The last resorts for symbols no other face has: dingbats, control pictures, braille; then arrows, operators and math letters. */
type Script = (typeof SCRIPTS)[number] | (typeof LATER_SCRIPTS)[number] | 'symbols' | 'math';
export type FaceKey = 'regular' | 'italic' | 'bold' | 'boldItalic' | 'mono' | 'monoBold' | Script | `${Script}Bold`;

/**
 * Every face in a fixed order: a face's resource name in the PDF (FC1, FC2, …) is its place here,
 * not the order in which a document first uses the faces, so drawing pages while the rest is
 * still being laid out (or fonts first used by a running head or an SVG) names them the same.
 */
const FACE_KEYS: readonly FaceKey[] = [
  ...['regular', 'italic', 'bold', 'boldItalic', 'mono', 'monoBold'] as const,
  ...SCRIPTS,
  ...SCRIPTS.map((script) => `${script}Bold` as const),
  ...['symbols', 'symbolsBold', 'math', 'mathBold'] as const,
  ...LATER_SCRIPTS.flatMap((script) => [script, `${script}Bold` as const]),
];

/**
 * The fonts of one PDF: the theme's faces, embedded and subset by pdfkit, with a fallback
 * chain per style (serif covers Latin, Greek and Cyrillic; mono adds symbols). Each other
 * script has its own face (Arabic, Hebrew, Devanagari, Thai, Korean, Japanese, Chinese,
 * emoji; Georgian, Armenian, Bengali, Gujarati, Oriya, Tamil, Telugu, Kannada, Malayalam,
 * Sinhala, Lao, Khmer, Myanmar, Ethiopic, Thaana), parsed only when a character of that
 * script turns up: a document without them pays nothing. Characters no face has are
 * reported once each, with their place, and drawn in the primary face.
 */
export class Fonts {
  private readonly faces = new Map<FaceKey, Face>();
  /** Faces parsed for this document alone, when nothing is shared. */
  private readonly ownFaces = new Map<FaceKey, FontkitFont>();
  private readonly missing = new Set<number>();
  /** Whether Myanmar text drawn without its shaping was reported. */
  private unshapedReported = false;
  /** Under PDF/A, faces whose licence forbids embedding, not yet reported (why, by face). */
  private readonly refused = new Map<Face, string>();
  /** The same faces, kept after they are reported. */
  private readonly refusedFaces = new Set<Face>();
  /** Han characters take the Japanese face's forms, not the Chinese ones. */
  private readonly japanese: boolean;
  /** Characters no face has and refused faces met, reported or not (a report is once per document). */
  notices = 0;
  /** Set while a block is laid out for the watch session's memo: faces are recorded in it as asked for. */
  watch: LayoutWatch | undefined;

  constructor(
    private readonly pdf: Pdf,
    private readonly theme: Theme,
    private readonly assets: AssetResolver,
    private readonly file: VFile,
    private readonly shared?: SharedResources,
    lang = 'en',
  ) {
    this.japanese = /^ja\b/i.test(lang);
  }

  /**
   * Size and baseline shift of a sub- or superscript in `style` at `size`, from the face's OS/2
   * table (as a word processor sets them); a face without one gets the common 65 % and ±⅓ em.
   */
  script(kind: 'sub' | 'super', style: FontStyle, size: number): { size: number; rise: number } {
    const font = this.face(style).font.font;
    const os2 = font['OS/2'];
    const em = font.unitsPerEm || 1000;
    if (!os2?.ySubscriptYSize || !os2.ySuperscriptYSize) return kind === 'super' ? { size: size * 0.65, rise: size * 0.33 } : { size: size * 0.65, rise: -size * 0.14 };
    return kind === 'super'
      ? { size: (size * os2.ySuperscriptYSize) / em, rise: (size * os2.ySuperscriptYOffset) / em }
      : { size: (size * os2.ySubscriptYSize) / em, rise: (-size * os2.ySubscriptYOffset) / em };
  }

  face(key: FaceKey): Face {
    if (this.watch && !this.watch.faces.includes(key)) this.watch.faces.push(key);
    let face = this.faces.get(key);
    if (!face) {
      // Keys the theme gives one file (the symbols face has no bold) are one face, registered under
      // the first of them: pdfkit, which knows fonts by PostScript name, would hand the other key the
      // font already open and take its resource name (FC…) from whichever the document asked for first.
      const path = this.pathOf(key);
      const first = FACE_KEYS.find((other) => this.pathIfAny(other) === path)!;
      if (first !== key) {
        face = this.face(first);
        this.faces.set(key, face);
        return face;
      }
      const font = this.pdf.registerFont(key, this.parsed(key), `FC${FACE_KEYS.indexOf(key) + 1}`);
      face = { name: key, font };
      this.faces.set(key, face);
      if (this.pdf.pdfa) {
        const refusal = fontEmbeddingRefusal((font.font['OS/2'] as { fsType?: EmbeddingPermissions } | undefined)?.fsType);
        if (refusal) {
          this.refused.set(face, refusal);
          this.refusedFaces.add(face);
        }
      }
    }
    return face;
  }

  /**
   * The face's font as fontkit parsed it, shared with the documents built before this one when
   * its bytes are the same (fontkit parses tables lazily and keeps them: such a face costs
   * nothing to lay out again; pdfkit's subset of it stays per document); this document's own
   * when nothing is shared. Registers nothing.
   */
  parsed(key: FaceKey): FontkitFont {
    const path = this.pathOf(key);
    if (this.shared) return this.shared.parsed(`pdf-font:${path}`, () => this.assets.own(path), parseFace, this.assets.ownHolds && ((bytes) => this.assets.ownHolds!(path, bytes)));
    let own = this.ownFaces.get(key);
    if (!own) this.ownFaces.set(key, (own = parseFace(this.assets.own(path))));
    return own;
  }

  private pathOf(key: FaceKey): string {
    const path = this.pathIfAny(key);
    if (path === undefined) throw new Error(`the PDF theme has no ${key.replace(/Bold$/, '')} fonts`);
    return path;
  }

  /** The file of a face, undefined for a script the theme has no faces for. */
  private pathIfAny(key: FaceKey): string | undefined {
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
      default: {
        const bold = key.endsWith('Bold');
        const script = (bold ? key.slice(0, -4) : key) as Script;
        const faces = fonts[script];
        return bold ? faces?.bold : faces?.regular;
      }
    }
  }

  private chain(style: FontStyle): FaceKey[] {
    switch (style) {
      case 'regular':
        return ['regular', 'mono'];
      case 'italic':
        return ['italic', 'regular', 'mono'];
      case 'bold':
        return ['bold', 'regular', 'monoBold'];
      case 'boldItalic':
        return ['boldItalic', 'bold', 'regular', 'monoBold'];
      case 'mono':
        return ['mono', 'regular'];
      case 'monoBold':
        return ['monoBold', 'bold'];
    }
  }

  /** Split text into stretches each drawable by one face of the style's chain. */
  segments(text: string, style: FontStyle, place?: Position): Segment[] {
    const chain = this.chain(style);
    const bold = style === 'bold' || style === 'boldItalic' || style === 'monoBold';
    const primary = this.face(chain[0]!);
    // Kana anywhere in the text makes its Han characters Japanese too.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: a range of code points that starts at U+0000
    const japanese = this.japanese || (!/^[\x00-\u2e7f]*$/.test(text) && /[\u3040-\u30ff\u31f0-\u31ff]/.test(text));
    const out: Segment[] = [];
    let current: Face | undefined;
    let buffer = '';
    let offset = 0;
    for (const char of text) {
      const codePoint = char.codePointAt(0)!;
      let face = primary;
      if (codePoint > 0x7e && !primary.font.font.hasGlyphForCodePoint(codePoint)) {
        if (current && current !== primary && (isJoining(codePoint) || ((isMark(char) || isSharedPunctuation(codePoint)) && current.font.font.hasGlyphForCodePoint(codePoint)))) {
          // Joiners, variation selectors and marks stay with their base, or shaping breaks apart;
          // punctuation several scripts share stays in the face of the text it ends, when it has it.
          face = current;
        } else if (isIgnorable(codePoint)) {
          face = current ?? primary;
        } else {
          face = this.fallback(chain, codePoint, bold, japanese) ?? primary;
          if (face === primary) this.reportMissing(codePoint, text, offset, place);
          else if (face.name.startsWith('myanmar')) this.reportUnshaped(text, offset, place);
        }
      }
      if (face !== current && this.refusedFaces.has(face)) {
        this.notices++;
        if (place && this.refused.has(face)) this.reportRefused(face, pointIn(text, offset, place));
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

  private fallback(chain: FaceKey[], codePoint: number, bold: boolean, japanese: boolean): Face | undefined {
    for (const key of chain.slice(1)) {
      const face = this.face(key);
      if (face.font.font.hasGlyphForCodePoint(codePoint)) return face;
    }
    // Only the face of the character's own script is parsed (the CJK ones are 8–15 MB).
    for (const script of scriptsFor(codePoint, japanese)) {
      // A theme written before the later scripts' faces were added has none: such characters stay missing.
      if (!this.theme.fonts[script]) continue;
      const face = this.face(bold ? `${script}Bold` : script);
      if (face.font.font.hasGlyphForCodePoint(codePoint)) return face;
    }
    for (const [script, ranges] of LAST_RESORTS) {
      // A theme written before these faces were added has none: such characters stay missing.
      if (!this.theme.fonts[script] || !within(codePoint, ranges)) continue;
      const face = this.face(bold ? `${script}Bold` : script);
      if (face.font.font.hasGlyphForCodePoint(codePoint)) return face;
    }
    return undefined;
  }

  private reportMissing(codePoint: number, text: string, offset: number, place?: Position): void {
    this.notices++;
    const myanmar = !this.pdf.pdfa && within(codePoint, MYANMAR);
    if (this.missing.has(myanmar ? MYANMAR[0]![0] : codePoint)) return;
    this.missing.add(myanmar ? MYANMAR[0]![0] : codePoint);
    const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
    const character = `U+${hex} "${String.fromCodePoint(codePoint)}"`;
    // Said once for all of Myanmar's letters, with why the theme has no face for them.
    if (myanmar) {
      report(this.file, 'warning', `Myanmar text has no face in the PDF theme, as fontkit (which shapes the PDF's text) has no Myanmar shaper and would set the vowel sign E (ေ) and the medial ra (ြ) after their consonant: it shows as blank boxes in the PDF (first ${character}); the HTML and EPUB editions show it`, pointIn(text, offset, place), 'pdf-missing-glyph');
      return;
    }
    // PDF/A forbids drawing a glyph the font does not have: no PDF that claims it is written.
    if (this.pdf.pdfa) report(this.file, 'error', `no font has a glyph for ${character}, and a PDF/A (pdfa: true) may not show a blank box; no PDF is written`, pointIn(text, offset, place), 'pdfa-missing-glyph');
    else report(this.file, 'warning', `no font has a glyph for ${character}; it will show as a blank box in the PDF`, pointIn(text, offset, place), 'pdf-missing-glyph');
  }

  /**
   * A theme may still give Myanmar a face: its text is then drawn letter by letter, its reordered
   * signs misplaced. Said once per document, where the text first uses it.
   */
  private reportUnshaped(text: string, offset: number, place?: Position): void {
    this.notices++;
    if (this.unshapedReported) return;
    this.unshapedReported = true;
    report(this.file, 'warning', 'Myanmar text is drawn in the PDF theme\'s face but not shaped (fontkit has no Myanmar shaper): the vowel sign E and the medial ra stand after their consonant, not before it; the HTML and EPUB editions show it right', pointIn(text, offset, place), 'pdf-unshaped-script');
  }

  /** PDF/A embeds every font: a face whose licence forbids it is an error where text from the document first uses it. */
  private reportRefused(face: Face, place: Position | undefined): void {
    const refusal = this.refused.get(face);
    if (refusal === undefined) return;
    this.refused.delete(face);
    report(this.file, 'error', `the font ${this.pathOf(face.name as FaceKey)} may not be embedded: ${refusal}, and a PDF/A (pdfa: true) must embed every font it uses; no PDF is written`, place, 'pdfa-font-embedding');
  }

  /** After drawing: refused faces used only by text with no place in the source (the title, running heads, SVG text). */
  reportUnplacedRefusals(): void {
    for (const face of [...this.refused.keys()]) this.reportRefused(face, undefined);
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

/**
 * Unicode's default-ignorable code points (soft hyphen, zero-width spaces and joiners, variation
 * selectors, tags): a renderer without a glyph for one shows nothing (Unicode 5.21), so none is a
 * missing glyph. A stray U+FE0F after a letter ("Open Collective️", ajv's README) is one.
 */
function isIgnorable(codePoint: number): boolean {
  return /^\p{Default_Ignorable_Code_Point}$/u.test(String.fromCodePoint(codePoint));
}

/** Zero-width joiners and variation selectors, which belong to the face of what they join. */
function isJoining(codePoint: number): boolean {
  return codePoint === 0x200c || codePoint === 0x200d || (codePoint >= 0xfe00 && codePoint <= 0xfe0f) || (codePoint >= 0xe0100 && codePoint <= 0xe01ef) || (codePoint >= 0x1f3fb && codePoint <= 0x1f3ff);
}

function isMark(char: string): boolean {
  return /^\p{M}$/u.test(char);
}

/**
 * Punctuation of one block that other scripts use too: the danda and double danda (।॥) of every
 * Indic script, held by Devanagari's block; the Arabic comma, semicolon and question mark (، ؛ ؟)
 * of Thaana.
 */
function isSharedPunctuation(codePoint: number): boolean {
  return codePoint === 0x0964 || codePoint === 0x0965 || codePoint === 0x060c || codePoint === 0x061b || codePoint === 0x061f;
}

/**
 * Myanmar has no face in the default theme: fontkit 2 sends it to its default shaper, which
 * neither moves the vowel sign E (ေ) and the medial ra (ြ) before their consonant nor stacks
 * the consonant after a virama, as HarfBuzz's Myanmar shaper does (compared word by word in
 * bench/RESULTS-real-documents.md). Such misspelt-looking words would be worse than boxes with
 * a warning that says why.
 */
const MYANMAR: [number, number][] = [[0x1000, 0x109f], [0xa9e0, 0xa9ff], [0xaa60, 0xaa7f]];

const within = (codePoint: number, ranges: [number, number][]) => ranges.some(([from, to]) => codePoint >= from && codePoint <= to);

const ARABIC: [number, number][] = [[0x0600, 0x06ff], [0x0750, 0x077f], [0x0870, 0x08ff], [0xfb50, 0xfdff], [0xfe70, 0xfeff]];
const HEBREW: [number, number][] = [[0x0590, 0x05ff], [0xfb1d, 0xfb4f]];
const DEVANAGARI: [number, number][] = [[0x0900, 0x097f], [0xa8e0, 0xa8ff], [0x1cd0, 0x1cff]];
const THAI: [number, number][] = [[0x0e00, 0x0e7f]];
/** The later scripts' blocks, with their extensions and supplements. */
const LATER_RANGES: [(typeof LATER_SCRIPTS)[number], [number, number][]][] = [
  ['armenian', [[0x0530, 0x058f], [0xfb13, 0xfb17]]],
  ['thaana', [[0x0780, 0x07bf]]],
  ['bengali', [[0x0980, 0x09ff]]],
  ['gujarati', [[0x0a80, 0x0aff]]],
  ['oriya', [[0x0b00, 0x0b7f]]],
  ['tamil', [[0x0b80, 0x0bff], [0x11fc0, 0x11fff]]],
  ['telugu', [[0x0c00, 0x0c7f]]],
  ['kannada', [[0x0c80, 0x0cff]]],
  ['malayalam', [[0x0d00, 0x0d7f]]],
  ['sinhala', [[0x0d80, 0x0dff], [0x111e0, 0x111ff]]],
  ['lao', [[0x0e80, 0x0eff]]],
  ['myanmar', MYANMAR],
  ['georgian', [[0x10a0, 0x10ff], [0x1c90, 0x1cbf], [0x2d00, 0x2d2f]]],
  ['ethiopic', [[0x1200, 0x139f], [0x2d80, 0x2ddf], [0xab00, 0xab2f], [0x1e7e0, 0x1e7ff]]],
  ['khmer', [[0x1780, 0x17ff], [0x19e0, 0x19ff]]],
];
const HANGUL: [number, number][] = [[0x1100, 0x11ff], [0x3130, 0x318f], [0xa960, 0xa97f], [0xac00, 0xd7ff]];
const KANA: [number, number][] = [[0x3040, 0x30ff], [0x31f0, 0x31ff], [0xff66, 0xff9f]];
const EMOJI: [number, number][] = [[0x2190, 0x21ff], [0x2300, 0x23ff], [0x2460, 0x27bf], [0x2900, 0x297f], [0x2b00, 0x2bff], [0x3030, 0x3030], [0x303d, 0x303d], [0x3297, 0x3299], [0x1f000, 0x1faff]];

/** Punctuation, arrows, technical and control pictures, shapes, dingbats, braille; symbols and pictographs beyond the BMP. */
const SYMBOLS: [number, number][] = [[0x2000, 0x2bff], [0x1f000, 0x1fbff]];
/** Letterlike symbols, arrows, operators, technical signs and shapes; the mathematical alphanumerics. */
const MATH: [number, number][] = [[0x2000, 0x2bff], [0x1d400, 0x1d7ff]];
/** The faces tried, in order, for a sign no other face has: Noto Sans Symbols 2, then Noto Sans Math (every arrow such as ⇠, operator and math letter such as 𝐀 𝑥). */
const LAST_RESORTS: ['symbols' | 'math', [number, number][]][] = [
  ['symbols', SYMBOLS],
  ['math', MATH],
];

/** The lazily loaded faces worth trying for a character, most fitting first. */
function scriptsFor(codePoint: number, japanese: boolean): Script[] {
  if (codePoint < 0x0530) return [];
  if (within(codePoint, ARABIC)) return ['arabic'];
  if (within(codePoint, HEBREW)) return ['hebrew'];
  if (within(codePoint, DEVANAGARI)) return ['devanagari'];
  if (within(codePoint, THAI)) return ['thai'];
  if (within(codePoint, HANGUL)) return ['korean'];
  if (within(codePoint, KANA)) return ['japanese', 'cjk'];
  if (within(codePoint, EMOJI)) return ['emoji', 'cjk'];
  if (mayBeCjk(codePoint)) return japanese ? ['japanese', 'cjk'] : ['cjk', 'japanese'];
  for (const [script, ranges] of LATER_RANGES) if (within(codePoint, ranges)) return [script];
  return [];
}

/** Ranges of Han, kana, Hangul and fullwidth forms (the CJK faces' own). */
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
