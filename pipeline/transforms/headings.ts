import GithubSlugger from 'github-slugger';
import type { Heading, Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
// Brings mdast's `data.hProperties` into scope.
import type {} from 'mdast-util-to-hast';
import { report } from '../messages.ts';

/** Ids the writers use for notes, the title block and the contents; a heading must not take them. */
const RESERVED_IDS = ['abstract', 'abstract-title', 'title-block', 'footnotes', 'footnote-label', 'colophon', 'toc', 'toc-title'];

/**
 * Give every heading a stable, unique id, set on the mdast so that HTML anchors, EPUB chapter
 * links and PDF destinations agree. An id written as `{#id}` is kept as written; the others
 * are GitHub's slugs (so links written for GitHub work), never one that an `{#id}` took.
 */
export function slugHeadings(tree: Root, file?: VFile): void {
  const slugger = new GithubSlugger();
  for (const reserved of RESERVED_IDS) slugger.slug(reserved);
  const given = new Map<string, Heading>();
  visit(tree, 'heading', (node) => {
    const id = node.data?.attributes?.id;
    if (id === undefined) return;
    if (RESERVED_IDS.includes(id) || given.has(id)) {
      if (file) report(file, 'warning', `heading id \`#${id}\` is ${given.has(id) ? 'already used by another heading' : 'reserved by Colophon'}: using a generated id instead`, node, 'heading-id-duplicate');
      return;
    }
    given.set(id, node);
    // Taken, so that no slug of a later heading repeats it.
    slugger.occurrences[id] = 0;
  });
  visit(tree, 'heading', (node) => {
    const id = given.get(node.data?.attributes?.id ?? '') === node ? node.data!.attributes!.id! : slugger.slug(toString(node) || 'section');
    node.data = { ...node.data, id, hProperties: { ...node.data?.hProperties, id } };
  });
}

/**
 * `number-sections: true`: number the headings 1, 1.1, 1.2, 2… once, on the node
 * (`data.sectionNumber`), so every edition prints the same numbers. The shallowest heading
 * level in the body counts as the first (a document whose title came from its `#` heading and
 * whose sections are `##` is numbered 1, 2…, not 0.1, 0.2 as Pandoc would). Headings marked
 * `{.unnumbered}` or `{-}` get no number and leave the count alone, as in Pandoc.
 */
export function numberSections(tree: Root): void {
  // Sections are the top-level headings: one inside a quote, a list or a note is not a section.
  const headings = tree.children.filter((node): node is Heading => node.type === 'heading' && !node.data?.unnumbered);
  const top = Math.min(...headings.map((node) => node.depth));
  const counts: number[] = [];
  for (const node of headings) {
    const level = node.depth - top;
    counts.length = level + 1;
    for (let index = 0; index < level; index++) counts[index] ??= 0;
    counts[level] = (counts[level] ?? 0) + 1;
    node.data = { ...node.data, sectionNumber: counts.join('.') };
  }
}
