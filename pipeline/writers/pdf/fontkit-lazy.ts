import { keepShapingPlans, narrowLookups } from './fontkit-lookups.ts';

/**
 * fontkit decodes a GPOS lookup whole the first time a word asks for its feature. For the
 * mark-positioning lookups (types 4, 5 and 6: `mark` and `mkmk`) that is every mark and base
 * anchor of the face: with Noto Serif, 20–40 ms a face, about a seventh of a short document's
 * PDF, though a word without combining marks never reads one. Here those anchor arrays become
 * restructure's lazy pointers: decoded, to the very same values, the first time a mark is
 * positioned. Only the lookup coverage tables, which every word reads, are decoded up front.
 *
 * restructure describes tables with one set of objects per fontkit module, shared by every
 * face, so this marks those few pointers once; it finds them through the face's own lookup
 * list, and changes nothing when fontkit's layout is not the one expected.
 */
export function decodeMarkAnchorsLazily(font: unknown): void {
  const lookups = (font as { GPOS?: { lookupList?: StructNode } }).GPOS?.lookupList;
  const subtable = lookups?.type?.type?.fields?.subTables?.type?.type;
  for (const [version, fields] of MARK_ANCHORS) {
    for (const field of fields) {
      const pointer = subtable?.versions?.[version]?.[field];
      if (pointer?.options && typeof pointer.options.lazy === 'boolean') pointer.options.lazy = true;
    }
  }
}

/** The anchor arrays of the mark-positioning subtables, by lookup type (OpenType GPOS). */
const MARK_ANCHORS: [number, string[]][] = [
  [4, ['markArray', 'baseArray']],
  [5, ['markArray', 'ligatureArray']],
  [6, ['mark1Array', 'mark2Array']],
];

/** The parts of restructure's type objects walked here (fontkit ships no types). */
interface StructNode {
  type?: StructNode;
  fields?: Record<string, StructNode | undefined>;
  versions?: Record<number, Record<string, { options?: { lazy?: boolean } } | undefined> | undefined>;
}

/** What fontkit's OpenType processors (GSUB, GPOS) are asked here: a coverage's index of a glyph, a glyph's class, the script. */
interface Processor {
  coverageIndex(coverage: Coverage, glyph?: number | null): number;
  getClassID(glyph: number, classDef: ClassDef): number;
  selectScript(script?: string | string[], language?: string, direction?: string): string | null;
  glyphIterator?: { cur: { id: number } };
}
interface Coverage {
  version: number;
  glyphs?: number[];
  rangeRecords?: { start: number; end: number; startCoverageIndex: number }[];
}
interface ClassDef {
  version: number;
  classRangeRecord?: { start: number; end: number; class: number }[];
}

/** A coverage or class table spanning more glyphs than this is searched as fontkit does (a CJK face's tables span tens of thousands). */
const MOST_GLYPHS_INDEXED = 16_384;

/**
 * Shaping a word asks every subtable of every lookup whether it covers each glyph: fontkit
 * searches the coverage (and class) tables from the start each time, and rebuilds the script's
 * feature table at every word (it is asked for no language, which it takes for a new one). A
 * face's processors answer the same here from a map made once per table, the first entry
 * winning as in fontkit's search, and skip selecting the script again when asked for the same
 * one as last time (the same tables would be found). The answers are fontkit's: the maps are
 * kept on the processor, per table object, and made from the table alone.
 */
export function indexLookupTables(font: unknown): void {
  const engine = (font as { _layoutEngine?: { engine?: { GSUBProcessor?: Processor | null; GPOSProcessor?: Processor | null } } })._layoutEngine?.engine;
  for (const processor of [engine?.GSUBProcessor, engine?.GPOSProcessor]) {
    if (processor && typeof processor.coverageIndex === 'function' && typeof processor.getClassID === 'function' && typeof processor.selectScript === 'function') {
      indexProcessor(processor);
      narrowLookups(processor);
    }
  }
  keepShapingPlans(font);
}

function indexProcessor(processor: Processor): void {
  if (Object.hasOwn(processor, 'coverageIndex')) return;
  const { coverageIndex, getClassID, selectScript } = processor;
  const coverages = new WeakMap<Coverage, Map<number, number> | null>();
  const classes = new WeakMap<ClassDef, Map<number, number> | null>();
  processor.coverageIndex = function (this: Processor, coverage: Coverage, glyph?: number | null): number {
    let index = coverages.get(coverage);
    if (index === undefined) coverages.set(coverage, (index = coverageMap(coverage)));
    if (index === null) return coverageIndex.call(this, coverage, glyph);
    return index.get(glyph ?? this.glyphIterator!.cur.id) ?? -1;
  };
  processor.getClassID = function (this: Processor, glyph: number, classDef: ClassDef): number {
    if (classDef.version !== 2) return getClassID.call(this, glyph, classDef);
    let index = classes.get(classDef);
    if (index === undefined) classes.set(classDef, (index = classMap(classDef)));
    if (index === null) return getClassID.call(this, glyph, classDef);
    return index.get(glyph) ?? 0;
  };
  let last: { script?: string | string[]; language?: string; direction?: string; result: string | null } | undefined;
  processor.selectScript = function (this: Processor, script?: string | string[], language?: string, direction?: string): string | null {
    if (last && typeof script === 'string' && last.script === script && last.language === language && last.direction === direction && direction !== undefined) return last.result;
    const result = selectScript.call(this, script, language, direction);
    last = { script, language, direction, result };
    return result;
  };
}

/** Glyph → coverage index, the first entry winning (fontkit's `indexOf` and range search); null to search as fontkit does. */
function coverageMap(coverage: Coverage): Map<number, number> | null {
  const index = new Map<number, number>();
  if (coverage.version === 1 && Array.isArray(coverage.glyphs)) {
    if (coverage.glyphs.length > MOST_GLYPHS_INDEXED) return null;
    coverage.glyphs.forEach((glyph, at) => {
      if (!index.has(glyph)) index.set(glyph, at);
    });
    return index;
  }
  if (coverage.version === 2 && Array.isArray(coverage.rangeRecords)) {
    let span = 0;
    for (const range of coverage.rangeRecords) span += Math.max(0, range.end - range.start + 1);
    if (span > MOST_GLYPHS_INDEXED) return null;
    for (const range of coverage.rangeRecords) {
      for (let glyph = range.start; glyph <= range.end; glyph++) if (!index.has(glyph)) index.set(glyph, range.startCoverageIndex + glyph - range.start);
    }
    return index;
  }
  return null;
}

/** Glyph → class of a class table in ranges (format 2), the first range winning; null to search as fontkit does. */
function classMap(classDef: ClassDef): Map<number, number> | null {
  if (!Array.isArray(classDef.classRangeRecord)) return null;
  let span = 0;
  for (const range of classDef.classRangeRecord) span += Math.max(0, range.end - range.start + 1);
  if (span > MOST_GLYPHS_INDEXED) return null;
  const index = new Map<number, number>();
  for (const range of classDef.classRangeRecord) {
    for (let glyph = range.start; glyph <= range.end; glyph++) if (!index.has(glyph)) index.set(glyph, range.class);
  }
  return index;
}

/**
 * pdfkit reads one field of a face's `post` table when it embeds the face (`isFixedPitch`), and
 * fontkit reads three more for its metrics (`italicAngle`, the underline's place and thickness);
 * but fontkit decodes the table whole the first time any field is asked, and in a version 2
 * table (Noto's) that is a name for every glyph: 3,500 strings, about 50 ms a face, several faces
 * a PDF. Here the table's fixed header is read from its bytes as fontkit reads it (16.16 fixed
 * numbers, big-endian integers) and the rest (glyph names: `glyphNameIndex`, `names`, `offsets`,
 * `map`) is fontkit's own decode of the whole table, made the first time one of them is asked.
 * Only for a TrueType or OpenType file (not WOFF, whose tables are compressed) whose `post` table
 * lies whole in the file and holds its header; otherwise fontkit decodes it as before.
 */
export function decodePostHeaderLazily(font: unknown): void {
  const face = font as {
    type?: string;
    _tables?: Record<string, unknown>;
    directory?: { tables?: Record<string, { offset: number; length: number } | undefined> };
    stream?: { buffer?: Uint8Array };
    _decodeTable?: (entry: unknown) => Record<string, unknown> | undefined;
  };
  const entry = face.directory?.tables?.post;
  const bytes = face.stream?.buffer;
  if (face.type !== 'TTF' || !face._tables || 'post' in face._tables || !entry || !(bytes instanceof Uint8Array) || typeof face._decodeTable !== 'function') return;
  if (entry.length < POST_HEADER_BYTES || entry.offset < 0 || entry.offset + entry.length > bytes.length) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset + entry.offset, POST_HEADER_BYTES);
  const version = view.getInt32(0) / 65536;
  // A version fontkit does not know fails its decode (no `post` at all): left to fail the same way.
  if (!POST_VERSIONS.has(version)) return;
  const header: Record<string, unknown> = {
    version,
    italicAngle: view.getInt32(4) / 65536,
    underlinePosition: view.getInt16(8),
    underlineThickness: view.getInt16(10),
    isFixedPitch: view.getUint32(12),
    minMemType42: view.getUint32(16),
    maxMemType42: view.getUint32(20),
    minMemType1: view.getUint32(24),
    maxMemType1: view.getUint32(28),
  };
  const decodeTable = face._decodeTable.bind(face);
  let whole: Record<string, unknown> | undefined;
  for (const field of POST_VERSION_FIELDS[version] ?? []) {
    Object.defineProperty(header, field, { enumerable: true, get: () => (whole ??= decodeTable(entry))?.[field] });
  }
  face._tables.post = header;
}

/** The `post` table's header: version, italic angle, underline position and thickness, fixed pitch, four memory fields. */
const POST_HEADER_BYTES = 32;
const POST_VERSIONS = new Set([1, 2, 2.5, 3, 4]);
/** The fields after the header, by version, as fontkit's `post` table describes them. */
const POST_VERSION_FIELDS: Record<number, string[]> = { 2: ['numberOfGlyphs', 'glyphNameIndex', 'names'], 2.5: ['numberOfGlyphs', 'offsets'], 4: ['map'] };

/**
 * fontkit finds a character's glyph by a binary search of the face's cmap, each step reading its
 * segment arrays through restructure's lazy arrays, for every character of every word shaped
 * (about 3% of the seed's PDF). A face's cmap never changes: here its processor answers the
 * plain lookups (no variation selector) from a map filled as they are asked, with fontkit's own
 * answers. Lookups with a variation selector, and faces whose processor is not the one expected,
 * go to fontkit as before.
 */
export function rememberCharacterGlyphs(font: unknown): void {
  const processor = (font as { _cmapProcessor?: { lookup?: (codePoint: number, variationSelector?: number) => number } })._cmapProcessor;
  if (!processor || Object.hasOwn(processor, 'lookup') || typeof processor.lookup !== 'function') return;
  const lookup = processor.lookup;
  const glyphs = new Map<number, number>();
  processor.lookup = function (codePoint: number, variationSelector?: number): number {
    if (variationSelector !== undefined) return lookup.call(this, codePoint, variationSelector);
    let glyph = glyphs.get(codePoint);
    if (glyph === undefined) glyphs.set(codePoint, (glyph = lookup.call(this, codePoint)));
    return glyph;
  };
}
