/**
 * Which front-matter keys Colophon knows, and what to say about the others (issue 14).
 * The keys of the schema in metadata.ts are known by construction; this file holds only what
 * the schema cannot say: Pandoc's other names for the same keys, keys that features being
 * built now will read (so documents written for them do not warn meanwhile), and Pandoc keys
 * that Colophon does not use (so the warning can say so instead of guessing a typo).
 */

/** Pandoc's names for keys Colophon reads under its own name: the value moves to ours. */
export const PANDOC_ALIASES: Readonly<Record<string, string>> = {
  'cover-image': 'cover',
  'table-of-contents': 'toc',
};

/**
 * Keys read by features outside metadata.ts's schema (citations, styles, abstracts, floats,
 * accessibility, smart punctuation). Add a key here when a feature reads it from `file.data`
 * before it has a place in the schema; once it is in the schema, it may leave this list.
 */
export const OTHER_KNOWN_KEYS: readonly string[] = [
  // A book's chapter list (book.yaml), read by pipeline/read/book.ts.
  'chapters',
  'abstract',
  'link-citations',
  'references',
  'float',
  'a11y-certifier',
  'smart',
  'dir',
];

/** Pandoc variables Colophon has no use for: warned about as such, with no "did you mean". */
export const PANDOC_UNSUPPORTED: readonly string[] = [
  'header-includes', 'include-before', 'include-after', 'documentclass', 'classoption', 'geometry', 'margin-left',
  'margin-right', 'margin-top', 'margin-bottom', 'fontsize', 'fontfamily', 'mainfont', 'sansfont', 'monofont',
  'mathfont', 'linestretch', 'linkcolor', 'urlcolor', 'citecolor', 'colorlinks', 'pagestyle', 'indent', 'subject',
  'creator', 'contributor', 'institute', 'thanks', 'lof', 'lot', 'secnumdepth', 'highlight-style', 'nocite',
  'biblio-title', 'reference-section-title', 'suppress-bibliography', 'epub-cover-image', 'stylesheet', 'title-prefix',
  'pagetitle', 'author-meta', 'date-meta', 'document-css', 'mainfontoptions', 'lang-dir', 'hyperrefoptions',
  'toccolor', 'beamer', 'theme', 'aspectratio', 'section-titles',
];

/** Keys under which anything goes: `x-…` for custom data, and the `data` map. */
export function isFreeKey(key: string): boolean {
  return key === 'data' || /^x-/i.test(key);
}

/**
 * The known key closest to `key`, if it is plausibly a misspelling: the same letters once case,
 * `-` and `_` are ignored (`numbersections`), or an edit distance (with transpositions) of at
 * most 1 for short keys and 2 for longer ones (`bibliograpy`).
 */
export function nearestKey(key: string, known: Iterable<string>): string | undefined {
  const squash = (value: string) => value.toLowerCase().replace(/[-_\s]/g, '');
  const wanted = squash(key);
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = squash(candidate) === wanted ? 0 : editDistance(key.toLowerCase(), candidate, 2);
    if (distance <= (candidate.length <= 4 ? 1 : 2) && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

/** Damerau–Levenshtein (optimal string alignment) distance, giving up past `limit`. Keys are short. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit || a.length > 64 || b.length > 64) return limit + 1;
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = value;
    }
  }
  return rows[a.length]![b.length]!;
}
