/**
 * Whether a face's space glyph takes part in no OpenType lookup, so that a word shaped with its
 * space after it ("word ") is exactly the word shaped alone followed by the space shaped alone
 * (word-shapes.ts then joins the two instead of shaping the word again: the PDF measures words
 * without their space and draws them with it).
 *
 * The space comes last, so it can change the word's shape only as a glyph looked at after the
 * word's own: as the current glyph of a lookup (a first coverage holds it), as an input or
 * lookahead glyph of a context or chained context, as a later component of a ligature, as the
 * second glyph of a kerning pair with a value, or where the legacy `kern` or AAT tables shape
 * instead of GSUB and GPOS. Backtrack glyphs lie before the current glyph, which is never the
 * space, so they are not asked about. Every lookup of the lookup lists is checked, not only the
 * features' own: a context may apply any of them. A table, format or offset not known here says no.
 *
 * Read from the font's bytes, not through fontkit: its decoder would decode every lookup whole
 * (Noto Serif's GPOS, anchors and all, about 100 ms cold), where this reads a few kilobytes.
 */
export function spaceStandsAlone(face: unknown): boolean {
  const font = face as FontFace;
  const tables = font.directory?.tables;
  const bytes = font.stream?.buffer;
  // The cmap's answer, not glyphForCodePoint's: that would put a glyph object in the face's cache.
  const space = font._cmapProcessor?.lookup(0x20);
  if (!tables || !(bytes instanceof Uint8Array) || typeof space !== 'number' || space === 0) return false;
  if ('kern' in tables || 'morx' in tables || 'mort' in tables) return false;
  try {
    const reader = new Reader(bytes);
    for (const [tag, gpos] of [['GSUB', false], ['GPOS', true]] as const) {
      const entry = tables[tag];
      if (entry === undefined) continue;
      const start = entry.offset;
      if (reader.u16(start) !== 1) return false;
      const list = start + reader.u16(start + 8);
      const count = reader.u16(list);
      for (let index = 0; index < count; index++) {
        const lookup = list + reader.u16(list + 2 + 2 * index);
        const type = reader.u16(lookup);
        const subtables = reader.u16(lookup + 4);
        for (let sub = 0; sub < subtables; sub++) {
          if (!leavesAlone(reader, lookup + reader.u16(lookup + 6 + 2 * sub), type, space, gpos)) return false;
        }
      }
    }
    return true;
  } catch {
    // An offset outside the font: shape every word whole, as fontkit would.
    return false;
  }
}

function leavesAlone(r: Reader, at: number, type: number, space: number, gpos: boolean): boolean {
  // Extensions (GSUB 7, GPOS 9) point to a subtable of another type.
  if (type === (gpos ? 9 : 7)) return r.u16(at) === 1 && leavesAlone(r, at + r.u32(at + 4), r.u16(at + 2), space, gpos);
  const format = r.u16(at);
  if (type === (gpos ? 7 : 5)) return contextLeavesAlone(r, at, format, space);
  if (type === (gpos ? 8 : 6)) return chainLeavesAlone(r, at, format, space);
  if (!gpos) {
    if (type === 1 || type === 2 || type === 3) return !covers(r, at + r.u16(at + 2), space);
    if (type === 4) return !covers(r, at + r.u16(at + 2), space) && !inLigatures(r, at, space);
    // Reverse chaining: its lookahead may reach the space.
    if (type === 8) {
      const lookahead = at + 6 + 2 * r.u16(at + 4);
      return !covers(r, at + r.u16(at + 2), space) && !anyCovers(r, at, r.u16(lookahead), lookahead + 2, space);
    }
    return false;
  }
  if (type === 1 || type === 3 || type === 4 || type === 5 || type === 6) return !covers(r, at + r.u16(at + 2), space);
  if (type === 2) return !covers(r, at + r.u16(at + 2), space) && pairsLeaveAlone(r, at, format, space);
  return false;
}

/** A ligature with the space as a later component. */
function inLigatures(r: Reader, at: number, space: number): boolean {
  const sets = r.u16(at + 4);
  for (let s = 0; s < sets; s++) {
    const set = at + r.u16(at + 6 + 2 * s);
    const count = r.u16(set);
    for (let l = 0; l < count; l++) {
      const ligature = set + r.u16(set + 2 + 2 * l);
      const components = r.u16(ligature + 2);
      for (let c = 1; c < components; c++) if (r.u16(ligature + 2 + 2 * c) === space) return true;
    }
  }
  return false;
}

/** No pair with the space second moves anything (a pair of zeros, or none). */
function pairsLeaveAlone(r: Reader, at: number, format: number, space: number): boolean {
  const format1 = r.u16(at + 4);
  const format2 = r.u16(at + 6);
  const size1 = valueSize(format1);
  const size2 = valueSize(format2);
  if (format === 1) {
    const sets = r.u16(at + 8);
    for (let s = 0; s < sets; s++) {
      const set = at + r.u16(at + 10 + 2 * s);
      const count = r.u16(set);
      const record = 2 + size1 + size2;
      for (let p = 0; p < count; p++) {
        const pair = set + 2 + p * record;
        if (r.u16(pair) === space && !r.zeros(pair + 2, size1 + size2)) return false;
      }
    }
    return true;
  }
  if (format === 2) {
    const second = classOf(r, at + r.u16(at + 10), space);
    const class1Count = r.u16(at + 12);
    const class2Count = r.u16(at + 14);
    const record = size1 + size2;
    for (let first = 0; first < class1Count; first++) {
      if (!r.zeros(at + 16 + (first * class2Count + second) * record, record)) return false;
    }
    return true;
  }
  return false;
}

/** Bytes of a value record: two for each field its format names. */
function valueSize(format: number): number {
  let size = 0;
  for (let bit = 0; bit < 8; bit++) if (format & (1 << bit)) size += 2;
  return size;
}

function contextLeavesAlone(r: Reader, at: number, format: number, space: number): boolean {
  if (format === 3) return !anyCovers(r, at, r.u16(at + 2), at + 6, space);
  if (format !== 1 && format !== 2) return false;
  if (covers(r, at + r.u16(at + 2), space)) return false;
  // Format 1 lists glyphs, format 2 classes (of its one class definition).
  const wanted = format === 1 ? space : classOf(r, at + r.u16(at + 4), space);
  return !someRule(r, at, format === 1 ? at + 4 : at + 6, (rule) => {
    const glyphs = r.u16(rule);
    for (let g = 1; g < glyphs; g++) if (r.u16(rule + 2 + 2 * g) === wanted) return true;
    return false;
  });
}

function chainLeavesAlone(r: Reader, at: number, format: number, space: number): boolean {
  if (format === 3) {
    const backtrack = r.u16(at + 2);
    const inputAt = at + 4 + 2 * backtrack;
    const input = r.u16(inputAt);
    const lookaheadAt = inputAt + 2 + 2 * input;
    return !anyCovers(r, at, input, inputAt + 2, space) && !anyCovers(r, at, r.u16(lookaheadAt), lookaheadAt + 2, space);
  }
  if (format !== 1 && format !== 2) return false;
  if (covers(r, at + r.u16(at + 2), space)) return false;
  const inputWanted = format === 1 ? space : classOf(r, at + r.u16(at + 6), space);
  const lookaheadWanted = format === 1 ? space : classOf(r, at + r.u16(at + 8), space);
  return !someRule(r, at, format === 1 ? at + 4 : at + 10, (rule) => {
    const inputAt = rule + 2 + 2 * r.u16(rule);
    const input = r.u16(inputAt);
    for (let g = 1; g < input; g++) if (r.u16(inputAt + 2 * g) === inputWanted) return true;
    const lookaheadAt = inputAt + 2 * input;
    const lookahead = r.u16(lookaheadAt);
    for (let g = 0; g < lookahead; g++) if (r.u16(lookaheadAt + 2 + 2 * g) === lookaheadWanted) return true;
    return false;
  });
}

/** Whether `test` holds for any rule of a (chained) context subtable's rule sets (formats 1 and 2), their count and offsets at `setsAt`. */
function someRule(r: Reader, at: number, setsAt: number, test: (rule: number) => boolean): boolean {
  const sets = r.u16(setsAt);
  for (let s = 0; s < sets; s++) {
    const offset = r.u16(setsAt + 2 + 2 * s);
    if (offset === 0) continue;
    const set = at + offset;
    const count = r.u16(set);
    for (let n = 0; n < count; n++) if (test(set + r.u16(set + 2 + 2 * n))) return true;
  }
  return false;
}

/** Whether any of `count` coverages, their offsets (from `base`) listed at `listAt`, holds the glyph. */
function anyCovers(r: Reader, base: number, count: number, listAt: number, glyph: number): boolean {
  for (let index = 0; index < count; index++) if (covers(r, base + r.u16(listAt + 2 * index), glyph)) return true;
  return false;
}

/** Whether a coverage table holds the glyph (an unknown format counts as holding it). */
function covers(r: Reader, at: number, glyph: number): boolean {
  const format = r.u16(at);
  const count = r.u16(at + 2);
  if (format === 1) {
    for (let index = 0; index < count; index++) if (r.u16(at + 4 + 2 * index) === glyph) return true;
    return false;
  }
  if (format === 2) {
    for (let index = 0; index < count; index++) {
      const range = at + 4 + 6 * index;
      if (r.u16(range) <= glyph && glyph <= r.u16(range + 2)) return true;
    }
    return false;
  }
  return true;
}

/** The glyph's class in a class definition (0 outside it, as fontkit's getClassID answers). */
function classOf(r: Reader, at: number, glyph: number): number {
  const format = r.u16(at);
  if (format === 1) {
    const start = r.u16(at + 2);
    const count = r.u16(at + 4);
    return glyph >= start && glyph < start + count ? r.u16(at + 6 + 2 * (glyph - start)) : 0;
  }
  if (format === 2) {
    const count = r.u16(at + 2);
    for (let index = 0; index < count; index++) {
      const range = at + 4 + 6 * index;
      if (r.u16(range) <= glyph && glyph <= r.u16(range + 2)) return r.u16(range + 4);
    }
    return 0;
  }
  throw new RangeError('unknown class definition format');
}

/** Big-endian reads that fail outside the font's bytes. */
class Reader {
  constructor(private readonly bytes: Uint8Array) {}

  u16(at: number): number {
    if (at < 0 || at + 2 > this.bytes.length) throw new RangeError('offset outside the font');
    return (this.bytes[at]! << 8) | this.bytes[at + 1]!;
  }

  u32(at: number): number {
    return this.u16(at) * 0x10000 + this.u16(at + 2);
  }

  /** Whether `length` bytes from `at` are all zero. */
  zeros(at: number, length: number): boolean {
    if (at < 0 || at + length > this.bytes.length) throw new RangeError('offset outside the font');
    for (let index = at; index < at + length; index++) if (this.bytes[index] !== 0) return false;
    return true;
  }
}

interface FontFace {
  directory?: { tables?: Record<string, { offset: number } | undefined> };
  stream?: { buffer?: unknown };
  _cmapProcessor?: { lookup(codePoint: number): number };
}
