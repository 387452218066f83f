import type { PdfFont } from './pdfkit-api.ts';

/**
 * Words shaped as pdfkit's layout shapes them, cached per font and kept compact: pdfkit's own
 * cache (turned off, see pdf-document.ts) keeps fontkit's whole glyph runs, and a book has
 * tens of thousands of distinct words.
 */
export class WordShapes {
  private readonly byFont = new Map<PdfFont, Map<string, ShapedWord>>();

  /** One word shaped by fontkit, as pdfkit's layout would, cached per font. */
  shape(font: PdfFont, word: string): ShapedWord {
    let words = this.byFont.get(font);
    if (!words) this.byFont.set(font, (words = new Map()));
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

  /** Advance of text in 1/1000 em, exactly as pdfkit's `widthOfString(text, 1000)` adds it up. */
  advanceOf(font: PdfFont, text: string): number {
    let advance = 0;
    forEachWord(text, (word) => {
      advance += this.shape(font, word).advance;
    });
    return advance;
  }
}

/** A word as pdfkit shapes it, kept small: a book has tens of thousands of distinct words. */
export interface ShapedWord {
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

