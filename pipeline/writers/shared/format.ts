import type { Heading, Root } from 'mdast';
import { plainText } from '../../plain-text.ts';
import type { ChapterStream, DocumentMeta, HeadingFact } from '../../types.ts';
import { headingFacts } from './book-facts.ts';

const ENGLISH_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "2018-06" → "June 2018" in the document's language. UTC, so TZ never changes an edition. */
export function formatDate(date: string, lang: string): string {
  const [year, month, day] = date.slice(0, 10).split('-').map(Number);
  if (!month) return String(year);
  const value = new Date(Date.UTC(year!, month - 1, day ?? 1));
  // English dates are spelt here: the first Intl.DateTimeFormat of a process loads ICU's locale
  // data, 12-20 ms of a small document's build. The same text as Intl's `en` (checked in tests).
  const fullYear = value.getUTCFullYear();
  if (/^en(?:-us)?$/i.test(lang) && fullYear >= 1000 && fullYear <= 9999) {
    const monthName = ENGLISH_MONTHS[value.getUTCMonth()];
    return day ? `${monthName} ${value.getUTCDate()}, ${fullYear}` : `${monthName} ${fullYear}`;
  }
  const options: Intl.DateTimeFormatOptions = day
    ? { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }
    : { year: 'numeric', month: 'long', timeZone: 'UTC' };
  try {
    return new Intl.DateTimeFormat(lang, options).format(value);
  } catch {
    return new Intl.DateTimeFormat('en', options).format(value);
  }
}

/** Names joined for display: "A", "A and B", "A, B and C". */
export function joinNames(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** The author line used in metadata fields (PDF Author, meta name=author when joined). */
export function authorNames(meta: DocumentMeta): string[] {
  return meta.authors.map((author) => author.name);
}

export interface OutlineEntry {
  depth: number;
  id: string;
  /** The heading's text, without its number. */
  text: string;
  /** The section number (`number-sections`), if the heading has one. */
  number?: string;
  children: OutlineEntry[];
}

/**
 * Headings down to `maxDepth` (`toc-depth`, default 3) as a tree, for tables of contents and
 * EPUB navigation. `{.unlisted}` headings are left out.
 */
export function outline(tree: Root, maxDepth = 3): OutlineEntry[] {
  // A raw heading kept as written (`raw-html: trust`) is listed by its typed meaning.
  return outlineOf(headingFacts(tree), maxDepth);
}

/** `outline` from the headings' facts (a book's, gathered one chapter at a time: types.ts BookFacts). */
export function outlineOf(headings: HeadingFact[], maxDepth = 3): OutlineEntry[] {
  const roots: OutlineEntry[] = [];
  const stack: OutlineEntry[] = [];
  for (const heading of headings) {
    if (heading.depth > maxDepth || heading.unlisted) continue;
    const entry: OutlineEntry = { depth: heading.depth, id: heading.id, text: heading.text, number: heading.number, children: [] };
    while (stack.length > 0 && stack.at(-1)!.depth >= entry.depth) stack.pop();
    (stack.at(-1)?.children ?? roots).push(entry);
    stack.push(entry);
  }
  return roots;
}

/** The outline of a book rendered from its chapters (`tree` holds what comes before them), or of a whole tree. */
export function bookOutline(tree: Root, chapters: ChapterStream | undefined, maxDepth = 3): OutlineEntry[] {
  return chapters ? outlineOf([...headingFacts(tree), ...chapters.facts.headings], maxDepth) : outline(tree, maxDepth);
}

export function headingId(node: Heading): string {
  return node.data?.id ?? '';
}

/** A heading's text as a contents entry, bookmark or title shows it: "1.2 Methods". */
export function numberedText(text: string, number: string | undefined): string {
  return number ? `${number} ${text}` : text;
}

/** The heading's text with its section number, if any. */
export function headingText(node: Heading): string {
  return numberedText(plainText(node).trim(), node.data?.sectionNumber);
}
