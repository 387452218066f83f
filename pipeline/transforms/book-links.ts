import { slug } from 'github-slugger';
import type { Definition, Link, LinkReference, Parent, Root, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { SKIP, visit } from '../visit.ts';
import type { VFile } from 'vfile';
import { report } from '../messages.ts';
import { anchorFor, type AnchorTable } from './headings.ts';
import { safeDecode } from '../url.ts';

/**
 * A book is one work. Its chapters link to each other as files (`ch04.md#anchor`, or the
 * `ch04.html` an mdBook site serves, or the route `ch04` or `/part/ch04` a documentation site
 * serves); in every edition such a link becomes a link inside the
 * document, to the id the target now has (headings.ts may have prefixed it). A link to a
 * Markdown file that is not in the book can work in no edition: its text stays, with a warning.
 */

/** Give every chapter that does not open with a heading an anchor at its start, for links to the bare file. */
export function openChapters(tree: Root, chapters: string[]): void {
  const seen = new Set<number>();
  for (let index = 0; index < tree.children.length; index++) {
    const block = tree.children[index]!;
    const chapter = block.data?.chapter;
    if (!chapter || seen.has(chapter) || block.type === 'definition' || block.type === 'footnoteDefinition' || block.type === 'yaml') continue;
    seen.add(chapter);
    if (block.type === 'heading') continue;
    const id = slug(stem(chapters[chapter - 1] ?? '')) || `chapter-${chapter}`;
    tree.children.splice(index, 0, { type: 'anchor', id, data: { chapter }, position: block.position && { start: block.position.start, end: block.position.start } });
    index++;
  }
}

/** Rewrite links between chapters to in-document fragments; report links to Markdown files outside the book. */
export function linkChapters(tree: Root, file: VFile, table: AnchorTable, chapters: string[]): void {
  const chapterOfPath = new Map<string, number>();
  chapters.forEach((path, index) => {
    chapterOfPath.set(path, index + 1);
    // mdBook serves ch04.md as ch04.html; a documentation site (VitePress, Docusaurus, npm's
    // docs) as the route ch04; chapters link to each other in any of these ways.
    const stem = path.replace(/\.(md|markdown)$/i, '');
    for (const served of [`${stem}.html`, `${stem}.htm`, stem]) if (!chapterOfPath.has(served)) chapterOfPath.set(served, index + 1);
  });

  type Target = { url: string } | { outside: string } | undefined;
  const folded = new Map<number, Map<string, string | null>>();
  const resolveUrl = (url: string, chapter: number, node: RootContent | Definition): Target => {
    if (/^[a-z][a-z\d+.-]*:|^\/\//i.test(url)) return undefined;
    const hash = url.indexOf('#');
    const written = (hash === -1 ? url : url.slice(0, hash)).replace(/^\.\//, '');
    // A path from `/` starts at the book's folder, as on a site that serves the book from its
    // root (`/commands/npm-install`); `/` alone is the site's home, no chapter.
    if (written === '/') return undefined;
    const path = written.startsWith('/') ? safeDecode(written.slice(1)) : written;
    const fragment = hash === -1 ? undefined : safeDecode(url.slice(hash + 1));
    const target = path === '' ? chapter : chapterOfPath.get(path);
    if (target === undefined) return /\.(md|markdown)$/i.test(path) ? { outside: written } : undefined;
    if (!fragment) return path === '' ? undefined : { url: `#${table.chapterStart.get(target) ?? ''}` };
    const id = anchorFor(table, target, fragment, folded);
    if (id) return { url: `#${id}` };
    if (path === '') return undefined; // A missing anchor in the same chapter: the writers report it.
    report(file, 'warning', `link to "${url}": chapter ${path} has no heading or anchor "${fragment}"; the link goes to the chapter's start`, node, 'book-link-anchor');
    return { url: `#${table.chapterStart.get(target) ?? ''}` };
  };

  // Definitions first: a reference follows its definition.
  const outsideDefinitions = new Map<string, string>();
  for (const block of tree.children) {
    const chapter = block.data?.chapter;
    if (!chapter) continue;
    visit(block, 'definition', (node: Definition) => {
      const target = resolveUrl(node.url, chapter, node);
      if (target && 'url' in target) node.url = target.url;
      else if (target) outsideDefinitions.set(node.identifier, target.outside);
    });
  }

  for (const block of tree.children) {
    const chapter = block.data?.chapter;
    if (!chapter) continue;
    visit(block, (node, index, parent: Parent | undefined) => {
      if (node.type !== 'link' && node.type !== 'linkReference') return undefined;
      const link = node as Link | LinkReference;
      const target = link.type === 'link' ? resolveUrl(link.url, chapter, link) : outsideDefinitions.has(link.identifier) ? { outside: outsideDefinitions.get(link.identifier)! } : undefined;
      if (!target) return undefined;
      if ('url' in target && link.type === 'link') {
        link.url = target.url;
        return undefined;
      }
      if (!('outside' in target) || !parent || index === undefined) return undefined;
      report(file, 'warning', `link to "${target.outside}": the file is not part of the book (book.yaml does not list it); its text "${toString(link).slice(0, 60)}" stays without the link`, link, 'book-link-outside');
      parent.children.splice(index, 1, ...link.children);
      return [SKIP, index];
    });
  }
}

function stem(path: string): string {
  return (path.split('/').pop() ?? path).replace(/\.[^.]*$/, '');
}
