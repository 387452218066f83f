/**
 * Three of fontkit 2.0.4's bugs that the Noto faces of the Indic and South-East Asian scripts
 * meet, mended on the face itself or its own layout engine (never on fontkit's shared classes),
 * so that its glyphs are HarfBuzz's (compared word by word in bench/RESULTS-real-documents.md).
 */

/** What is used here of fontkit's GPOS processor (fontkit ships no types). */
interface GposProcessor {
  applyLookup(lookupType: number, table: unknown): boolean;
  applyAnchor(markRecord: { markAnchor?: unknown } | undefined, baseAnchor: unknown, baseGlyphIndex: number): void;
}
/** A glyph while a word is shaped: its characters and the features asked of it. */
interface GlyphInfo {
  codePoints: number[];
  features: Record<string, boolean>;
}
type Stage = ((font: unknown, glyphs: GlyphInfo[], plan: Plan) => void) | string[];
interface Plan {
  script?: string;
  stages?: Stage[];
  allFeatures?: Record<string, number>;
}
interface Engine {
  GPOSProcessor?: GposProcessor | null;
  setup?: (this: Engine, glyphRun: unknown) => void;
  plan?: Plan;
}

/**
 * A mark-positioning subtable (GPOS lookup types 4, 5 and 6) may give a base, ligature or mark no
 * anchor for a class of marks: a null offset, which the OpenType specification allows and Noto
 * Sans Malayalam, Noto Serif Telugu and Noto Sans Khmer use. fontkit reads the anchor's
 * coordinates anyway and throws ("Cannot read properties of null (reading 'xCoordinate')",
 * foliojs/fontkit#367), so such a word could not be set at all. HarfBuzz leaves the mark where it
 * is and lets the lookup's next subtable try (MarkArray::apply returns false): so here.
 */
export function skipNullAnchors(font: unknown): void {
  const gpos = engineOf(font)?.GPOSProcessor;
  if (!gpos || typeof gpos.applyLookup !== 'function' || typeof gpos.applyAnchor !== 'function' || Object.hasOwn(gpos, 'applyAnchor')) return;
  const { applyLookup, applyAnchor } = gpos;
  let anchorless = false;
  gpos.applyAnchor = function (this: GposProcessor, markRecord, baseAnchor, baseGlyphIndex) {
    if (!baseAnchor || !markRecord?.markAnchor) {
      anchorless = true;
      return;
    }
    applyAnchor.call(this, markRecord, baseAnchor, baseGlyphIndex);
  };
  gpos.applyLookup = function (this: GposProcessor, lookupType, table) {
    if (lookupType < 4 || lookupType > 6) return applyLookup.call(this, lookupType, table);
    anchorless = false;
    const applied = applyLookup.call(this, lookupType, table);
    if (!anchorless) return applied;
    anchorless = false;
    return false;
  };
}

/**
 * Bengali's pre-base vowel signs (ি ে ৈ) take their `init` form only at the start of a word.
 * HarfBuzz asks for it when the character before is not a letter, a mark or a format character
 * (its FLAG_RANGE from Cf to Mn); fontkit's port tests only for Cf or Mn, so every ে after a
 * consonant took the word-initial form. Here the flag is taken back after fontkit's final
 * reordering, the stage that sets it (the last one before the stage of `init`).
 */
export function bengaliInitAtWordStart(font: unknown): void {
  const engine = engineOf(font);
  if (!engine || typeof engine.setup !== 'function' || Object.hasOwn(engine, 'bengaliInit')) return;
  Object.defineProperty(engine, 'bengaliInit', { value: true });
  const setup = engine.setup;
  engine.setup = function (this: Engine, glyphRun: unknown): void {
    setup.call(this, glyphRun);
    const plan = this.plan;
    if (!plan || (plan.script !== 'bng2' && plan.script !== 'beng') || !Array.isArray(plan.stages)) return;
    const init = plan.allFeatures?.init;
    if (init === undefined) return;
    for (let index = init - 1; index >= 0; index--) {
      const stage = plan.stages[index]!;
      if (typeof stage !== 'function') continue;
      plan.stages[index] = (face, glyphs, shapingPlan) => {
        stage(face, glyphs, shapingPlan);
        // fontkit asks whether the feature is a key of the glyph's features, not whether it is true.
        for (let at = 1; at < glyphs.length; at++) if (glyphs[at]!.features.init && followsLetter(glyphs[at - 1]!)) delete glyphs[at]!.features.init;
      };
      return;
    }
  };
}

/**
 * fontkit reads a TrueType glyph's box from its glyf header without asking whether the glyph has
 * one: an empty glyph (a space) reads the next glyph's header instead, and the last glyph, when
 * empty, reads past the table and throws ("Offset is outside the bounds of the DataView"). Noto
 * Sans Sinhala's last glyph is its no-break space. Here that one glyph's box is its outline's (an
 * empty box), as fontkit gives a glyph with no data when it decodes the outline.
 */
export function emptyLastGlyph(font: unknown): void {
  const face = font as {
    numGlyphs?: number;
    loca?: { offsets?: ArrayLike<number> };
    directory?: { tables?: { glyf?: { length?: number } } };
    getGlyph?: (id: number, codePoints?: number[]) => { _getCBox?: () => unknown; path?: { cbox: unknown } } | null;
  };
  const last = (face.numGlyphs ?? 0) - 1;
  const glyf = face.directory?.tables?.glyf?.length;
  const getGlyph = face.getGlyph;
  if (last < 0 || glyf === undefined || typeof getGlyph !== 'function' || Object.hasOwn(face, 'getGlyph')) return;
  const offsets = face.loca?.offsets;
  if (!offsets || offsets[last] !== offsets[last + 1] || offsets[last] !== glyf) return;
  face.getGlyph = function (this: typeof face, id: number, codePoints?: number[]) {
    const glyph = getGlyph.call(this, id, codePoints);
    if (id === last && glyph && typeof glyph._getCBox === 'function' && !Object.hasOwn(glyph, '_getCBox')) glyph._getCBox = () => glyph.path!.cbox;
    return glyph;
  };
}

/** A letter, a mark, or a format or unassigned character: what HarfBuzz takes as inside a word. */
function followsLetter(glyph: GlyphInfo): boolean {
  const first = glyph.codePoints[0];
  return first !== undefined && /^[\p{L}\p{M}\p{Cf}\p{Cn}\p{Co}]$/u.test(String.fromCodePoint(first));
}

function engineOf(font: unknown): Engine | undefined {
  return (font as { _layoutEngine?: { engine?: Engine } })._layoutEngine?.engine;
}
