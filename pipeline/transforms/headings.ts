import GithubSlugger, { slug } from 'github-slugger';
import type { Heading, Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { Node } from 'unist';
import { visit } from '../visit.ts';
import type { VFile } from 'vfile';
import { report } from '../messages.ts';
// Brings mdast's `data.hProperties` into scope.
import type {} from 'mdast-util-to-hast';

/** Ids the writers use for notes, the title block and the contents; neither a heading nor raw HTML may take them. */
const RESERVED = ['abstract', 'abstract-title', 'title-block', 'footnotes', 'footnote-label', 'colophon', 'toc', 'toc-title', 'content'];

/** The ids the writers give notes and their calls (writers/shared/render.ts: `fn-1`, `fnref-1`, `fnref-1-2`). */
const NOTE_ID = /^fn(ref)?-\d+(-\d+)?$/;

/** Whether the writers may give an element this id (the title block, the notes, the contents): no heading takes it. */
export function isReservedId(id: string): boolean {
  return RESERVED.includes(id);
}

/**
 * Every anchor of the document, by chapter: the id a chapter's own links use for it (as GitHub
 * or mdBook would slug it within that file) → the id it has in the whole document. A single
 * document is chapter 0.
 */
export interface AnchorTable {
  byChapter: Map<number, Map<string, string>>;
  /** The id that a link to a chapter file without a fragment goes to. */
  chapterStart: Map<number, string>;
}

/**
 * Give every heading a stable id, unique in the whole document (GitHub's slugs, so links written
 * for GitHub work), and keep the ids of raw HTML anchors unique too. Set on the mdast so that
 * HTML anchors, EPUB chapter links and PDF destinations agree.
 *
 * Raw ids are taken first (a heading's slug steps aside for `<a name="x">`); a raw id used twice
 * is dropped with a warning. In a book each chapter slugs its headings on its own, as the chapter
 * file would be on GitHub; where two chapters end with the same id, the later one gets its
 * chapter's name as a prefix, and the links that point at it are rewritten (book-links.ts).
 */
export function slugHeadings(tree: Root, file?: VFile, chapterNames: string[] = [], titleHeading?: Heading): AnchorTable {
  const state = newSlugState();
  takeGivenIds(tree, file, chapterNames, titleHeading, state);
  slugChapterHeadings(tree, chapterNames, titleHeading, state);
  return state.table;
}

/**
 * What giving ids carries across a book's chapters: every id taken so far, each chapter's
 * slugger, and the anchors found. A book's chapters take their written ids first, all of them
 * (`takeGivenIds`), then slug their headings (`slugChapterHeadings`), chapter by chapter.
 */
export interface SlugState {
  used: Set<string>;
  sluggers: Map<number, GithubSlugger>;
  table: AnchorTable;
}

export function newSlugState(): SlugState {
  return { used: new Set<string>(RESERVED), sluggers: new Map(), table: { byChapter: new Map(), chapterStart: new Map() } };
}

function slugging(state: SlugState, chapterNames: string[]) {
  const { used, sluggers, table } = state;
  const sluggerFor = (chapter: number) => {
    let slugger = sluggers.get(chapter);
    if (!slugger) {
      slugger = new GithubSlugger();
      for (const reserved of RESERVED) slugger.slug(reserved);
      sluggers.set(chapter, slugger);
      table.byChapter.set(chapter, new Map());
    }
    return slugger;
  };
  const global = (chapter: number, local: string): string => {
    // A slug shaped like a note's id (the second heading "fn" is `fn-1`) would share that note's id.
    let id = NOTE_ID.test(local) ? `section-${local}` : local;
    if (used.has(id)) {
      const prefix = chapter > 0 ? slug((chapterNames[chapter - 1] ?? '').replace(/^.*\//, '').replace(/\.[^.]*$/, '')) || `chapter-${chapter}` : '';
      const base = prefix ? `${prefix}-${local}` : local;
      id = base;
      for (let count = 1; used.has(id); count++) id = `${base}-${count}`;
    }
    used.add(id);
    table.byChapter.get(chapter)!.set(local, id);
    return id;
  };
  return { sluggerFor, global };
}

const chapterOf = (node: Node) => node.data?.chapter ?? 0;

/**
 * The id a fragment names in a chapter: the anchor written so, or else the one anchor whose name
 * differs from it in case alone, as GitHub finds it (`#makeRe` goes to the heading slugged
 * `makere` there); undefined when none, or several, match. `folded` keeps each chapter's
 * case-folded names for the caller's run.
 */
export function anchorFor(table: AnchorTable, chapter: number, fragment: string, folded: Map<number, Map<string, string | null>>): string | undefined {
  const anchors = table.byChapter.get(chapter);
  const exact = anchors?.get(fragment);
  if (exact !== undefined || !anchors) return exact;
  let byFolded = folded.get(chapter);
  if (!byFolded) {
    byFolded = new Map();
    // null: two anchors that differ in case alone, which a fragment cannot tell apart.
    for (const [local, id] of anchors) byFolded.set(local.toLowerCase(), byFolded.has(local.toLowerCase()) ? null : id);
    folded.set(chapter, byFolded);
  }
  return byFolded.get(fragment.toLowerCase()) ?? undefined;
}

/** Ids written by the author (raw HTML ids, `{#id}` on headings), taken first. */
export function takeGivenIds(tree: Root, file: VFile | undefined, chapterNames: string[], titleHeading: Heading | undefined, state: SlugState): void {
  const { sluggerFor, global } = slugging(state, chapterNames);
  const { table } = state;
  // Ids written by the author first (raw HTML ids, `{#id}` on headings), in document order; the
  // heading that became the title came first of all.
  for (const block of [...(titleHeading ? [titleHeading] : []), ...tree.children]) {
    const chapter = chapterOf(block);
    const slugger = sluggerFor(chapter);
    visit(block, (node: Node) => {
      const owner = node as Node & { data?: { hProperties?: Record<string, unknown> } };
      if (node.type === 'heading') {
        // An id written as `{#id}` is kept as written, unless something took it first.
        const heading = node as Heading;
        const given = heading.data?.attributes?.id;
        if (given === undefined) return;
        if (RESERVED.includes(given) || table.byChapter.get(chapter)!.has(given) || slugger.occurrences[given] !== undefined) {
          if (file) report(file, 'warning', `heading id \`#${given}\` is ${RESERVED.includes(given) ? 'reserved by Colophon' : 'already used'}: using a generated id instead`, node, 'heading-id-duplicate');
          return;
        }
        slugger.occurrences[given] = 0;
        const id = global(chapter, given);
        heading.data = { ...heading.data, id, hProperties: { ...heading.data?.hProperties, id } };
        return;
      }
      const id = node.type === 'anchor' ? (node as Node & { id: string }).id : owner.data?.hProperties?.id;
      if (typeof id !== 'string' || id === '') return;
      if (table.byChapter.get(chapter)!.has(id) || RESERVED.includes(id) || /^fn(ref)?-\d/.test(id) || slugger.occurrences[id] !== undefined) {
        if (file) report(file, 'warning', `the id "${id}" is used twice; the second is dropped`, node, 'duplicate-id');
        if (node.type === 'anchor') (node as Node & { id: string }).id = '';
        else delete owner.data!.hProperties!.id;
        return;
      }
      // Reserve it in the chapter's slugger so that a heading slugged later steps aside.
      slugger.occurrences[id] = 0;
      const unique = global(chapter, id);
      if (node.type === 'anchor') (node as Node & { id: string }).id = unique;
      else owner.data!.hProperties!.id = unique;
    });
  }
}

/** Every heading without a written id gets its slug, unique in the book; then each chapter's opening anchor is known. */
export function slugChapterHeadings(tree: Root, chapterNames: string[], titleHeading: Heading | undefined, state: SlugState): void {
  const { sluggerFor, global } = slugging(state, chapterNames);
  const { table } = state;
  for (const block of [...(titleHeading ? [titleHeading] : []), ...tree.children]) {
    const chapter = chapterOf(block);
    const slugger = sluggerFor(chapter);
    visit(block, 'heading', (node: Heading) => {
      // Only a written id (takeGivenIds) is set before this.
      if (node.data?.id !== undefined) return;
      const text = toString(node).trim();
      // A heading whose text gives no slug ("!!!", an image) still gets an id.
      const local = slugger.slug(slug(text) ? text : 'section');
      const id = global(chapter, local);
      node.data = { ...node.data, id, hProperties: { ...node.data?.hProperties, id } };
    });
  }
  // A link to a chapter file without a fragment goes to the chapter's opening anchor or heading.
  const opened = new Set<number>();
  for (const block of tree.children) {
    const chapter = chapterOf(block);
    if (opened.has(chapter) || block.type === 'definition' || block.type === 'footnoteDefinition') continue;
    opened.add(chapter);
    const id = block.type === 'anchor' ? block.id : block.type === 'heading' ? block.data?.id : undefined;
    if (id) table.chapterStart.set(chapter, id);
  }
}

/**
 * `number-sections: true`: number the headings 1, 1.1, 1.2, 2… once, on the node
 * (`data.sectionNumber`), so every edition prints the same numbers. The shallowest heading
 * level in the body counts as the first (a document whose title came from its `#` heading and
 * whose sections are `##` is numbered 1, 2…, not 0.1, 0.2 as Pandoc would). Headings marked
 * `{.unnumbered}` or `{-}` get no number and leave the count alone, as in Pandoc.
 */
export function numberSections(tree: Root, state: { top: number; counts: number[] } = { top: topSectionLevel(tree), counts: [] }): void {
  const headings = sections(tree);
  const { top, counts } = state;
  for (const node of headings) {
    const level = node.depth - top;
    counts.length = level + 1;
    for (let index = 0; index < level; index++) counts[index] ??= 0;
    counts[level] = (counts[level] ?? 0) + 1;
    node.data = { ...node.data, sectionNumber: counts.join('.') };
  }
}

/** Sections are the top-level headings: one inside a quote, a list or a note is not a section. */
function sections(tree: Root): Heading[] {
  return tree.children.filter((node): node is Heading => node.type === 'heading' && !node.data?.unnumbered);
}

/** The shallowest level of a section (Infinity when none); a book takes the least of its chapters'. */
export function topSectionLevel(tree: Root): number {
  return Math.min(...sections(tree).map((node) => node.depth));
}
