import GithubSlugger from 'github-slugger';
import type { Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';
// Brings mdast's `data.hProperties` into scope.
import type {} from 'mdast-util-to-hast';

/**
 * Give every heading a stable, unique id (GitHub's slugs, so links written for GitHub work).
 * Set on the mdast so that HTML anchors, EPUB chapter links and PDF destinations agree.
 */
export function slugHeadings(tree: Root): void {
  const slugger = new GithubSlugger();
  // Ids the writers use for notes and the title block; a heading must not take them.
  for (const reserved of ['title-block', 'footnotes', 'footnote-label', 'colophon', 'toc']) slugger.slug(reserved);
  visit(tree, 'heading', (node) => {
    const id = slugger.slug(toString(node) || 'section');
    node.data = { ...node.data, id, hProperties: { ...node.data?.hProperties, id } };
  });
}
