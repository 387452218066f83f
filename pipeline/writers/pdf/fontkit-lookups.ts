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
  const byLookup = new WeakMap<Lookup, Map<number, readonly SubTable[]> | null>();
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
        let tables: readonly SubTable[] = lookup.subTables;
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

/**
 * fontkit's OpenType layout engine makes a new shaping plan for every word: the shaper for the
 * script, then its stages of features, each added one by one (about a tenth of shaping a word).
 * A plan depends only on the face, the script selected, the direction and the features asked
 * for, and shaping a word only reads it; so here the engine keeps one per such key and, for each
 * word, does the rest of what the shaper's `plan` does: gives the glyphs the plan's global
 * features, then the shaper's own per-glyph ones (`assignFeatures`). Only for shapers whose
 * `plan` is the default one (Latin, Arabic, Hebrew, CJK…: those steps exactly) and plans with no
 * stage that is a function (Indic and the Universal Shaping Engine reorder glyphs there): the
 * others are planned afresh, as fontkit does.
 *
 * A glyph's GDEF class (base, ligature, mark) is also searched range by range in fontkit, for
 * every glyph of every word (`GlyphInfo`'s id setter): here the face's GDEF class tables in
 * ranges are given as the equivalent table of one class per glyph (format 1: the first range
 * holding a glyph gives its class, 0 outside every range, as fontkit's search answers).
 */
export function keepShapingPlans(font: unknown): void {
  const face = font as { _layoutEngine?: { engine?: Engine } };
  const engine = face._layoutEngine?.engine;
  if (!engine || Object.hasOwn(engine, 'setup') || typeof engine.setup !== 'function' || !('GSUBProcessor' in engine)) return;
  denseGdefClasses(font);
  const setup = engine.setup;
  const plans = new Map<string, { shaper: Shaper; plan: Plan; GlyphInfo: GlyphInfoClass } | null>();
  engine.setup = function (this: Engine, glyphRun: GlyphRun): void {
    const script = selectScript(this, glyphRun);
    const key = `${script}\u0000${glyphRun.direction}\u0000${JSON.stringify(glyphRun.features)}`;
    const kept = plans.get(key);
    if (!kept) {
      setup.call(this, glyphRun);
      const made = this.glyphInfos?.[0];
      if (kept === undefined && made) plans.set(key, reusable(this.shaper, this.plan) ? { shaper: this.shaper!, plan: this.plan!, GlyphInfo: made.constructor as GlyphInfoClass } : null);
      return;
    }
    // fontkit's setup, with the plan made before.
    this.glyphInfos = glyphRun.glyphs.map((glyph) => new kept.GlyphInfo(this.font, glyph.id, [...glyph.codePoints]));
    this.shaper = kept.shaper;
    this.plan = kept.plan;
    kept.plan.assignGlobalFeatures(this.glyphInfos);
    kept.shaper.assignFeatures(kept.plan, this.glyphInfos);
    for (const feature in kept.plan.allFeatures) glyphRun.features[feature] = true;
  };
}

/** The script the engine's processors select for the run, as fontkit's setup selects it (GPOS, then GSUB). */
function selectScript(engine: Engine, glyphRun: GlyphRun): string | null {
  let script: string | null = null;
  if (engine.GPOSProcessor) script = engine.GPOSProcessor.selectScript(glyphRun.script, glyphRun.language, glyphRun.direction);
  if (engine.GSUBProcessor) script = engine.GSUBProcessor.selectScript(glyphRun.script, glyphRun.language, glyphRun.direction);
  return script;
}

/** A plan made by the default `plan` of the shapers, with features alone in its stages. */
function reusable(shaper: Shaper | undefined, plan: Plan | undefined): boolean {
  if (!shaper || !plan || typeof shaper.plan !== 'function' || typeof shaper.assignFeatures !== 'function' || typeof plan.assignGlobalFeatures !== 'function') return false;
  if (!Array.isArray(plan.stages) || !plan.stages.every((stage) => Array.isArray(stage))) return false;
  let root: Shaper = shaper;
  for (let parent = Object.getPrototypeOf(root) as Shaper | null; parent && typeof parent.plan === 'function'; parent = Object.getPrototypeOf(parent) as Shaper | null) root = parent;
  return shaper.plan === root.plan;
}

/** GDEF's glyph class and mark attachment class tables in ranges, given as one class per glyph (see keepShapingPlans). */
function denseGdefClasses(font: unknown): void {
  const face = font as { _tables?: Record<string, unknown>; GDEF?: Record<string, unknown> | null };
  const gdef = face.GDEF;
  if (!gdef || typeof gdef !== 'object' || !face._tables || face._tables.GDEF !== gdef) return;
  const dense: PropertyDescriptorMap = {};
  for (const field of ['glyphClassDef', 'markAttachClassDef']) {
    const table = denseClasses(gdef[field]);
    if (table) dense[field] = { value: table, enumerable: true };
  }
  if (Object.keys(dense).length > 0) face._tables.GDEF = Object.create(gdef, dense);
}

/** A class table in ranges (format 2) as the format 1 table with the same answers, or undefined. */
function denseClasses(classDef: unknown): { version: 1; startGlyph: 0; glyphCount: number; classValueArray: Uint16Array } | undefined {
  const table = classDef as { version?: number; classRangeRecord?: { start: number; end: number; class: number }[] } | null | undefined;
  if (table?.version !== 2 || !Array.isArray(table.classRangeRecord)) return undefined;
  let end = -1;
  for (const range of table.classRangeRecord) {
    if (!Number.isInteger(range.start) || !Number.isInteger(range.end) || !Number.isInteger(range.class) || range.start < 0 || range.end > 0xffff || range.class < 0 || range.class > 0xffff) return undefined;
    end = Math.max(end, range.end);
  }
  const classes = new Uint16Array(end + 1);
  const set = new Uint8Array(end + 1);
  for (const range of table.classRangeRecord) {
    for (let glyph = range.start; glyph <= range.end; glyph++) {
      if (set[glyph]) continue;
      set[glyph] = 1;
      classes[glyph] = range.class;
    }
  }
  return { version: 1, startGlyph: 0, glyphCount: classes.length, classValueArray: classes };
}

/** The subtables of a lookup whose first coverage holds the glyph, in order (and those with none to check). */
function coveringSubtables(processor: Processor, lookup: Lookup, glyph: number, gpos: boolean): readonly SubTable[] {
  const out: SubTable[] = [];
  for (const table of lookup.subTables) {
    const coverage = firstCoverage(lookup.lookupType, table, gpos);
    if (coverage === ALWAYS || processor.coverageIndex(coverage as Coverage, glyph) !== -1) out.push(table);
  }
  // Most glyphs meet most lookups uncovered (a CJK face's ideographs and its Latin kerning): they share one empty list.
  return out.length > 0 ? out : NONE;
}

/** Whether every subtable of the lookup is of a type fontkit applies and whose first coverage is known here. */
function firstCoverages(lookup: Lookup, gpos: boolean): boolean {
  if (!Array.isArray(lookup.subTables) || typeof lookup.lookupType !== 'number') return false;
  return lookup.subTables.every((table) => firstCoverage(lookup.lookupType, table, gpos) !== undefined);
}

/** The subtables covering a glyph that none covers (only ever read). */
const NONE: readonly SubTable[] = Object.freeze([]);

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

/** The parts of fontkit's OpenType layout engine, shapers and plans used here. */
interface Engine {
  font: unknown;
  GSUBProcessor?: { selectScript(script?: string, language?: string | null, direction?: string): string | null } | null;
  GPOSProcessor?: { selectScript(script?: string, language?: string | null, direction?: string): string | null } | null;
  glyphInfos?: GlyphInfo[] | null;
  shaper?: Shaper;
  plan?: Plan;
  setup(glyphRun: GlyphRun): void;
}
type GlyphInfoClass = new (font: unknown, id: number, codePoints: number[]) => GlyphInfo;
interface GlyphRun {
  glyphs: { id: number; codePoints: number[] }[];
  script?: string;
  language?: string | null;
  direction?: string;
  features: Record<string, boolean>;
}
interface Shaper {
  plan(plan: Plan, glyphs: GlyphInfo[], features: unknown): void;
  assignFeatures(plan: Plan, glyphs: GlyphInfo[]): void;
}
interface Plan {
  stages: unknown[];
  allFeatures: Record<string, number>;
  assignGlobalFeatures(glyphs: GlyphInfo[]): void;
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
