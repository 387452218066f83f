import type { Definition, Link, Root } from 'mdast';
import { visit } from '../visit.ts';
import { safeDecode } from '../url.ts';
import { anchorFor, type AnchorTable } from './headings.ts';

/**
 * GitHub finds a heading whatever the case of the fragment that names it: READMEs link
 * `#makeRe` to the heading `makeRe(…)`, slugged `makere`. A browser, a PDF viewer and an EPUB
 * reader match ids exactly, so such a link goes nowhere. Each link and definition in a single
 * document whose fragment names no anchor as written, but one anchor in another case, is pointed
 * at that anchor (a book's chapters do the same in book-links.ts).
 */
export function matchFragmentCase(tree: Root, table: AnchorTable): void {
  const folded = new Map<number, Map<string, string | null>>();
  visit(tree, (node) => {
    if (node.type !== 'link' && node.type !== 'definition') return;
    const target = node as Link | Definition;
    if (!target.url.startsWith('#')) return;
    const fragment = safeDecode(target.url.slice(1));
    if (fragment === fragment.toLowerCase() || table.byChapter.get(0)?.has(fragment)) return;
    const id = anchorFor(table, 0, fragment, folded);
    if (id !== undefined) target.url = `#${id}`;
  });
}
