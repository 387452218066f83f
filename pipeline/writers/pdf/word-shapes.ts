import { newBidi, type Bidi } from './bidi.ts';
import { bengaliInitAtWordStart, emptyLastGlyph, skipNullAnchors } from './fontkit-fixes.ts';
import { indexLookupTables, rememberCharacterGlyphs } from './fontkit-lazy.ts';
import { spaceStandsAlone } from './space-alone.ts';
import type { FontkitFont, FontkitGlyph, GlyphPosition, PdfFont } from './pdfkit-api.ts';

/**
 * Words shaped as pdfkit's layout shapes them, cached per font and kept compact: pdfkit's own
 * cache (turned off, see pdf-document.ts) keeps fontkit's whole glyph runs, and a book has
 * tens of thousands of distinct words. The cache is keyed by the parsed face (fontkit's), not
 * by pdfkit's per-document font: a shape depends only on the face and the word, so one
 * WordShapes may serve every PDF of a build or a watch session whose faces are shared
 * (fonts.ts), and a rebuild shapes only the words it has not met.
 */
export class WordShapes {
  private readonly byFont = new WeakMap<FontkitFont, Map<string, ShapedWord>>();
  /** The same, shaped right to left (words of a right-to-left run). */
  private readonly byFontRtl = new WeakMap<FontkitFont, Map<string, ShapedWord>>();
  /** Per face, whether its space joins no lookup (space-alone.ts): "word " is then "word" and " " joined. */
  private readonly spaceAlone = new WeakMap<FontkitFont, boolean>();
  /** bidi-js, for its mirroring table: made with the first right-to-left word. */
  private bidi: Bidi | undefined;

  /** `joinSpaces: false` shapes every word whole (the tests compare the two). */
  constructor(private readonly options: { joinSpaces?: boolean } = {}) {}

  /** One word shaped by fontkit, as pdfkit's layout would (or right to left), cached per font. */
  shape(font: PdfFont, word: string, rtl = false): ShapedWord {
    const cache = rtl ? this.byFontRtl : this.byFont;
    let words = cache.get(font.font);
    if (!words) {
      cache.set(font.font, (words = new Map()));
      indexLookupTables(font.font);
      skipNullAnchors(font.font);
      bengaliInitAtWordStart(font.font);
      emptyLastGlyph(font.font);
      rememberCharacterGlyphs(font.font);
    }
    let shaped = words.get(word);
    if (!shaped && !rtl) {
      shaped = this.joinedWithSpace(font, word);
      if (shaped) words.set(word, shaped);
    }
    if (!shaped) {
      // Right to left, brackets and other paired signs take their mirrored glyphs (UAX #9, L4):
      // "(" closes a parenthesis on the left. Their text stays the author's (clusterText).
      const run = shapeAfresh(font.font, () => (rtl ? layoutScaled(font, this.mirrored(word), 'rtl') : layoutScaled(font, word)));
      const kerning = run.positions.map((position) => position.xAdvance - position.advanceWidth);
      const offsets = run.positions.some((position) => position.xOffset !== 0 || position.yOffset !== 0) ? run.positions.flatMap((position) => [position.xOffset, position.yOffset]) : undefined;
      shaped = {
        advance: run.advanceWidth,
        glyphs: codeUnits(run.glyphs.map((glyph) => glyph.id)),
        kerning: kerning.some((adjust) => adjust !== 0) ? kerning : undefined,
        offsets,
        codePoints: ownCodePoints(word, run.glyphs),
        unicodes: rtl ? clusterText(word, run.glyphs, run.positions) : undefined,
        // Glyphs that spell the word in drawing order need no /ActualText; nor do right-to-left
        // words, whose glyphs map to their letters instead (poppler reverses an /ActualText).
        // Marks moved sideways leave gaps that extraction reads as spaces: such words carry their text too,
        // as do words with a character the face lacks (its .notdef glyph, 0, maps to no text).
        // biome-ignore lint/suspicious/noControlCharactersInRegex: a range of code points that starts at U+0000
        actual: !rtl && word.length > 1 && !/^[\x00-\u024f]*$/.test(word) && (offsets !== undefined || run.glyphs.some((glyph) => glyph.id === 0) || String.fromCodePoint(...run.glyphs.flatMap((glyph) => glyph.codePoints)) !== word),
      };
      words.set(word, shaped);
    }
    return shaped;
  }

  /**
   * A word and its space, as the word shaped alone and the space shaped alone, when that is what
   * shaping them together gives: the face's space joins no lookup (space-alone.ts), the word is
   * shaped by fontkit's default shaper (Latin, Greek, Cyrillic and their punctuation: no
   * joining or reordering across the word's end), and the space is one glyph of its own that the
   * word does not use (fontkit keeps one glyph object per id within a run, with the code points it
   * first met: a no-break space drawn with the space's glyph). The numbers are the same too:
   * fontkit adds up a run's advance glyph by glyph, in order, and each position is scaled alone.
   * The PDF measures words without their space and draws them with it: this shapes each once.
   */
  private joinedWithSpace(font: PdfFont, word: string): ShapedWord | undefined {
    if (this.options.joinSpaces === false || word.length < 2 || word.at(-1) !== ' ' || !DEFAULT_SHAPER_TEXT.test(word)) return undefined;
    let alone = this.spaceAlone.get(font.font);
    if (alone === undefined) this.spaceAlone.set(font.font, (alone = spaceStandsAlone(font.font)));
    if (!alone) return undefined;
    const head = word.slice(0, -1);
    const space = this.shape(font, ' ');
    if (space.glyphs.length !== 1 || space.codePoints !== undefined || space.kerning !== undefined || space.offsets !== undefined || space.glyphs === '\0') return undefined;
    const start = this.shape(font, head);
    if (start.glyphs.includes(space.glyphs)) return undefined;
    const codePoints = start.codePoints ? [...start.codePoints, [0x20]] : undefined;
    const offsets = start.offsets ? [...start.offsets, 0, 0] : undefined;
    const text = start.codePoints ? String.fromCodePoint(...start.codePoints.flat()) : head;
    return {
      advance: start.advance + space.advance,
      glyphs: start.glyphs + space.glyphs,
      kerning: start.kerning ? [...start.kerning, 0] : undefined,
      offsets,
      codePoints,
      unicodes: undefined,
      // As `shape` decides it for the whole word: the space is Latin, one glyph, and spells itself.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: a range of code points that starts at U+0000
      actual: !/^[\x00-\u024f]*$/.test(word) && (offsets !== undefined || start.glyphs.includes('\0') || text !== head),
    };
  }

  /** Each character with the Unicode Bidi_Mirroring_Glyph property replaced by its mirror. */
  private mirrored(word: string): string {
    this.bidi ??= newBidi();
    let out = '';
    for (const char of word) out += this.bidi.getMirroredCharacter(char) ?? char;
    return out;
  }

  /** Advance of text in 1/1000 em, exactly as pdfkit's `widthOfString(text, 1000)` adds it up. */
  advanceOf(font: PdfFont, text: string): number {
    let advance = 0;
    forEachWord(text, (word) => {
      advance += this.shape(font, word).advance;
    });
    return advance;
  }
}

/**
 * Text that fontkit shapes with its default shaper and no joining across a word's end: Latin,
 * Greek, Cyrillic, Armenian, general punctuation and currency signs (not Hebrew and after, whose
 * scripts get shapers of their own).
 */
const DEFAULT_SHAPER_TEXT = /^[\u0020-\u058f\u2000-\u206f\u20a0-\u20cf]+$/;

/** A word as pdfkit shapes it, kept small: a book has tens of thousands of distinct words. */
export interface ShapedWord {
  /** In 1/1000 em, added up as fontkit's GlyphRun does. */
  advance: number;
  /** Glyph ids, one UTF-16 code unit each (OpenType ids are 16-bit). */
  glyphs: string;
  /** Per glyph, its xAdvance minus its own advance (kerning), in 1/1000 em; absent when all are 0. */
  kerning: number[] | undefined;
  /** Per glyph, its x and y offset from the pen, in 1/1000 em; absent when all are 0. */
  offsets: number[] | undefined;
  /**
   * Per glyph, the characters fontkit says it stands for in this word (see `shapeAfresh`);
   * undefined when glyph i is the word's i-th character alone, as in most words (`glyphText`).
   */
  codePoints: number[][] | undefined;
  /** Per glyph, the characters it stands for in this word, when fontkit's per-glyph ones are wrong here. */
  unicodes: number[][] | undefined;
  /** The glyphs do not spell the word in order: drawn with the word as /ActualText. */
  actual: boolean;
}

/**
 * Shape with a fresh glyph cache. fontkit keeps one glyph object per id, and a glyph's code points
 * are those of the first text that made it (U+26A1 alone, or with U+FE0F after it; a space, or a
 * no-break space drawn with the same glyph). With faces shared across the documents of a build
 * and the rebuilds of a watch session, that would make a PDF's text map depend on what was
 * shaped before it. Made afresh, they depend on the word alone; the glyph objects made here are
 * then let go, and fontkit's own cache serves everything else as before.
 */
function shapeAfresh<T>(face: FontkitFont, shape: () => T): T {
  shareGlyphMetrics(face);
  const kept = face._glyphs;
  face._glyphs = {};
  try {
    return shape();
  } finally {
    face._glyphs = kept;
  }
}

/** A glyph with the metrics fontkit computes once per glyph object (`_getMetrics`), and its outline decoder. */
type MeasuredGlyph = FontkitGlyph & { _metrics?: object; _getMetrics?: () => object; _decode?: () => unknown };

/** Where a face keeps its glyphs' metrics across fresh glyph caches. */
const METRICS = Symbol('colophon glyph metrics');

/**
 * A fresh glyph object computes its metrics again: its advance from hmtx and, for its vertical
 * metrics, its control box from its outline in glyf (about a third of shaping a new word).
 * They depend on the face and the glyph id alone, so each face keeps them by id: a glyph object
 * fontkit makes gets them from there (the very numbers it would compute), or computes them then,
 * once per face. Not for variable fonts, whose outlines may change them (fontkit's `_getContours`).
 *
 * The glyphs of the face's own cache (those pdfkit's subset embeds, each document again) also
 * decode their outline once: fontkit's subset decodes every glyph it embeds, points and all,
 * to find a composite's components (a sixth of embedding a face), and the decoded outline is
 * only read (fontkit changes it for variable fonts alone).
 */
function shareGlyphMetrics(face: FontkitFont): void {
  const own = face as FontkitFont & { [METRICS]?: boolean; directory?: { tables?: Record<string, unknown> } };
  if (own[METRICS] !== undefined) return;
  own[METRICS] = !own.directory?.tables?.fvar && typeof face.getGlyph === 'function';
  if (!own[METRICS]) return;
  const metrics = new Map<number, object>();
  const faceGlyphs = face._glyphs;
  const getGlyph = face.getGlyph;
  face.getGlyph = function (this: FontkitFont, id: number, codePoints?: number[]): FontkitGlyph {
    const known = this._glyphs[id] !== undefined;
    const glyph = getGlyph.call(this, id, codePoints) as MeasuredGlyph | null;
    if (!known && glyph && glyph._metrics === undefined && typeof glyph._getMetrics === 'function') {
      const kept = metrics.get(id);
      if (kept) glyph._metrics = kept;
      else metrics.set(id, glyph._getMetrics());
    }
    if (!known && glyph && this._glyphs === faceGlyphs && typeof glyph._decode === 'function') {
      const decode = glyph._decode;
      let decoded: { value: unknown } | undefined;
      glyph._decode = function (this: MeasuredGlyph) {
        decoded ??= { value: decode.call(this) };
        return decoded.value;
      };
    }
    return glyph as FontkitGlyph;
  };
}

/** The code points of each glyph of a run, or undefined when they are the word's characters one by one. */
function ownCodePoints(word: string, glyphs: FontkitGlyph[]): number[][] | undefined {
  let index = 0;
  let plain = true;
  for (const char of word) {
    const points = glyphs[index++]?.codePoints;
    if (points?.length !== 1 || points[0] !== char.codePointAt(0)) {
      plain = false;
      break;
    }
  }
  return plain && index === glyphs.length ? undefined : glyphs.map((glyph) => [...glyph.codePoints]);
}

/** The characters glyph `index` of a shaped word stands for (as fontkit shaped the word afresh). */
export function glyphText(shaped: ShapedWord, word: string, index: number): number[] {
  if (shaped.codePoints) return shaped.codePoints[index]!;
  // Plain words: glyph i is character i (a UTF-16 index when every character is one code unit).
  if (word.length === shaped.glyphs.length) return [word.charCodeAt(index)];
  return [Array.from(word)[index]!.codePointAt(0)!];
}

/**
 * pdfkit's `layoutRun`, optionally with the direction forced right to left (a run of neutrals
 * inside Arabic, say): the same products, each position's four numbers and its glyph's advance
 * times the font's scale, without pdfkit's loop over every key of every position (`for…in`,
 * about a tenth of shaping a word; it also scales fontkit's attachment indexes, which no one reads here).
 */
function layoutScaled(font: PdfFont, text: string, direction?: 'rtl'): ReturnType<PdfFont['layoutRun']> {
  const run = font.font.layout(text, undefined, undefined, undefined, direction);
  run.positions.forEach((position, index) => {
    position.xAdvance *= font.scale;
    position.yAdvance *= font.scale;
    position.xOffset *= font.scale;
    position.yOffset *= font.scale;
    position.advanceWidth = run.glyphs[index]!.advanceWidth * font.scale;
  });
  return run;
}

/**
 * What each glyph of a right-to-left word stands for. fontkit keeps one list of code points
 * per glyph id, the first it saw, but Arabic fonts draw one dotless body for several letters
 * (ب ت ث ي in the middle of a word) and the dots as marks. Here the glyphs that advance, read
 * right to left, are the word's letters in order, each with the combining marks that follow it
 * in the word (Arabic and Hebrew vowels, Thaana's fili on every consonant), and the glyphs that
 * do not advance (dots, vowel signs) stand for nothing: drawn above or below their letter, a
 * mark that stood for itself was read as a word of its own, before its letter ("ދެ ްނ" for
 * "ދެން"). Undefined when the counts differ (a ligature), trusting fontkit.
 */
function clusterText(word: string, glyphs: FontkitGlyph[], positions: GlyphPosition[]): number[][] | undefined {
  const letters: number[][] = [];
  for (const char of word) {
    const code = char.codePointAt(0)!;
    if (/^\p{M}$/u.test(char) && letters.length > 0) letters[letters.length - 1]!.push(code);
    else letters.push([code]);
  }
  const spacing = positions.filter((position) => position.xAdvance !== 0).length;
  if (spacing !== letters.length) return undefined;
  const out: number[][] = new Array<number[]>(glyphs.length);
  let letter = 0;
  // Backwards: extraction (poppler, pdf.js) reverses a right-to-left line character by character,
  // the characters of one glyph too, as it does an /ActualText.
  for (let index = glyphs.length - 1; index >= 0; index--) out[index] = positions[index]!.xAdvance !== 0 ? letters[letter++]!.reverse() : [];
  return out;
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
export function forEachWord(text: string, visit: (word: string) => void): void {
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

