import type { AssetResolver, PaperSize } from '../../types.ts';

/** The PDF theme: templates/pdf/theme.json, read through the asset resolver so writers stay pure. */
export interface Theme {
  page: {
    margins: Record<PaperSize, { top: number; bottom: number; inner: number; outer: number }>;
    headerOffset: number;
    footerOffset: number;
  };
  fonts: {
    serif: { regular: string; italic: string; bold: string; boldItalic: string };
    mono: { regular: string; bold: string };
    cjk: { regular: string; bold: string };
    /** Faces for other scripts, each loaded only when the text has a character it needs. */
    japanese: { regular: string; bold: string };
    korean: { regular: string; bold: string };
    arabic: { regular: string; bold: string };
    hebrew: { regular: string; bold: string };
    devanagari: { regular: string; bold: string };
    thai: { regular: string; bold: string };
    emoji: { regular: string; bold: string };
    /** Symbols no other face has (➝ ✗ ❯ ␠ ⌘ ⠿…); optional, as themes written before it lack it. */
    symbols?: { regular: string; bold: string };
    /** Arrows, operators and math letters neither the text faces nor the symbols face have (⇠ 𝐀); optional too. */
    math?: { regular: string; bold: string };
    /**
     * Faces of scripts added later (Georgian, Armenian, the other Indic and South-East Asian scripts,
     * Ethiopic, Thaana), each loaded only when the text needs it; optional, as themes written before lack them.
     */
    georgian?: { regular: string; bold: string };
    armenian?: { regular: string; bold: string };
    bengali?: { regular: string; bold: string };
    gujarati?: { regular: string; bold: string };
    oriya?: { regular: string; bold: string };
    tamil?: { regular: string; bold: string };
    telugu?: { regular: string; bold: string };
    kannada?: { regular: string; bold: string };
    malayalam?: { regular: string; bold: string };
    sinhala?: { regular: string; bold: string };
    lao?: { regular: string; bold: string };
    khmer?: { regular: string; bold: string };
    myanmar?: { regular: string; bold: string };
    ethiopic?: { regular: string; bold: string };
    thaana?: { regular: string; bold: string };
  };
  body: { size: number; leading: number; paragraphSpace: number; indent: number; color: string };
  headings: { size: number; leading: number; spaceBefore: number; spaceAfter: number }[];
  title: { size: number; leading: number; subtitleSize: number; subtitleLeading: number; metaSize: number; metaLeading: number; spaceAfter: number; ruleColor: string };
  notes: { size: number; leading: number; gap: number; separatorWidth: number; separatorSpace: number; labelWidth: number; maxFraction: number };
  code: { size: number; leading: number; background: string; padding: number; inlineScale: number };
  table: { size: number; leading: number; cellPadding: number; ruleColor: string; headerRuleWidth: number; ruleWidth: number };
  blockquote: { indent: number; ruleColor: string; ruleWidth: number };
  list: { indent: number; itemSpace: number };
  blockSpace: number;
  runningHead: { size: number; color: string };
  linkColor: string;
  /** Behind raw `<mark>` text: a highlighter tint the body colour stays readable on. */
  markBackground: string;
  superscriptScale: number;
  hyphenate: boolean;
  pdfa: boolean;
}

/** Page sizes in points (ISO 216 and US Letter). */
export const PAPER: Record<PaperSize, [number, number]> = {
  a4: [595.28, 841.89],
  a5: [419.53, 595.28],
  letter: [612, 792],
};

export function loadTheme(assets: AssetResolver, override?: unknown): Theme {
  const base = JSON.parse(new TextDecoder().decode(assets.own('templates/pdf/theme.json'))) as Theme;
  return override ? (merge(base, override) as Theme) : base;
}

/** Deep merge of plain objects: a user theme names only the values it changes. Arrays replace. */
export function merge(base: unknown, override: unknown): unknown {
  if (!isObject(base) || !isObject(override)) return override === undefined ? base : override;
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) result[key] = merge(base[key], value);
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
