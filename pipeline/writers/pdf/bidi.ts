import bidiModule, { type Bidi } from 'bidi-js';

/**
 * The Unicode bidirectional algorithm (UAX #9) for the PDF's lines: bidi-js resolves each
 * character's embedding level; lines are then reordered run by run (rule L2), and fontkit
 * shapes each right-to-left run itself, so no string is ever reversed by hand.
 */

// bidi-js is CommonJS whose module.exports is the factory; its types declare an ES default export.
const bidiFactory = bidiModule as unknown as () => Bidi;

export type { Bidi };

/** A fresh bidi-js (its tables are built per instance: make one per document, on first need). */
export function newBidi(): Bidi {
  return bidiFactory();
}

/** Strong right-to-left letters: Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic and their presentation forms. */
const RIGHT_TO_LEFT = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]|\ud802[\udc00-\udfff]|\ud803[\udc00-\udfff]|\ud83a[\udc00-\udfff]|\ud83b[\udc00-\udfff]/;

export function hasRightToLeft(text: string): boolean {
  return RIGHT_TO_LEFT.test(text);
}

export interface Levels {
  /** Per UTF-16 code unit of the paragraph's text. */
  levels: Uint8Array;
  /** The paragraph's own level: 1 when it runs right to left. */
  base: number;
}

/**
 * Embedding levels of a paragraph, or undefined for a paragraph with no right-to-left letter
 * (all level 0: nothing to reorder, the common case, which costs one regular expression).
 * The direction is the author's, or else that of the first strong character (rules P2, P3).
 */
export function paragraphLevels(scripts: ScriptTools, text: string, direction?: 'ltr' | 'rtl'): Levels | undefined {
  if (direction !== 'rtl' && !hasRightToLeft(text)) return undefined;
  const result = scripts.bidi().getEmbeddingLevels(text, direction ?? 'auto');
  return { levels: result.levels, base: result.paragraphs[0]?.level ?? 0 };
}

/**
 * The text tools only some scripts need, each made on first use, once per document: bidi-js
 * builds its tables, and a word segmenter takes some 50 ms to create.
 */
export class ScriptTools {
  private bidiInstance: Bidi | undefined;
  private words: Intl.Segmenter | undefined;

  bidi(): Bidi {
    return (this.bidiInstance ??= newBidi());
  }

  /**
   * Thai, Lao, Khmer and Myanmar are written without spaces between words: ICU's dictionaries
   * find them. ICU takes the dictionary of each character's script, whatever the locale, so one
   * segmenter serves all four. Punctuation is no word of its own: a closing sign or a full stop
   * (Khmer ។, Myanmar ၊ ။, a comma, a closing bracket) ends the word before it, an opening one
   * starts the next, so no line starts with the one or ends with the other.
   */
  unspacedWords(text: string): string[] {
    this.words ??= new Intl.Segmenter('th', { granularity: 'word' });
    const out: string[] = [];
    let opening = '';
    for (const { segment, isWordLike } of this.words.segment(text)) {
      if (!isWordLike && /^[\p{Ps}\p{Pi}]+$/u.test(segment)) opening += segment;
      else if (!isWordLike && !opening && out.length > 0 && /^\p{P}+$/u.test(segment)) out[out.length - 1] += segment;
      else {
        out.push(opening + segment);
        opening = '';
      }
    }
    if (opening) out.push(opening);
    return out;
  }
}

/** Rule L2: from the highest level down to the lowest odd one, reverse every run at that level or above. */
export function visualOrder<T>(entries: T[], levelOf: (entry: T) => number): T[] {
  const out = [...entries];
  let highest = 0;
  let lowestOdd = Infinity;
  for (const entry of out) {
    const level = levelOf(entry);
    highest = Math.max(highest, level);
    if (level % 2 === 1) lowestOdd = Math.min(lowestOdd, level);
  }
  for (let level = highest; level >= lowestOdd; level--) {
    for (let start = 0; start < out.length; start++) {
      if (levelOf(out[start]!) < level) continue;
      let end = start;
      while (end + 1 < out.length && levelOf(out[end + 1]!) >= level) end++;
      for (let i = start, j = end; i < j; i++, j--) [out[i], out[j]] = [out[j]!, out[i]!];
      start = end;
    }
  }
  return out;
}
