import type { Heading, Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { EXIT, SKIP, visit } from '../../visit.ts';
import { PROSE_LIMIT } from '../shared/book-facts.ts';

/** What Colophon checks itself before it claims EPUB Accessibility 1.1 / WCAG 2.1 AA. */
export interface ConformanceFacts {
  /** Images in the text with no text alternative. */
  imagesWithoutAlt: number;
  /** Headings that skip a level, or have no text: the outline a reader navigates by is broken there. */
  outlineProblems: number;
  /**
   * How the language of the text is known: `declared` (front matter `lang`), `detected` (no
   * `lang`, but the text reads as the default language Colophon declares), or `unknown`.
   */
  language: 'declared' | 'detected' | 'unknown';
  /**
   * The document or project adds its own stylesheets: their colours (contrast) are not checked
   * by Colophon. The built-in stylesheets' contrast is checked by a test (test/contrast.test.ts).
   */
  ownStylesheets: boolean;
}

export interface Conformance {
  conforms: boolean;
  /** Why not, one phrase per unmet condition (for the summary and the message). */
  unmet: string[];
}

/** The conformance claim holds only when every check Colophon can make passes. */
export function conformance(facts: ConformanceFacts): Conformance {
  const unmet: string[] = [];
  if (facts.imagesWithoutAlt > 0) unmet.push(`${facts.imagesWithoutAlt} ${facts.imagesWithoutAlt === 1 ? 'image has' : 'images have'} no text alternative`);
  if (facts.outlineProblems > 0) unmet.push(`${facts.outlineProblems} ${facts.outlineProblems === 1 ? 'heading breaks' : 'headings break'} the outline (a skipped level or no text)`);
  if (facts.language === 'unknown') unmet.push('the language of the text is not declared (front matter lang)');
  if (facts.ownStylesheets) unmet.push('its own stylesheets are not checked for colour contrast');
  return { conforms: unmet.length === 0, unmet };
}

/**
 * Headings that break the outline: a level deeper than one below the heading before it (the
 * title block's h1 comes first), or no text at all. The outline transform clamps skipped levels,
 * so this counts what still reaches the edition.
 */
export function outlineProblems(tree: Root): number {
  return outlineProblemsOf(headingLevels(tree));
}

/** Every heading of the tree in a walk's order: its depth, and whether it has no text. */
export function headingLevels(tree: Root): { depth: number; empty: boolean }[] {
  const levels: { depth: number; empty: boolean }[] = [];
  visit(tree, 'heading', (node: Heading) => {
    levels.push({ depth: node.depth, empty: toString(node).trim() === '' });
  });
  return levels;
}

/** `outlineProblems` from the headings' levels (a book's, gathered chapter by chapter: BookFacts.allHeadings). */
export function outlineProblemsOf(levels: { depth: number; empty: boolean }[]): number {
  let previous = 1;
  let problems = 0;
  for (const { depth, empty } of levels) {
    if (depth > previous + 1) problems++;
    else if (empty) problems++;
    previous = depth;
  }
  return problems;
}

/** The document's running text (paragraphs, not code), enough of it to tell its language. */
export function proseSample(tree: Root, limit = PROSE_LIMIT): string {
  return proseOf(proseParts(tree, limit), limit);
}

/** The texts of the tree's first paragraphs, until `limit` characters are gathered. */
export function proseParts(tree: Root, limit = PROSE_LIMIT): string[] {
  const parts: string[] = [];
  let length = 0;
  visit(tree, 'paragraph', (node) => {
    if (length >= limit) return EXIT;
    const text = toString(node, { includeImageAlt: false }).replace(/\s+/g, ' ').trim();
    parts.push(text);
    length += text.length;
    return SKIP;
  });
  return parts;
}

/** The sample from paragraphs' texts in order (a book's from its facts): whole texts until `limit` is reached. */
export function proseOf(parts: string[], limit = PROSE_LIMIT): string {
  const taken: string[] = [];
  let length = 0;
  for (const part of parts) {
    if (length >= limit) break;
    taken.push(part);
    length += part.length;
  }
  return taken.join(' ');
}
