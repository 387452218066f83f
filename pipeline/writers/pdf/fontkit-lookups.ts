/**
 * fontkit's OpenType processors (GSUB, GPOS) apply a lookup by asking each of its subtables, in
 * order, about each glyph of the word until one applies: Noto Serif's kerning alone is a few
 * dozen pair subtables, so a word of five letters makes a few hundred calls that each search a
 * coverage table and answer no (bench/RESULTS-speed.md: half of shaping a word). And the
 * lookups of a stage of features are gathered and sorted again at every word.
 *
 * Here a face's processors do the same work with two shortcuts, set on the processor object
 * itself (fontkit's classes are left alone):
 * - each lookup keeps, per glyph id, the list of its subtables whose first coverage holds that
 *   glyph, in the lookup's order. Every subtable type fontkit applies answers no, having changed
 *   nothing, when the current glyph is outside that coverage (its `coverage`, `markCoverage` or
 *   `mark1Coverage`, the first input coverage of a format 3 context, an extension's own), so the
 *   subtables skipped are exactly those that would have said no; the others are asked as before.
 *   A lookup holding a subtable of a type or shape not known here is applied as fontkit does.
 * - the lookups of a set of features are kept per feature table (fontkit makes a new one
 *   whenever it selects another script or language) and per list of features, as fontkit's
 *   `lookupsForFeatures` builds them: the same objects in the same order, only not rebuilt.
 * The glyphs, positions and every flag the lookups set are fontkit's own: the shapes are the same.
 */
export function narrowLookups(processor: unknown): void {
  const own = processor as Processor;
  if (Object.hasOwn(own, 'applyLookups') || typeof own.applyLookups !== 'function' || typeof own.lookupsForFeatures !== 'function' || typeof own.applyLookup !== 'function' || typeof own.coverageIndex !== 'function') return;
  const gpos = Boolean(own.constructor?.prototype && 'applyPositionValue' in own.constructor.prototype);
  const applyLookups = own.applyLookups;
  const lookupsForFeatures = own.lookupsForFeatures;
  const byLookup = new WeakMap<Lookup, Map<number, SubTable[]> | null>();
  const byFeatures = new WeakMap<object, Map<string, LookupEntry[]>>();

  own.lookupsForFeatures = function (this: Processor, userFeatures?: string[], exclude?: number[]): LookupEntry[] {
    if (exclude !== undefined || !Array.isArray(userFeatures) || !this.features || typeof this.features !== 'object') return lookupsForFeatures.call(this, userFeatures, exclude);
    let kept = byFeatures.get(this.features);
    if (!kept) byFeatures.set(this.features, (kept = new Map()));
    const key = userFeatures.join('\u0000');
    let lookups = kept.get(key);
    if (!lookups) kept.set(key, (lookups = lookupsForFeatures.call(this, userFeatures)));
    return lookups;
  };

  own.applyLookups = function (this: Processor, lookups: LookupEntry[], glyphs: GlyphInfo[], positions: unknown): void {
    // fontkit's own, over no lookups: it sets the processor's glyphs, positions and glyph iterator.
    applyLookups.call(this, [], glyphs, positions);
    const iterator = this.glyphIterator!;
    for (const { feature, lookup } of lookups) {
      let subtables = byLookup.get(lookup);
      if (subtables === undefined) byLookup.set(lookup, (subtables = firstCoverages(lookup, gpos) ? new Map() : null));
      this.currentFeature = feature;
      iterator.reset(lookup.flags);
      while (iterator.index < glyphs.length) {
        const glyph = iterator.cur!;
        if (!(feature in glyph.features)) {
          iterator.next();
          continue;
        }
        let tables: SubTable[] = lookup.subTables;
        if (subtables) {
          let covering = subtables.get(glyph.id);
          if (!covering) subtables.set(glyph.id, (covering = coveringSubtables(this, lookup, glyph.id, gpos)));
          tables = covering;
        }
        for (const table of tables) {
          if (this.applyLookup(lookup.lookupType, table)) break;
        }
        iterator.next();
      }
    }
  };
}

/** The subtables of a lookup whose first coverage holds the glyph, in order (and those with none to check). */
function coveringSubtables(processor: Processor, lookup: Lookup, glyph: number, gpos: boolean): SubTable[] {
  const out: SubTable[] = [];
  for (const table of lookup.subTables) {
    const coverage = firstCoverage(lookup.lookupType, table, gpos);
    if (coverage === ALWAYS || processor.coverageIndex(coverage as Coverage, glyph) !== -1) out.push(table);
  }
  return out;
}

/** Whether every subtable of the lookup is of a type fontkit applies and whose first coverage is known here. */
function firstCoverages(lookup: Lookup, gpos: boolean): boolean {
  if (!Array.isArray(lookup.subTables) || typeof lookup.lookupType !== 'number') return false;
  return lookup.subTables.every((table) => firstCoverage(lookup.lookupType, table, gpos) !== undefined);
}

/** Asked about every glyph: a subtable whose answer does not hang on one coverage. */
const ALWAYS = Symbol('always');

/**
 * The coverage a subtable checks the current glyph against before doing anything else (fontkit's
 * `applyLookup`, `applyContext`, `applyChainingContext`), ALWAYS when there is none to check
 * first, undefined for a type fontkit does not apply (it throws; left to fontkit).
 */
function firstCoverage(type: number, table: SubTable | undefined, gpos: boolean): Coverage | typeof ALWAYS | undefined {
  if (!table || typeof table !== 'object') return undefined;
  const context = gpos ? type === 7 : type === 5;
  const chaining = gpos ? type === 8 : type === 6;
  const extension = gpos ? type === 9 : type === 7;
  if (extension) return typeof table.lookupType === 'number' && table.lookupType !== type ? firstCoverage(table.lookupType, table.extension, gpos) : undefined;
  if (context || chaining) {
    if (table.version === 1 || table.version === 2) return coverageOrAlways(table.coverage);
    if (table.version === 3) {
      const first = context ? table.coverages : table.inputCoverage;
      return Array.isArray(first) && first.length > 0 ? coverageOrAlways(first[0]) : ALWAYS;
    }
    return ALWAYS;
  }
  if (gpos) {
    if (type === 1 || type === 2 || type === 3) return coverageOrAlways(table.coverage);
    if (type === 4 || type === 5) return coverageOrAlways(table.markCoverage);
    if (type === 6) return coverageOrAlways(table.mark1Coverage);
    return undefined;
  }
  if (type >= 1 && type <= 4) return coverageOrAlways(table.coverage);
  return undefined;
}

function coverageOrAlways(coverage: unknown): Coverage | typeof ALWAYS {
  return coverage && typeof coverage === 'object' ? (coverage as Coverage) : ALWAYS;
}

/** The parts of fontkit's OTProcessor used here (fontkit ships no types). */
interface Processor {
  constructor?: { prototype?: object };
  features?: Record<string, unknown>;
  currentFeature?: string | null;
  glyphIterator?: GlyphIterator;
  applyLookups(lookups: LookupEntry[], glyphs: GlyphInfo[], positions: unknown): void;
  lookupsForFeatures(userFeatures?: string[], exclude?: number[]): LookupEntry[];
  applyLookup(lookupType: number, table: SubTable): boolean;
  coverageIndex(coverage: Coverage, glyph?: number | null): number;
}
interface GlyphIterator {
  index: number;
  readonly cur: GlyphInfo | null;
  reset(options?: unknown, index?: number): void;
  next(): GlyphInfo | null;
}
interface GlyphInfo {
  id: number;
  features: Record<string, boolean>;
}
interface LookupEntry {
  feature: string;
  index: number;
  lookup: Lookup;
}
interface Lookup {
  lookupType: number;
  flags: unknown;
  subTables: SubTable[];
}
interface SubTable {
  version?: number;
  lookupType?: number;
  extension?: SubTable;
  coverage?: Coverage;
  coverages?: Coverage[];
  inputCoverage?: Coverage[];
  markCoverage?: Coverage;
  mark1Coverage?: Coverage;
}
type Coverage = object;
