import type { Root, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { plainText } from '../../plain-text.ts';
import type { BookFacts, ChapterStream, HeadingFact } from '../../types.ts';
import { visit } from '../../visit.ts';

/** Running text gathered for the EPUB's language check (conformance.ts `proseSample`'s limit). */
export const PROSE_LIMIT = 4000;

/** A formula that defines macros changes how later ones read: such documents get a typesetter of their own (the PDF's). */
export const DEFINES_MACROS = /\\(?:newcommand|renewcommand|def|let|DeclareMathOperator|newenvironment|renewenvironment)\b/;

/** Facts of a book with no chapter yet (see `addChapterFacts`). */
export function emptyBookFacts(): BookFacts {
  return { headings: [], allHeadings: [], definitions: [], notes: [], destinations: [], noteLabels: {}, textLength: 0, rawHtml: false, prose: [], macros: false };
}

/**
 * Add to `facts` what the writers need to know of chapter `n` (1-based) when they render other
 * chapters: called once per transformed chapter, in the book's order. Reads `chapter`, never
 * changes it. Each fact is what the writers gathered from the whole joined tree, in its order.
 */
export function addChapterFacts(facts: BookFacts, chapter: Root, n: number): void {
  facts.headings.push(...headingFacts(chapter, n));
  let prose = facts.prose.reduce((sum, part) => sum + part.length, 0);
  for (const block of chapter.children) {
    if (block.type === 'footnoteDefinition') facts.notes.push(block);
    else facts.textLength += toString(block).length;
    facts.destinations.push(...blockDestinations(block));
  }
  visit(chapter, (node) => {
    switch (node.type) {
      case 'heading':
        facts.allHeadings.push({ depth: node.depth, empty: toString(node).trim() === '' });
        break;
      case 'definition':
        facts.definitions.push(node);
        break;
      case 'footnoteReference':
        facts.noteLabels[node.identifier] = node.label ?? node.identifier;
        break;
      case 'math':
      case 'inlineMath':
        if (node.data?.mathml && DEFINES_MACROS.test(node.value)) facts.macros = true;
        break;
      case 'html':
      case 'trustedHtml':
      case 'trustedHtmlInline':
        facts.rawHtml = true;
        break;
      case 'paragraph': {
        // As `proseSample` (epub/conformance.ts) gathers it: whole paragraphs until the limit is reached.
        if (prose < PROSE_LIMIT) {
          const text = toString(node, { includeImageAlt: false }).replace(/\s+/g, ' ').trim();
          facts.prose.push(text);
          prose += text.length;
        }
        break;
      }
    }
  });
}

/** The headings of `tree`'s top-level blocks (and those a `raw-html: trust` block keeps), as the outlines read them. */
export function headingFacts(tree: Root, chapter = 0): HeadingFact[] {
  const headings: HeadingFact[] = [];
  for (const block of tree.children) {
    const top = block.type !== 'trustedHtml';
    for (const node of top ? [block] : block.children) {
      if (node.type !== 'heading') continue;
      headings.push({ chapter, depth: node.depth, id: node.data?.id ?? '', text: plainText(node).trim(), number: node.data?.sectionNumber, unlisted: node.data?.unlisted || undefined, top });
    }
  }
  return headings;
}

/** The ids a top-level block holds that a link may reach, in the order a walk of the tree meets them (the PDF's destinations). */
export function blockDestinations(block: RootContent): string[] {
  const ids: string[] = [];
  visit(block, (node) => {
    if ((node.type === 'heading' || node.type === 'math') && node.data?.id) ids.push(node.data.id);
    else if (node.type === 'figure' && node.identifier) ids.push(node.identifier);
    else if (node.type === 'paragraph' && node.data?.anchor) ids.push(node.data.anchor);
    else if (node.type === 'anchor' && node.id) ids.push(node.id);
  });
  return ids;
}

/** Every chapter's blocks, loaded in turn (each chapter's tree is the caller's to let go). */
export function* chapterBlocks(chapters: ChapterStream): Generator<RootContent> {
  for (let n = 1; n <= chapters.count; n++) yield* chapters.load(n).children;
}

/** `head`'s blocks (what comes before the chapters), then every chapter's, each chapter loaded when reached. */
export function* bodyBlocks(head: Iterable<RootContent>, chapters: ChapterStream): Generator<RootContent> {
  yield* head;
  yield* chapterBlocks(chapters);
}

/**
 * The whole tree again: `tree` (what comes before the chapters) and every chapter, for what
 * cannot yet render one chapter at a time. Same nodes as the joined tree, so the same bytes.
 */
export function joinedTree(tree: Root, chapters: ChapterStream | undefined): Root {
  if (!chapters) return tree;
  return { ...tree, children: [...tree.children, ...chapterBlocks(chapters)] };
}
