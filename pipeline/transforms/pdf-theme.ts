import * as v from 'valibot';
import { withArticle } from '../messages.ts';

/**
 * What a user may override of the PDF theme (templates/pdf/theme.json), from front matter
 * (`pdf-theme:` as a mapping) or from a JSON file (`pdf-theme: handout.json`). Every key is
 * optional; an unknown key or a value of the wrong kind is an error, so a typo never passes
 * silently. Arrays (the heading levels) replace the default as a whole.
 */
const length = v.pipe(v.number(), v.minValue(0, 'must be a length of 0 pt or more'), v.maxValue(2000, 'must be at most 2000 pt'));
const size = v.pipe(v.number(), v.minValue(1, 'must be a size of at least 1 pt'), v.maxValue(200, 'must be at most 200 pt'));
const fraction = v.pipe(v.number(), v.minValue(0.05, 'must be between 0.05 and 1'), v.maxValue(1, 'must be between 0.05 and 1'));
const color = v.pipe(v.string(), v.regex(/^#(?:[\da-f]{3}|[\da-f]{6})$/i, 'must be a colour such as #1a1a1a'));
// A font is a file of Colophon's templates/ or of an installed npm package; never a path that climbs out.
const fontPath = v.pipe(
  v.string(),
  v.regex(/^(?:templates\/|@[a-z\d][\w.-]*\/[a-z\d][\w.-]*\/|[a-z\d][\w.-]*\/)(?:[\w .@+-]+\/)*[\w .@+-]+\.(?:ttf|otf|woff)$/i, 'must be a .ttf, .otf or .woff file under templates/ or in an installed npm package'),
  v.check((path) => !path.split('/').includes('..'), 'must not contain ".."'),
);
const margins = v.strictObject({ top: v.optional(length), bottom: v.optional(length), inner: v.optional(length), outer: v.optional(length) });
const heading = v.strictObject({ size: v.optional(size), leading: v.optional(size), spaceBefore: v.optional(length), spaceAfter: v.optional(length) });

export const themeOverrideSchema = v.strictObject({
  $comment: v.optional(v.string()),
  page: v.optional(
    v.strictObject({
      margins: v.optional(v.strictObject({ a4: v.optional(margins), a5: v.optional(margins), letter: v.optional(margins) })),
      headerOffset: v.optional(length),
      footerOffset: v.optional(length),
    }),
  ),
  fonts: v.optional(
    v.strictObject({
      serif: v.optional(v.strictObject({ regular: v.optional(fontPath), italic: v.optional(fontPath), bold: v.optional(fontPath), boldItalic: v.optional(fontPath) })),
      mono: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      cjk: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      japanese: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      korean: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      arabic: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      hebrew: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      devanagari: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      thai: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      emoji: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      symbols: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      math: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      georgian: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      armenian: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      bengali: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      gujarati: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      oriya: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      tamil: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      telugu: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      kannada: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      malayalam: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      sinhala: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      lao: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      khmer: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      myanmar: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      ethiopic: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
      thaana: v.optional(v.strictObject({ regular: v.optional(fontPath), bold: v.optional(fontPath) })),
    }),
  ),
  body: v.optional(v.strictObject({ size: v.optional(size), leading: v.optional(size), paragraphSpace: v.optional(length), indent: v.optional(length), color: v.optional(color) })),
  headings: v.optional(v.pipe(v.array(heading), v.length(6, 'must list all six heading levels'))),
  title: v.optional(
    v.strictObject({
      size: v.optional(size),
      leading: v.optional(size),
      subtitleSize: v.optional(size),
      subtitleLeading: v.optional(size),
      metaSize: v.optional(size),
      metaLeading: v.optional(size),
      spaceAfter: v.optional(length),
      ruleColor: v.optional(color),
    }),
  ),
  notes: v.optional(
    v.strictObject({
      size: v.optional(size),
      leading: v.optional(size),
      gap: v.optional(length),
      separatorWidth: v.optional(length),
      separatorSpace: v.optional(length),
      labelWidth: v.optional(length),
      maxFraction: v.optional(fraction),
    }),
  ),
  code: v.optional(v.strictObject({ size: v.optional(size), leading: v.optional(size), background: v.optional(color), padding: v.optional(length), inlineScale: v.optional(fraction) })),
  table: v.optional(
    v.strictObject({ size: v.optional(size), leading: v.optional(size), cellPadding: v.optional(length), ruleColor: v.optional(color), headerRuleWidth: v.optional(length), ruleWidth: v.optional(length) }),
  ),
  blockquote: v.optional(v.strictObject({ indent: v.optional(length), ruleColor: v.optional(color), ruleWidth: v.optional(length) })),
  list: v.optional(v.strictObject({ indent: v.optional(length), itemSpace: v.optional(length) })),
  blockSpace: v.optional(length),
  runningHead: v.optional(v.strictObject({ size: v.optional(size), color: v.optional(color) })),
  linkColor: v.optional(color),
  markBackground: v.optional(color),
  superscriptScale: v.optional(fraction),
  hyphenate: v.optional(v.boolean()),
  pdfa: v.optional(v.boolean()),
});

export type ThemeOverride = v.InferOutput<typeof themeOverrideSchema>;

/** One problem with an override: the dotted key it concerns and what is wrong. */
export interface ThemeProblem {
  path: (string | number)[];
  message: string;
}

export function checkThemeOverride(value: unknown): { override?: ThemeOverride; problems: ThemeProblem[] } {
  const result = v.safeParse(themeOverrideSchema, value);
  if (result.success) return { override: result.output, problems: [] };
  return {
    problems: result.issues.map((issue) => ({
      path: (issue.path ?? []).map((item) => item.key as string | number),
      message: issue.type === 'strict_object' ? `is not a theme key (see templates/pdf/theme.json)` : issue.kind === 'schema' ? `must be ${withArticle(issue.expected ?? '')}` : issue.message,
    })),
  };
}
