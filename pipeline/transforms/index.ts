import type { Root } from 'mdast';
import type { VFile } from 'vfile';
import type { DocumentMeta, HighlightMemo, QuoteMemo } from '../types.ts';
import { plainText } from '../plain-text.ts';
import { visit } from '../visit.ts';
import { insertAbstract } from './abstract.ts';
import { checkDefinitions } from './definitions.ts';
import { makeFigures, type FigureState } from './figures.ts';
import { newNoteState, numberFootnotes, type NoteState } from './footnotes.ts';
import { linkChapters, openChapters } from './book-links.ts';
import { matchFragmentCase } from './fragment-links.ts';
import { documentAnchorsOf, linkDocuments, type DocumentAnchors, type RunDocuments } from './document-links.ts';
import { newSlugState, numberSections, slugChapterHeadings, takeGivenIds, topSectionLevel, type SlugState } from './headings.ts';
import { checkOutline, newOutlineState, type OutlineState } from './outline.ts';
import { type DroppedKinds, rawHtmlToMdast } from './raw-html.ts';
import { titleAlerts } from './alerts.ts';
import { highlightCode } from './highlight.ts';
import { smartMetadata, smartPunctuation } from './smart-punctuation.ts';
import { emojiShortcodes } from './emoji.ts';
import { joinEastAsianLines } from './east-asian-lines.ts';
import { describeDocument } from './description.ts';
import { inlineNotes } from './inline-notes.ts';
import { resolveCitations, type ReadData } from './citations.ts';
import { collectTargets, resolveCrossrefs, type CrossrefTarget } from './crossrefs.ts';
import { nameImageLinks } from './link-text.ts';
import { transformMath, type MathInfo } from './math.ts';
import { extractMetadata, type MetadataOptions } from './metadata.ts';

export interface TransformOptions extends MetadataOptions {
  /** Reads a file the document names (its bibliography, its CSL style), inside the project. */
  readData?: ReadData;
  /** Reads a file of Colophon's own (the default citation style). */
  ownFile?: (path: string) => Uint8Array;
  /** Code highlighted in an earlier build of this watch session. */
  highlights?: HighlightMemo;
  /** Quotes paired in an earlier build of this watch session (see smart-punctuation.ts). */
  quotes?: QuoteMemo;
  /** The other documents of the run, when a folder of them is built together. */
  documents?: RunDocuments;
}

/**
 * Every transform, in order. Each is a pure function of (tree, file); this is the only place
 * that knows the order:
 * 0. raw HTML to typed nodes (see raw-html.ts);
 * 1. metadata: it removes the YAML node, and may lift the first heading into the title;
 *    the abstract then opens the body, so the transforms below treat it like the rest;
 * 2. inline notes before numbering, so `^[…]` notes join the same sequence;
 * 3. figures and table captions, then citations, before footnote numbering, so a note in a
 *    caption set above its table is numbered where it is read, and the notes of a note
 *    citation style join the same sequence;
 * 4. footnote numbering needs the metadata (author notes are cited first, from the byline);
 * 5. link definitions are only checked (the first of a label wins);
 * 6. the outline: a heading that skips levels is set one below its section's heading (after the title
 *    left); then heading ids (the ids the author wrote first) and section numbers; in a book,
 *    every chapter gets an anchor at its start first;
 * 7. math: display equations and their numbers, MathML for every formula (after the notes
 *    are in place, so a formula in a note is converted like any other);
 * 8. in a book, links between chapters are rewritten to the ids, once every id is known; in
 *    a folder of documents built together, links to another of them are marked for each
 *    edition to link to that document's own edition;
 * 9. cross-references: they read the numbers of sections, equations and figures; then links
 *    named by their images' titles when they have no text (after the figures, whose captions
 *    come from alt text);
 * 10. smart punctuation follows the language from the metadata (math and code are not text),
 *    after cross-references, so text they copy is set the same way; the metadata lines the
 *    editions print are smartened there too, and a description the front matter does not give
 *    is read from the finished body after it;
 * 11. alert titles and code highlighting are facts of single nodes, in the document's language.
 * The order is kept in four stages (early, middle, whole facts, late), which a book transformed a
 * chapter at a time (build/book-pass.ts) runs over each chapter in turn, with the state they carry
 * (TransformState): a stage reads from other chapters only what the stages before it gave.
 */
export function runTransforms(tree: Root, file: VFile, options: TransformOptions = {}): DocumentMeta {
  // Raw HTML becomes typed nodes first, so a raw `<h1>` can be the title and raw ids are known
  // before headings are slugged. `raw-html: trust` also keeps it as written, for the HTML and EPUB.
  const state = newTransformState(trustsRawHtml(tree));
  rawHtmlToMdast(tree, file, { trust: state.trust, dropped: state.dropped });
  const meta = extractMetadata(tree, file, options);
  insertAbstract(tree, meta);
  earlyStage(tree, file, meta, options, state, true);
  state.sections.top = topSectionLevel(tree);
  middleStage(tree, file, meta, state, true);
  wholeFacts(file, meta);
  lateStage(tree, file, meta, options, state);
  return meta;
}

/**
 * What the transforms carry from one chapter of a book to the next, when a book is transformed a
 * chapter at a time (build/book-pass.ts): counters, ids and labels taken, the facts a later stage
 * reads from every chapter. A single document is transformed with a fresh one.
 */
export interface TransformState {
  /** `raw-html: trust` in the front matter. */
  trust: boolean;
  /** Kinds of raw element reported as dropped. */
  dropped: DroppedKinds;
  inlineNotes: { count: number };
  figures: FigureState;
  footnotes: NoteState;
  /** Link labels defined so far. */
  definitions: Set<string>;
  outline: OutlineState;
  slugs: SlugState;
  /** `number-sections`: the shallowest section level of the whole book, and the count so far. */
  sections: { top: number; counts: number[] };
  math: MathInfo;
  /** Cross-reference labels of the whole book. */
  targets: Map<string, CrossrefTarget>;
}

export function newTransformState(trust: boolean): TransformState {
  return {
    trust,
    dropped: { kinds: new Set() },
    inlineNotes: { count: 0 },
    figures: { counters: { figure: 0, table: 0 }, seen: new Set() },
    footnotes: newNoteState(),
    definitions: new Set(),
    outline: newOutlineState(),
    slugs: newSlugState(),
    sections: { top: Infinity, counts: [] },
    math: { count: 0, equations: new Map() },
    targets: new Map(),
  };
}

/**
 * The anchors another document of the run links to (document-links.ts), from its parsed tree:
 * only the transforms that give ids or change the headings' text before they are slugged, in
 * runTransforms' order (raw HTML ids, the title heading, inline notes, the abstract, figures, the
 * ids written, the slugs). Not citations, which read files (a citation in a heading changes its
 * slug there), nor math conversion: a fenced equation's label is read from the parse. Messages
 * go to `file`, which the caller drops: the document's own build reports them.
 */
export function documentAnchors(tree: Root, file: VFile, options: MetadataOptions = {}): DocumentAnchors {
  rawHtmlToMdast(tree, file, { trust: trustsRawHtml(tree) });
  const meta = extractMetadata(tree, file, options);
  insertAbstract(tree, meta);
  inlineNotes(tree);
  const figures: FigureState = { counters: { figure: 0, table: 0 }, seen: new Set() };
  makeFigures(tree, file, meta, figures);
  const slugs = newSlugState();
  takeGivenIds(tree, undefined, [], file.data.titleHeading, slugs);
  slugChapterHeadings(tree, [], file.data.titleHeading, slugs);
  const equations: string[] = [];
  visit(tree, 'math', (node) => {
    if (node.data?.label) equations.push(node.data.label);
  });
  return documentAnchorsOf(slugs.table, [...figures.seen, ...equations]);
}

/**
 * Up to the ids the author wrote, which a book takes from every chapter before any heading is
 * slugged. `first`: the document, or a book's first chapter (the byline's notes, the title heading).
 */
export function earlyStage(tree: Root, file: VFile, meta: DocumentMeta, options: TransformOptions, state: TransformState, first: boolean): void {
  inlineNotes(tree, state.inlineNotes);
  makeFigures(tree, file, meta, state.figures);
  resolveCitations(tree, file, meta, options.readData, (path) => {
    try {
      const bytes = options.ownFile?.(path);
      return bytes ? new TextDecoder().decode(bytes) : undefined;
    } catch {
      return undefined;
    }
  });
  numberFootnotes(tree, file, first ? meta : { authors: [], footnoteNumbering: meta.footnoteNumbering }, state.footnotes);
  checkDefinitions(tree, file, state.definitions);
  checkOutline(tree, file, state.outline);
  const chapters = file.data.bookChapters;
  if (chapters) openChapters(tree, chapters);
  takeGivenIds(tree, file, chapters ?? [], first ? file.data.titleHeading : undefined, state.slugs);
}

/** Heading ids and section numbers (`state.sections.top` known), equations; the labels cross-references read. */
export function middleStage(tree: Root, file: VFile, meta: DocumentMeta, state: TransformState, first: boolean): void {
  slugChapterHeadings(tree, file.data.bookChapters ?? [], first ? file.data.titleHeading : undefined, state.slugs);
  if (first) meta.titleId = file.data.titleHeading?.data?.id;
  if (meta.numberSections) numberSections(tree, state.sections);
  transformMath(tree, file, state.math, first);
  collectTargets(tree, file, state.targets);
}

/** Between the middle and the last stage, once: the metadata that reads the whole text's facts. */
export function wholeFacts(file: VFile, meta: DocumentMeta): void {
  // A title taken from a heading with a formula reads as text ("On x²"), not as TeX.
  if (file.data.titleHeading && file.data.math?.count) meta.title = plainText(file.data.titleHeading).trim() || meta.title;
  // As Pandoc does: the title, names and other lines of metadata are text the editions print, too.
  if (meta.smart !== false) smartMetadata(meta);
}

/** Links between chapters (every chapter's ids known), cross-references, and the block-local transforms; the description. */
export function lateStage(tree: Root, file: VFile, meta: DocumentMeta, options: TransformOptions, state: TransformState): void {
  const chapters = file.data.bookChapters;
  if (chapters) linkChapters(tree, file, state.slugs.table, chapters);
  else {
    if (options.documents) linkDocuments(tree, file, options.documents, documentAnchorsOf(state.slugs.table, [...state.figures.seen, ...state.math.equations.keys()]));
    matchFragmentCase(tree, state.slugs.table);
  }
  resolveCrossrefs(tree, file, meta, state.targets);
  nameImageLinks(tree, file);
  transformBlocks(tree, meta, options);
  describeDocument(tree, meta);
}

/**
 * The last transforms, whose effect on a top-level block depends on that block and the
 * document's settings alone (its language, `smart`, `emoji`), never on other blocks: emoji shortcodes,
 * line breaks between East Asian characters taken out (before the quotes are paired over the text), smart punctuation
 * (quotes are paired across blocks, but a quote's shape depends only on the characters next to
 * it), alert titles, code highlighting. A watch session runs them on the few blocks an edit
 * touched (build/region-rebuild.ts); a transform added here must keep to that.
 */
export function transformBlocks(tree: Root, meta: Pick<DocumentMeta, 'lang' | 'smart' | 'emoji'>, options: Pick<TransformOptions, 'highlights' | 'quotes'> = {}): void {
  if (meta.emoji !== false) emojiShortcodes(tree);
  joinEastAsianLines(tree);
  if (meta.smart !== false) smartPunctuation(tree, meta.lang, options.quotes);
  titleAlerts(tree, meta.lang);
  highlightCode(tree, options.highlights);
}

/**
 * Every transform as one unified plugin, for users who compose their own processor (after
 * remark-parse, remark-gfm and remark-frontmatter with 'yaml'). The metadata lands on
 * `file.data.meta`, the footnote facts on `file.data.footnotes`, problems on `file.messages`.
 */
export function remarkColophon(options: TransformOptions = {}) {
  return (tree: Root, file: VFile) => {
    runTransforms(tree, file, options);
  };
}

/**
 * Colophon's front matter alone: validated and normalised onto `file.data.meta`, problems with positions.
 * Metadata only: no smart punctuation, and `description` only when the front matter gives one
 * (runTransforms derives one from the finished body).
 */
export function remarkColophonMetadata(options: MetadataOptions = {}) {
  return (tree: Root, file: VFile) => {
    extractMetadata(tree, file, options);
  };
}

/**
 * Colophon's footnote handling alone: `^[inline]` notes join the numbered sequence, notes are
 * numbered in order of first citation, and undefined, unused and duplicate notes are reported.
 * Use it after remarkColophonMetadata (author notes and `footnote-numbering` come from there).
 */
export function remarkColophonFootnotes() {
  return (tree: Root, file: VFile) => {
    inlineNotes(tree);
    numberFootnotes(tree, file, file.data.meta ?? { authors: [], footnoteNumbering: 'document' });
  };
}

/** `raw-html: trust` in the front matter (read before the metadata transform, which runs after). */
export function trustsRawHtml(tree: Root): boolean {
  const yaml = tree.children[0]?.type === 'yaml' ? tree.children[0].value : '';
  return /^raw-html:\s*["']?trust["']?\s*(#.*)?$/m.test(yaml);
}
