import type { Face, Fonts } from './fonts.ts';
import { paragraphLevels, ScriptTools, visualOrder, type Levels } from './bidi.ts';
import { isCjkBreakable } from './fonts.ts';
import type { Hyphenator } from './hyphenate.ts';
import { firstFit, INFINITY, knuthPlass, type Break, type BoxItem, type GlueItem, type PenaltyItem } from './linebreak.ts';
import type { Box, ImageOp, InlineObject, Run, StructNode, TextOp } from './boxes.ts';

/** What a box of text carries besides its width: its run's drawing fields, with the run's style resolved to a face. */
interface Ink extends Pick<Run, 'size' | 'color' | 'rise' | 'link' | 'strike' | 'highlight'> {
  face: Face;
  struct?: StructNode;
}
interface TextBox extends BoxItem, Ink {
  text: string;
  /** Bidi embedding level: odd runs right to left. */
  level: number;
  note?: string;
  dest?: string;
  object?: InlineObject;
  anchors?: string[];
}
interface TextGlue extends GlueItem {
  /** ' ' for a word space (kept in the text layer); '' for CJK inter-character glue. */
  char: string;
  ink?: Ink;
  natural: number;
  level?: number;
}
interface TextPenalty extends PenaltyItem {
  hyphen?: Ink;
}
type TextItem = TextBox | TextGlue | TextPenalty;

export type Align = 'justify' | 'left' | 'center' | 'right';

export interface SetOptions {
  width: number;
  leading: number;
  /** Size that decides the baseline position within the leading. */
  size: number;
  align: Align;
  /** First-line indent. */
  indent?: number;
  struct?: StructNode;
  hyphenator?: Hyphenator;
  /** The author's direction; otherwise that of the paragraph's first strong character. */
  direction?: 'ltr' | 'rtl';
  /** The tallest a picture in a line may be (it is scaled down to fit); none, no limit but the measure. */
  maxHeight?: number;
}

export interface TextContext {
  fonts: Fonts;
  scripts?: ScriptTools;
}

/** Spaces a line may break at: not U+00A0, U+2007 or U+202F, which exist to prevent that. */
const BREAKING_SPACE = /^[ \t\n\r\f\v\u1680\u2000-\u2006\u2008-\u200a\u205f\u3000]+$/;
const BREAKING_SPACE_OR_NOT = /[ \t\n\r\f\v\u1680\u2000-\u2006\u2008-\u200a\u205f\u3000]+|[^ \t\n\r\f\v\u1680\u2000-\u2006\u2008-\u200a\u205f\u3000]+/g;

/** A percent sign or a unit (with trailing punctuation) that must stay on the line of the number before it. */
const UNIT_AFTER_NUMBER = /^(?:%|‰|‱|°[CF]?|[kMGTmµnc]?(?:m|g|s|Hz|W|Wh|V|A|J|N|Pa|L|l|B|b|t)|[kMGT]?bit|h|min|bar|dB|K|mol|€|£|¥)[²³]?[.,;:!?)\]’”"']*$/u;

const ENDS_WITH_HYPHEN = /[-\u2010]$/;

const CLOSING = new Set([...'。，、；：！？）」』】》〉’”．,.;:!?)]}%']);
const OPENING = new Set([...'（「『【《〈‘“([{']);

/** Typeset runs into lines: total-fit breaking with hyphenation, each line a Box. */
export function setText(context: TextContext, runs: Run[], options: SetOptions): Box[] {
  const scripts = context.scripts ?? new ScriptTools();
  const levels = paragraphLevels(scripts, runs.map((run) => (run.hardBreak ? '\u2028' : run.text)).join(''), options.direction);
  const items = toItems(context.fonts, scripts, runs, options, levels);
  if (!items.some((item) => item.type === 'box' && (item.text !== '' || item.object))) {
    return [];
  }
  // A ragged line may fall short by as much as one space's stretch allows, one word or many.
  const breaks = breakItems(items, options.width, options.align === 'justify' ? 0 : raggedStretch(options.width));
  return levels ? toBidiLines(items, breaks, options, levels.base) : toLines(items, breaks, options);
}

/**
 * Hyphenated lines in a row at most (Bringhurst 2.4.5 allows three; two reads better in a
 * 60-75 character measure). Knuth-Plass alone allows any ladder: with TeX's demerits, a run of
 * hyphens (2,500 each, plus 10,000 for each pair in a row) costs less than a single line set
 * as loose as the tolerance allows (badness 337: 120,000), so a narrow paragraph full of long
 * words came out with eight in a row.
 */
const HYPHEN_LIMIT = 2;

/** The stretch of a space in ragged (not justified) text: lines may fall short by a good share of the measure. */
function raggedStretch(width: number): number {
  return width * 0.3;
}

function breakItems(items: TextItem[], width: number, lineEndStretch: number): Break[] {
  // The limit first; only a paragraph that cannot be set within it goes without.
  for (const tolerance of [1.5, 4]) {
    const breaks = knuthPlass(items, width, { tolerance, hyphenLimit: HYPHEN_LIMIT, lineEndStretch });
    if (breaks) return breaks;
  }
  const breaks = knuthPlass(items, width, { tolerance: INFINITY, lineEndStretch });
  return breaks ?? firstFit(items, width);
}

function toItems(fonts: Fonts, scripts: ScriptTools, runs: Run[], options: SetOptions, levels: Levels | undefined): TextItem[] {
  const items: TextItem[] = [];
  const ragged = options.align !== 'justify';
  const base = levels?.base ?? 0;
  if (options.indent) items.push(emptyBox(options.indent, fonts, runs[0], base));
  const levelAt = (offset: number) => levels?.levels[offset] ?? base;

  const pushGlue = (ink: Ink, level: number) => {
    const last = items.at(-1);
    if (!last || last.type === 'glue') return;
    const natural = fonts.width(ink.face, ' ', ink.size);
    items.push({
      type: 'glue',
      width: natural,
      natural,
      stretch: ragged ? raggedStretch(options.width) : natural * 0.6,
      shrink: ragged ? 0 : natural * 0.3,
      char: ' ',
      ink,
      level,
    });
  };

  let runStart = 0;
  for (const run of runs) {
    const start = runStart;
    runStart += run.hardBreak ? 1 : run.text.length;
    if (run.object) {
      const object = run.object.picture ? fitted(run.object, options) : run.object;
      items.push({ type: 'box', width: object.width, text: '', level: levelAt(start), face: fonts.face('regular'), size: run.size, color: run.color, rise: 0, link: run.link, struct: run.struct, object });
      continue;
    }
    if (run.hardBreak) {
      while (items.at(-1)?.type === 'glue') items.pop();
      items.push({ type: 'glue', width: 0, natural: 0, stretch: INFINITY * 10, shrink: 0, char: '' });
      items.push({ type: 'penalty', width: 0, penalty: -INFINITY, flagged: false });
      continue;
    }
    let segmentStart = start;
    for (const segment of fonts.segments(run.text, run.style, run.place)) {
      const ink: Ink = { face: segment.face, size: run.size, color: run.color, rise: run.rise, link: run.link, strike: run.strike, highlight: run.highlight, struct: run.struct };
      const hyphenWidth = fonts.width(segment.face, '-', run.size);
      // The tokens cover the segment end to end: each one's offset in the paragraph is a running sum.
      let offset = segmentStart;
      segmentStart += segment.text.length;
      const tokens = segment.text.match(BREAKING_SPACE_OR_NOT) ?? [];
      for (const [tokenIndex, token] of tokens.entries()) {
        const tokenStart = offset;
        offset += token.length;
        if (BREAKING_SPACE.test(token)) {
          if (run.note === undefined && !(items.length === 0 || items.at(-1)?.type === 'penalty')) {
            // "95 %", "12 km": the space after a number before its unit never breaks.
            const previous = items.at(-1);
            const next = tokens[tokenIndex + 1];
            if (previous?.type === 'box' && /\d$/.test(previous.text) && next !== undefined && UNIT_AFTER_NUMBER.test(next)) {
              items.push({ type: 'penalty', width: 0, penalty: INFINITY, flagged: false });
            }
            pushGlue(ink, levelAt(tokenStart));
          }
          continue;
        }
        for (const stretch of byLevel(token, tokenStart, levels)) {
        const level = stretch.level;
        const box = (text: string): TextBox => ({ type: 'box', width: fonts.width(segment.face, text, run.size), text, level, ...ink, note: run.note, dest: run.dest, anchors: run.anchors });
        if (level % 2 === 1) {
          // Right-to-left words are shaped whole by fontkit, never hyphenated.
          items.push(box(stretch.text));
          continue;
        }
        for (const piece of splitUnspaced(stretch.text, scripts)) {
          if (piece.unspaced) {
            const previous = items.at(-1);
            if (previous?.type === 'box' && previous.text !== '' && !CLOSING.has(piece.text) && !OPENING.has(previous.text.at(-1)!)) {
              items.push({ type: 'glue', width: 0, natural: 0, stretch: ragged ? raggedStretch(options.width) : run.size * 0.1, shrink: 0, char: '' });
            }
            items.push(box(piece.text));
            continue;
          }
          const parts = splitWord(piece.text, run, options, segment.face.name.startsWith('mono'));
          parts.forEach((part, index) => {
            if (index > 0) {
              const hyphenated = part.kind === 'hyphen';
              items.push({
                type: 'penalty',
                width: hyphenated ? hyphenWidth : 0,
                penalty: hyphenated ? (ragged ? 300 : 50) : part.kind === 'url' ? 80 : 2000,
                // A break after a word's own hyphen ("people-/to-people") ends the line with a
                // hyphen too: it counts in a ladder, and a page should not end there (TeX flags both).
                flagged: hyphenated || ENDS_WITH_HYPHEN.test(parts[index - 1]?.text ?? ''),
                hyphen: hyphenated ? ink : undefined,
              });
            }
            // A word wider than the line: cut it into line-wide pieces rather than overrun the
            // margin. Measured a character at a time, and never as a whole: a 2 MB "word" would
            // otherwise be one huge string to shape, or millions of one-character boxes to break.
            const tooWide = part.text.length > 400 || box(part.text).width > options.width + 0.01;
            if (tooWide) {
              // A word of letters cut where it has no hyphenation point still shows a hyphen: "Gatsb y" would read as two words.
              // Code, addresses and other strings are cut bare, as a hyphen would change them.
              const cutWithHyphen = !run.breakAnywhere && !segment.face.name.startsWith('mono') && part.text.length <= 400 && /^\p{L}+$/u.test(part.text);
              const cut = cutWithHyphen ? hyphenWidth : 0;
              const cutPenalty = (): TextItem => (cutWithHyphen ? { type: 'penalty', width: cut, penalty: 2000, flagged: true, hyphen: ink } : { type: 'penalty', width: 0, penalty: 2000, flagged: false });
              let piece = '';
              let pieceWidth = 0;
              for (const char of part.text) {
                const width = fonts.width(segment.face, char, run.size);
                if (piece && pieceWidth + width + cut > options.width) {
                  if (items.at(-1)?.type === 'box') items.push(cutPenalty());
                  items.push(box(piece));
                  piece = '';
                  pieceWidth = 0;
                }
                piece += char;
                pieceWidth += width;
              }
              if (piece) {
                if (items.at(-1)?.type === 'box') items.push(cutPenalty());
                items.push(box(piece));
              }
            } else items.push(box(part.text));
          });
        }
        }
      }
    }
  }
  while (items.at(-1)?.type === 'glue') items.pop();
  items.push({ type: 'glue', width: 0, natural: 0, stretch: INFINITY * 10, shrink: 0, char: '' });
  items.push({ type: 'penalty', width: 0, penalty: -INFINITY, flagged: false });
  return items;
}

/** A picture in a line scaled down, keeping its aspect, to be no wider than the measure and no taller than allowed. */
function fitted(object: InlineObject, options: SetOptions): InlineObject {
  const scale = Math.min(1, options.width / object.width, (options.maxHeight ?? Infinity) / (object.ascent + object.descent));
  return scale < 1 ? { ...object, width: object.width * scale, ascent: object.ascent * scale, descent: object.descent * scale } : object;
}

/** The drawing of a formula or picture set at `x` in a line whose baseline is at `baseline`. */
function objectOp(item: TextBox, object: InlineObject, x: number, baseline: number): ImageOp {
  const op: ImageOp = { op: 'image', x, y: baseline - object.ascent, w: object.width, h: object.ascent + object.descent, svg: object.svg, outlines: object.outlines, struct: item.struct };
  // Only pictures carry these (a formula's op stays as it was).
  if (object.bytes) op.bytes = object.bytes;
  if (object.picture && item.link) op.link = item.link;
  return op;
}

function emptyBox(width: number, fonts: Fonts, run: Run | undefined, level = 0): TextBox {
  return { type: 'box', width, text: '', level, face: fonts.face('regular'), size: run?.size ?? 10, color: '#000000', rise: 0 };
}

/** A token cut where its bidi level changes (an Arabic word glued to a Latin one), never inside a surrogate pair. */
function byLevel(token: string, start: number, levels: Levels | undefined): { text: string; level: number }[] {
  if (!levels) return [{ text: token, level: 0 }];
  const at = (index: number) => levels.levels[start + index] ?? levels.base;
  const out: { text: string; level: number }[] = [];
  let from = 0;
  for (let index = 1; index <= token.length; index++) {
    if (index < token.length && (at(index) === at(from) || /[\udc00-\udfff]/.test(token[index]!))) continue;
    out.push({ text: token.slice(from, index), level: at(from) });
    from = index;
  }
  return out;
}

/** Characters that may need a break with no space: CJK, fullwidth forms, Thai, Lao, Myanmar, Khmer. */
const UNSPACED = /[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\ua9e0-\ua9ff\uaa60-\uaa7f\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\ud840-\ud88f]/;

/**
 * Pieces of a token between which a line may break with no space: each CJK character (the
 * CJK ones), and each Thai, Lao, Khmer or Myanmar word, found by ICU's dictionaries (these
 * scripts put no spaces between words).
 * Most tokens have none of these, and come back whole at the cost of one regular expression.
 */
function splitUnspaced(token: string, scripts: ScriptTools): { text: string; unspaced: boolean }[] {
  if (!UNSPACED.test(token)) return [{ text: token, unspaced: false }];
  const out: { text: string; unspaced: boolean }[] = [];
  let buffer = '';
  const flush = () => {
    if (!buffer) return;
    if (DICTIONARY.test(buffer)) for (const word of scripts.unspacedWords(buffer)) out.push({ text: word, unspaced: true });
    else out.push({ text: buffer, unspaced: false });
    buffer = '';
  };
  for (const char of token) {
    if (isCjkBreakable(char.codePointAt(0)!)) {
      flush();
      out.push({ text: char, unspaced: true });
    } else if (CLOSING.has(char) && buffer === '' && /[\u3000-\u303f\uff00-\uffef]/.test(char)) {
      out.push({ text: char, unspaced: true });
    } else buffer += char;
  }
  flush();
  return out;
}

/** Thai, Lao, Myanmar and Khmer letters: their words are found in ICU's dictionaries. */
const DICTIONARY = /[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\ua9e0-\ua9ff\uaa60-\uaa7f]/;

interface Part {
  text: string;
  /** How this part joins the previous one. */
  kind: 'hyphen' | 'url' | 'none';
}

function splitWord(word: string, run: Run, options: SetOptions, mono: boolean): Part[] {
  if (/[\u00ad\u200b]/.test(word)) {
    // Soft hyphens and zero-width spaces written by the author are the only break points.
    const parts: Part[] = [];
    for (const [index, piece] of word.split(/(?=[\u00ad\u200b])/).entries()) {
      const kind = index === 0 ? 'none' : piece.startsWith('\u00ad') ? 'hyphen' : 'url';
      const text = piece.replace(/[\u00ad\u200b]/g, '');
      if (text) parts.push({ text, kind: parts.length === 0 ? 'none' : kind });
    }
    return parts.length > 0 ? parts : [{ text: '', kind: 'none' }];
  }
  if (run.breakAnywhere || mono || /^[a-z][a-z\d+.-]*:\/\//i.test(word)) {
    if (word.length < 12) return [{ text: word, kind: 'none' }];
    // URLs and code: break after punctuation, never with a hyphen (it would change the text).
    const pieces = word.match(/[^/.\-_?&=#:,;)\]]*[/.\-_?&=#:,;)\]]+|[^/.\-_?&=#:,;)\]]+/g) ?? [word];
    return pieces.map((text, index) => ({ text, kind: index === 0 ? 'none' : 'url' }));
  }
  if (!options.hyphenator || run.note !== undefined) return [{ text: word, kind: 'none' }];
  // Hyphenate the letters only; explicit hyphens are break points of their own.
  const parts: Part[] = [];
  const chunks = word.split(/(?<=[-–—])/);
  for (const [index, chunk] of chunks.entries()) {
    const match = /^([^\p{L}]*)(\p{L}[\p{L}'’]*\p{L})([^\p{L}]*)$/u.exec(chunk);
    // A compound ("people-to-people") breaks at its own hyphens; only long parts are hyphenated too.
    // No language has words of a hundred letters; the `hyphen` patterns are quadratic in length.
    const hyphenate = match && match[2]!.length <= 100 && (chunks.length === 1 || match[2]!.length >= 10);
    const syllables = hyphenate ? [...options.hyphenator(match[2]!)] : [];
    if (syllables.length > 1) {
      syllables[0] = match![1]! + syllables[0];
      syllables[syllables.length - 1] += match![3]!;
      syllables.forEach((text, i) => parts.push({ text, kind: i === 0 ? (index === 0 ? 'none' : 'url') : 'hyphen' }));
    } else parts.push({ text: chunk, kind: index === 0 ? 'none' : 'url' });
  }
  return parts;
}

function sameInk(a: Ink, b: Ink): boolean {
  return a.face === b.face && a.size === b.size && a.color === b.color && a.rise === b.rise && a.link === b.link && a.strike === b.strike && a.highlight === b.highlight && a.struct === b.struct;
}

function toLines(items: TextItem[], breaks: Break[], options: SetOptions): Box[] {
  const boxes: Box[] = [];
  const baseline = options.leading - ((options.leading - options.size) / 2 + options.size * 0.22);
  let start = 0;
  breaks.forEach((breakpoint) => {
    const end = breakpoint.position;
    while (start < end && items[start]!.type !== 'box') start++;
    const justify = options.align === 'justify';
    // A line that could only be justified with gaping spaces (an emergency break) is set ragged instead.
    const ratio = justify && breakpoint.ratio <= 4 ? Math.max(-1, breakpoint.ratio) : 0;
    const notes: string[] = [];
    const dests: string[] = [];
    let x = 0;
    let current: (TextOp & { ink: Ink }) | undefined;
    const ops: (TextOp & { ink: Ink })[] = [];
    const objects: ImageOp[] = [];
    const open = (ink: Ink, text: string, width: number) => {
      current = { op: 'text', x, y: baseline - ink.rise, text, face: ink.face.name, size: ink.size, color: ink.color, extra: 0, width, link: ink.link, strike: ink.strike, highlight: ink.highlight, struct: ink.struct, ink };
      ops.push(current);
    };
    for (let index = start; index < end; index++) {
      const item = items[index]!;
      if (item.type === 'box') {
        if (item.note !== undefined && !notes.includes(item.note)) notes.push(item.note);
        if (item.dest) dests.push(item.dest);
        for (const name of item.anchors ?? []) if (!dests.includes(name)) dests.push(name);
        if (item.object) {
          objects.push(objectOp(item, item.object, x, baseline));
          current = undefined;
        } else if (item.text === '') {
          current = undefined;
        } else if (current && sameInk(current.ink, item) && item.note === undefined && !current.text.endsWith('\u0000')) {
          current.text += item.text;
          current.width += item.width;
        } else {
          open(item, item.text, item.width);
          if (item.note !== undefined) current = undefined;
        }
        x += item.width;
      } else if (item.type === 'glue') {
        const actual = item.width + (ratio > 0 ? ratio * item.stretch : ratio * item.shrink);
        if (item.char === ' ' && current && item.ink && sameInk(current.ink, item.ink) && (current.extra === 0 || Math.abs(current.extra - (actual - item.natural)) < 1e-6)) {
          current.text += ' ';
          current.extra = actual - item.natural;
          current.width += actual;
        } else {
          current = undefined;
        }
        x += actual;
      }
    }
    const endItem = items[end];
    if (endItem?.type === 'penalty' && endItem.hyphen) {
      const ink = endItem.hyphen;
      if (current && sameInk(current.ink, ink)) {
        current.text += '-';
        current.width += endItem.width;
      } else open(ink, '-', endItem.width);
      x += endItem.width;
    }
    // Drop trailing spaces from the text layer's last run (they carry no width).
    const natural = x;
    let offset = 0;
    if (options.align === 'center') offset = (options.width - natural) / 2;
    else if (options.align === 'right') offset = options.width - natural;
    // Spelled out rather than spread: one compact object per run (every line of a book stays
    // in memory until its page is drawn).
    const clean: TextOp[] = ops.map((op) => ({
      op: 'text',
      x: op.x + offset,
      y: op.y,
      text: op.text,
      face: op.face,
      size: op.size,
      color: op.color,
      extra: op.extra,
      width: op.width,
      link: op.link,
      strike: op.strike,
      highlight: op.highlight,
      struct: op.struct,
    }));
    // Trailing spaces of the line's last run carry no width; keep them out of the text layer.
    const lastOp = clean.at(-1);
    if (lastOp) lastOp.text = lastOp.text.replace(/ +$/, '');
    boxes.push(lineBox(clean, objects, offset, endItem, notes, dests, options));
    start = end + 1;
  });
  return boxes;
}

/**
 * The lines of a paragraph with right-to-left text. Breaks are found in logical order, as for
 * any paragraph; each line is then put in visual order (UAX #9, rule L2) and set from the left.
 * A right-to-left run becomes one op in logical order, whose words the facade draws right to
 * left, each shaped by fontkit. A right-to-left paragraph is flush right, its last line too,
 * and its indent is on the right.
 */
function toBidiLines(items: TextItem[], breaks: Break[], options: SetOptions, base: number): Box[] {
  const boxes: Box[] = [];
  const baseline = options.leading - ((options.leading - options.size) / 2 + options.size * 0.22);
  const flushRight = base % 2 === 1 ? options.align !== 'right' && options.align !== 'center' : options.align === 'right';
  let start = 0;
  for (const breakpoint of breaks) {
    const end = breakpoint.position;
    while (start < end && items[start]!.type !== 'box') start++;
    const ratio = options.align === 'justify' && breakpoint.ratio <= 4 ? Math.max(-1, breakpoint.ratio) : 0;
    const notes: string[] = [];
    const dests: string[] = [];
    // The line's words and spaces in logical order, each with its width on this line.
    const pieces: { item: TextBox | TextGlue; width: number; level: number }[] = [];
    for (let index = start; index < end; index++) {
      const item = items[index]!;
      if (item.type === 'box') {
        if (item.note !== undefined && !notes.includes(item.note)) notes.push(item.note);
        if (item.dest) dests.push(item.dest);
        pieces.push({ item, width: item.width, level: item.level });
      } else if (item.type === 'glue' && item.stretch < INFINITY) {
        // (The glue that ends a paragraph or a hard line has no place inside a line.)
        pieces.push({ item, width: item.width + (ratio > 0 ? ratio * item.stretch : ratio * item.shrink), level: item.level ?? base });
      }
    }
    const endItem = items[end];
    if (endItem?.type === 'penalty' && endItem.hyphen) {
      const level = pieces.at(-1)?.level ?? base;
      pieces.push({ item: { type: 'box', width: endItem.width, text: '-', level, ...endItem.hyphen }, width: endItem.width, level });
    }
    let x = 0;
    let current: (TextOp & { ink: Ink }) | undefined;
    const ops: (TextOp & { ink: Ink })[] = [];
    const objects: ImageOp[] = [];
    for (const { item, width, level } of visualOrder(pieces, (piece) => piece.level)) {
      const rtl = level % 2 === 1;
      const joins = current !== undefined && current.rtl === rtl;
      if (item.type === 'box') {
        if (item.object) {
          objects.push(objectOp(item, item.object, x, baseline));
          current = undefined;
        } else if (item.text === '') current = undefined;
        else if (current && joins && sameInk(current.ink, item) && item.note === undefined) {
          // A right-to-left op keeps its text in logical order: what comes later on the left came first.
          current.text = rtl ? item.text + current.text : current.text + item.text;
          current.width += width;
        } else {
          current = { op: 'text', x, y: baseline - item.rise, text: item.text, face: item.face.name, size: item.size, color: item.color, extra: 0, width, link: item.link, strike: item.strike, highlight: item.highlight, struct: item.struct, rtl, ink: item };
          ops.push(current);
          if (item.note !== undefined) current = undefined;
        }
      } else if (item.char === ' ' && current && joins && item.ink && sameInk(current.ink, item.ink) && (current.extra === 0 || Math.abs(current.extra - (width - item.natural)) < 1e-6)) {
        current.text = rtl ? ` ${current.text}` : `${current.text} `;
        current.extra = width - item.natural;
        current.width += width;
      } else current = undefined;
      x += width;
    }
    let offset = 0;
    if (options.align === 'center') offset = (options.width - x) / 2;
    else if (flushRight) offset = options.width - x;
    const clean: TextOp[] = ops.map(({ ink: _ink, ...op }) => ({ ...op, x: op.x + offset, rtl: op.rtl || undefined }));
    boxes.push(lineBox(clean, objects, offset, endItem, notes, dests, options));
    start = end + 1;
  }
  return boxes;
}

/**
 * One set line as a box: its text runs and formulas moved by the line's alignment offset, the
 * line opened up just enough for a formula taller or deeper than its type, and flagged when it
 * ends on a hyphen (the paginator avoids ending a page with it: TeX's \brokenpenalty).
 */
function lineBox(text: TextOp[], objects: ImageOp[], offset: number, endItem: TextItem | undefined, notes: string[], dests: string[], options: SetOptions): Box {
  const above = Math.max(0, ...objects.map((object) => -object.y));
  const below = Math.max(0, ...objects.map((object) => object.y + object.h - options.leading));
  for (const object of objects) object.x += offset;
  const ops: (TextOp | ImageOp)[] = [...text, ...objects];
  if (above > 0) for (const op of ops) op.y += above;
  const hyphenated = endItem?.type === 'penalty' && endItem.flagged;
  // A line citing no note (nearly every one) shares one empty list: a book keeps its lines' boxes.
  return { height: options.leading + above + below, ops, notes: notes.length > 0 ? notes : NO_NOTES, keep: false, hyphenated: hyphenated || undefined, struct: options.struct, dests: dests.length ? dests : undefined };
}

const NO_NOTES = Object.freeze([]) as unknown as string[];

/** Widows and orphans: no page break after a paragraph's first line or before its last. */
export function keepLines(lines: Box[]): Box[] {
  const n = lines.length;
  lines.forEach((line, index) => {
    line.keep = index < n - 1 && !(index >= 1 && index <= n - 3);
  });
  return lines;
}
