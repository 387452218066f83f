import type { Root } from 'mdast';
import { plainText } from '../../plain-text.ts';
import type { BookFacts } from '../../types.ts';

/** Facts of a book with no chapter yet (see `addChapterFacts`). */
export function emptyBookFacts(): BookFacts {
  return { headings: [] };
}

/**
 * Add to `facts` what the writers need to know of chapter `n` (1-based) when they render other
 * chapters: called once per transformed chapter, in the book's order. Reads `chapter`, never
 * changes it.
 */
export function addChapterFacts(facts: BookFacts, chapter: Root, n: number): void {
  // A raw heading kept as written (`raw-html: trust`) is listed by its typed meaning, as `outline` does.
  for (const block of chapter.children) {
    for (const node of block.type === 'trustedHtml' ? block.children : [block]) {
      if (node.type !== 'heading') continue;
      facts.headings.push({ chapter: n, depth: node.depth, id: node.data?.id ?? '', text: plainText(node).trim(), number: node.data?.sectionNumber, unlisted: node.data?.unlisted || undefined });
    }
  }
}
